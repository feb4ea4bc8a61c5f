package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
import io.stmactors.transport.TransportBackPressureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a worker tells the coordinator about its actors, against a scripted coordinator.
 *
 * <p>An actor's stop goes all the way when the coordinator's inbox is full at the moment the worker tells it: its
 * children stop too, and the coordinator hears of the stop once there is room. (The back-pressure exception escaped
 * the middle of the stop: the actor was marked stopped, but its children kept running, its mailbox was not turned
 * into dead letters, its watchers were never told, and the coordinator kept it registered.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerNoticesTest {
    private static final long WAIT_SECONDS = 20;

    @Test
    void aStopTheCoordinatorCannotHearOfAtOnceStillStopsTheChildrenAndIsToldLater() throws Exception {
        ScriptedCoordinator coordinator = new ScriptedCoordinator(ActorSystemConfig.builder().build().registeredClasses());
        WorkerRuntime worker = new WorkerRuntime(1, coordinator);
        Thread poller = new Thread(worker::run, "worker-under-test");
        poller.setDaemon(true);
        poller.start();
        try {
            coordinator.configure("stop-notice", 1, WAIT_SECONDS);
            AtomicInteger parentNotices = new AtomicInteger();
            coordinator.onFrame = frame -> {
                if (frame instanceof Frames.Stopped s && s.name().equals("parent")
                        && parentNotices.incrementAndGet() == 1) {
                    throw new TransportBackPressureException(0, 1024, "the coordinator's inbox is full (scripted)");
                }
            };
            Behavior<String> parent = Behaviors.setup(ctx -> {
                ctx.spawn(Behaviors.<String>receive((c, m) -> Behaviors.same()), "child");
                return Behaviors.receive((c, m) -> Behaviors.stopped());
            });
            coordinator.deliver(new Frames.Spawn("parent", coordinator.encodeValue(parent), null, null, false));
            assertTrue(awaitFrame(() -> coordinator.received.stream().anyMatch(f -> f instanceof Frames.Commit c
                    && c.spawns().stream().anyMatch(s -> s.name().equals("parent/child")))), "the child was spawned");

            coordinator.deliver(new Frames.Tell("parent", coordinator.encodeValue("stop")));
            assertTrue(awaitFrame(() -> stopped(coordinator, "parent/child")),
                    "the child stopped with its parent: " + coordinator.received);
            assertTrue(awaitFrame(() -> parentNotices.get() >= 2 && stopped(coordinator, "parent")),
                    "the coordinator heard of the parent's stop once its inbox had room (notices: "
                            + parentNotices.get() + ")");
        } finally {
            coordinator.deliver(new Frames.Shutdown());
            poller.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
    }

    /**
     * A child spawned by a handler starts only once the handler's effects, its spawn among them, went to the
     * coordinator: the coordinator never gets a child's commit before it knows the child. (With two handler
     * threads, the child's start commit, run by the other thread, was shipped while the parent's after-commit hooks
     * still ran, before the parent's spawn: the coordinator dropped the child's state as an unknown actor's.)
     */
    @Test
    void aChildsFirstCommitReachesTheCoordinatorAfterItsSpawn() throws Exception {
        ScriptedCoordinator coordinator = new ScriptedCoordinator(ActorSystemConfig.builder().build().registeredClasses());
        WorkerRuntime worker = new WorkerRuntime(1, coordinator);
        Thread poller = new Thread(worker::run, "worker-under-test");
        poller.setDaemon(true);
        poller.start();
        try {
            coordinator.configure("spawn-order", 2, WAIT_SECONDS);
            Behavior<String> parent = Behaviors.setup(ctx -> {
                ctx.spawn(Behaviors.<String>receive((c, m) -> Behaviors.same()), "child");
                io.stmactors.stm.Stm.afterCommit(() -> {
                    try {
                        Thread.sleep(500); // a slow hook of the parent: the child's start may run meanwhile
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                return Behaviors.receive((c, m) -> Behaviors.same());
            });
            coordinator.deliver(new Frames.Spawn("parent", coordinator.encodeValue(parent), null, null, false));
            assertTrue(awaitFrame(() -> indexOf(coordinator, "spawns") >= 0 && indexOf(coordinator, "state") >= 0),
                    "the parent's spawn and the child's first commit: " + coordinator.received);
            assertTrue(indexOf(coordinator, "spawns") < indexOf(coordinator, "state"),
                    "the child's first commit came before its spawn: " + coordinator.received);
        } finally {
            coordinator.deliver(new Frames.Shutdown());
            poller.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
    }

    /** Where the commit that spawns {@code parent/child} ("spawns") or carries its state ("state") was received. */
    private static int indexOf(ScriptedCoordinator coordinator, String what) {
        java.util.List<Object> frames = coordinator.received;
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i) instanceof Frames.Commit c && (what.equals("spawns")
                    ? c.spawns().stream().anyMatch(s -> s.name().equals("parent/child"))
                    : c.actors().stream().anyMatch(a -> a.name().equals("parent/child")))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean stopped(ScriptedCoordinator coordinator, String name) {
        return coordinator.received.stream().anyMatch(f -> f instanceof Frames.Stopped s && s.name().equals(name));
    }

    private static boolean awaitFrame(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }
}
