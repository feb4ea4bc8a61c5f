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
 * An actor's stop goes all the way when the coordinator's inbox is full at the moment the worker tells it: its
 * children stop too, and the coordinator hears of the stop once there is room. (The back-pressure exception escaped
 * the middle of the stop: the actor was marked stopped, but its children kept running, its mailbox was not turned
 * into dead letters, its watchers were never told, and the coordinator kept it registered.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerStopNoticeTest {
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
