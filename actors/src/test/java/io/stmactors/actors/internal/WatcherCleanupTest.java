package io.stmactors.actors.internal;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Terminated;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A watcher that stops is taken off the list of the actor it watched: per-session actors watching a
 * long-lived service must not keep every ended session (its cell, mailbox and state) reachable
 * from the service, nor turn into dead letters when the service stops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WatcherCleanupTest {

    @Test
    void aStoppedWatcherIsForgottenByTheActorItWatched() throws Exception {
        int sessions = 500;
        TLong told = TLong.of(0);
        try (ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().workers(2).build())) {
            ActorRef<String> service = system.spawn(Behaviors.<String>receive((ctx, m) -> Behaviors.same()), "service");
            ActorRef<Object> keeper = system.spawn(Behaviors.<Object>setup(ctx -> {
                ctx.watch(service);
                return Behaviors.receive((c, m) -> {
                    if (m instanceof Terminated) {
                        told.increment();
                    }
                    return Behaviors.same();
                });
            }), "keeper");
            for (int i = 0; i < sessions; i++) {
                ActorRef<String> session = system.spawn(Behaviors.<String>setup(ctx -> {
                    ctx.watch(service);
                    return Behaviors.receive((c, m) -> Behaviors.stopped());
                }), "session-" + i);
                session.tell("done");
            }
            await(() -> system.diagnostics().liveActors() == 2, "the sessions to stop");
            ActorCell<?> cell = (ActorCell<?>) service;
            await(() -> cell.watcherCount() == 1, "the service to forget the stopped sessions");
            assertEquals(1, cell.watcherCount(), "only the live keeper still watches");

            long deadBefore = system.diagnostics().deadLetters();
            cell.requestStop();
            await(() -> told.get() == 1, "the live watcher to be told");
            assertEquals(deadBefore, system.diagnostics().deadLetters(), "no Terminated went to a stopped session");
        }
    }

    @Test
    void aWatcherForgetsTheActorsItWatchedOnceTheyStop() throws Exception {
        int sessions = 500;
        WeakReference<Object> first;
        try (ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().workers(2).build())) {
            // The usual supervisor: spawns workers, watches each, lives on.
            TLong pings = TLong.of(0);
            ActorRef<Object> keeper = system.spawn(Behaviors.<Object>receive((ctx, m) -> {
                if (m instanceof String name) {
                    ctx.watch(ctx.spawn(Behaviors.<String>receive((c, x) -> Behaviors.stopped()), name));
                } else if (m instanceof Integer) {
                    pings.increment();
                }
                return Behaviors.same();
            }), "keeper");
            for (int i = 0; i < sessions; i++) {
                keeper.tell("session-" + i);
            }
            await(() -> system.diagnostics().liveActors() == sessions + 1, "the sessions to start");
            ActorCell<?> keeperCell = (ActorCell<?>) keeper;
            await(() -> keeperCell.watchingCount() == sessions, "the keeper to watch every session");
            LocalActorSystem local = (LocalActorSystem) system;
            first = new WeakReference<>(local.lookup("keeper/session-0"));
            for (int i = 0; i < sessions; i++) {
                ((ActorCell<?>) local.lookup("keeper/session-" + i)).enqueue("done");
            }
            await(() -> system.diagnostics().liveActors() == 1, "the sessions to stop");
            await(() -> keeperCell.watchingCount() == 0, "the keeper to forget the stopped sessions");
            // The keeper's last message (some session's Terminated) is remembered until the next one: send one more.
            keeper.tell(1);
            await(() -> pings.get() == 1, "the keeper to handle a message of its own");
            for (int i = 0; i < 50 && first.get() != null; i++) {
                System.gc();
                Thread.sleep(20);
            }
        }
        assertEquals(null, first.get(), "a stopped session is still reachable");
    }

    /**
     * An actor that watches the same actor again (say, on every request from it) is told once when it stops, with
     * the message of its latest watch, and stays one entry in its list. (It was told once per watch, and the list
     * grew with every request: a watcher that spawns the actor again on its Terminated failed the second time.)
     */
    @Test
    void aWatcherThatWatchesTheSameActorTwiceIsToldOnceWithItsLatestMessage() throws Exception {
        java.util.List<Object> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        TLong synced = TLong.of(0);
        try (ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().workers(2).build())) {
            ActorRef<String> target = system.spawn(Behaviors.<String>receive((ctx, m) -> Behaviors.same()), "target");
            ActorRef<Object> watcher = system.spawn(Behaviors.<Object>receive((ctx, m) -> {
                if ("watch".equals(m)) {
                    ctx.watch(target);
                } else if ("watchWith".equals(m)) {
                    ctx.watchWith(target, "target is gone");
                } else if ("sync".equals(m)) {
                    synced.increment();
                } else {
                    io.stmactors.stm.Stm.afterCommit(() -> told.add(m)); // once, whatever the attempts
                }
                return Behaviors.same();
            }), "watcher");
            watcher.tell("watch");
            watcher.tell("watch");
            watcher.tell("watchWith");
            watcher.tell("sync"); // handled after the watches took effect (each one when its handler committed)
            await(() -> synced.get() == 1, "the watcher to watch three times");
            ActorCell<?> cell = (ActorCell<?>) target;
            assertEquals(1, cell.watcherCount(), "one entry however often it watched");

            cell.requestStop();
            await(() -> !told.isEmpty(), "the watcher to be told");
            Thread.sleep(300); // a second notice would have come by now
            assertEquals(java.util.List.of("target is gone"), told, "told once, with its latest watch's message");
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }
}
