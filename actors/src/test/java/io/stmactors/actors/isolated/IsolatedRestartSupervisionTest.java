package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.actors.SupervisorStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.stmactors.actors.isolated.IsolatedModeTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An actor re-created at a worker restart keeps the supervision its setup installed. (The owner kept the behavior
 * with the supervision marker stripped, so the re-created actor ran without its rules: its next failure stopped it
 * instead of resuming it.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IsolatedRestartSupervisionTest {

    record Inc(ActorRef<Long> replyTo) {
    }

    @Test
    void anActorReCreatedAtAWorkerRestartIsSupervisedAsBefore() throws Exception {
        try (ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().mode(Mode.ISOLATED_PROCESSES)
                .workers(1).register(Inc.class).closeTimeout(Duration.ofSeconds(10)).build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            ActorRef<Object> counter = system.spawn(Behaviors.<Object>setup(ctx -> Behaviors.supervise(
                    Behaviors.<Long, Object>withState(0L, (c, n, m) -> {
                        if (m instanceof Inc inc) {
                            inc.replyTo().tell(n + 1);
                            return n + 1;
                        }
                        throw new IllegalStateException("boom");
                    })).onFailure(IllegalStateException.class, SupervisorStrategy.resume())), "counter");
            assertEquals(1L, inc(system, counter));
            counter.tell("boom"); // resumed: the count stays
            assertEquals(2L, inc(system, counter));

            Process first = iso.workerProcess(0);
            first.destroyForcibly();
            await(() -> iso.workerRestarts() == 1 && iso.workerProcess(0) != first, Duration.ofSeconds(20), "the restart");
            assertEquals(3L, inc(system, counter), "the re-created counter goes on from its committed state");

            counter.tell("boom");
            assertEquals(4L, inc(system, counter), "the re-created counter was resumed after its failure, not stopped"
                    + " (failures: " + system.diagnostics().failures() + ", live actors: "
                    + system.diagnostics().liveActors() + ")");
        }
    }

    /**
     * A worker restarted while a transaction that spawns an actor on it is still open does not create that actor:
     * the transaction may roll back, and here it does. (The restart re-created every registered actor, the one
     * reserved by the open transaction too: its setup ran although its spawn never happened.)
     */
    @Test
    void aSpawnStillOpenWhenItsWorkerRestartsIsNotCreatedIfItRollsBack() throws Exception {
        io.stmactors.stm.TLong setups = io.stmactors.stm.TLong.named("ghost-setups", 0);
        try (ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().mode(Mode.ISOLATED_PROCESSES)
                .workers(1).register(Inc.class).closeTimeout(Duration.ofSeconds(10)).build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            ActorRef<Object> counter = system.spawn(Behaviors.<Object>receive((c, m) -> {
                if (m instanceof Inc inc) {
                    inc.replyTo().tell(1L);
                }
                return Behaviors.same();
            }), "counter");
            assertEquals(1L, inc(system, counter)); // the worker is up
            IllegalStateException rolledBack = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalStateException.class, () -> io.stmactors.stm.Stm.atomic(() -> {
                        system.spawn(Behaviors.<String>setup(ctx -> {
                            setups.increment();
                            return Behaviors.receive((c, m) -> Behaviors.same());
                        }), "ghost");
                        Process first = iso.workerProcess(0);
                        first.destroyForcibly();
                        await(() -> iso.workerRestarts() == 1 && iso.workerProcess(0) != first,
                                Duration.ofSeconds(20), "the restart");
                        await(() -> iso.workerHandle(0).ready(), Duration.ofSeconds(20),
                                "the restarted worker to be ready (its actors re-created)");
                        Thread.sleep(500); // time for a ghost's setup to run, were one created
                        throw new IllegalStateException("the spawning transaction rolls back");
                    }));
            assertEquals("the spawning transaction rolls back", rolledBack.getMessage());
            assertEquals(1L, inc(system, counter), "the restarted worker answers");
            Thread.sleep(500); // time for a ghost's setup to commit, were one created
            assertEquals(0, setups.get(), "the actor of the rolled-back spawn was created at the restart");
        }
    }

    /**
     * Asks {@code counter} to count one, again while its worker is still restarting (asks then fail at once, and
     * nothing was counted). An ask that timed out is not asked again: its request may still be counted.
     */
    private static long inc(ActorSystem system, ActorRef<Object> counter) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (;;) {
            try {
                return system.<Object, Long>ask(counter, Inc::new, Duration.ofSeconds(30)).get(40, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof IllegalStateException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
