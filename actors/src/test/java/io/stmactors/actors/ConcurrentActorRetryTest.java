package io.stmactors.actors;

import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.stmactors.actors.ActorSemanticsTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Regressions of {@code Stm.retry()} in concurrent actors ({@code Behaviors.concurrent}).
 *
 * <p><b>A setup that waits.</b> The start of a concurrent actor runs in {@code startConcurrent},
 * not from the mailbox. When it retried, the wake-up ({@code Invocation.wake}) re-queued the START
 * marker into the mailbox like a retried message, and {@code enqueue} asked {@code spawnDrainer}
 * for a drainer, which refuses while {@code needsStart} is set. So nothing ran the start again: the
 * wake-up was lost, and every message sent to the actor stayed in its mailbox for good. Now the
 * wake-up runs the start again.
 *
 * <p><b>A handler that fails after it waited</b> (an after-rollback hook registered by the handler
 * threw while the retry rolled back). Supervision resumes, so the message is dropped; but
 * {@code Stm.tryAtomic} used to leave the wake-up waiter registered, and when the reference the
 * handler read changed, the wake-up re-queued the dropped message, which was handled again.
 */
class ConcurrentActorRetryTest {

    private static ActorSystem twoWorkers() {
        return ActorSystem.create(ActorSystemConfig.builder().workers(2)
                .closeTimeout(Duration.ofSeconds(5)).build());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aConcurrentActorWhoseSetupRetriedStartsWhenWhatItReadChanges() throws Exception {
        TLong gate = TLong.of(0);
        TLong handled = TLong.of(0);
        AtomicInteger setupRuns = new AtomicInteger();
        try (ActorSystem system = twoWorkers()) {
            ActorRef<String> actor = system.spawn(Behaviors.concurrent(Behaviors.<String>setup(ctx -> {
                setupRuns.incrementAndGet();
                if (gate.get() == 0) {
                    Stm.retry(); // wait for its configuration, say
                }
                return Behaviors.receive((c, m) -> {
                    handled.increment();
                    return Behaviors.same();
                });
            })), "concurrent-setup-waits");
            await(() -> setupRuns.get() >= 1, Duration.ofSeconds(10), "the setup to run");
            Thread.sleep(200); // let its retry register and the worker move on
            gate.set(1); // what the setup waits for
            actor.tell("hello");
            await(() -> handled.get() == 1, Duration.ofSeconds(5),
                    "the concurrent actor to start after its setup's retry was woken, and handle its message"
                            + " (setup runs: " + setupRuns.get() + ")");
        }
    }

    /**
     * A concurrent actor, resumed on IllegalStateException, whose handler waits in retry() while {@code gate} is 0
     * with an after-rollback hook that runs {@code inHook} and then throws (the handler fails after it waited); once
     * the gate is open a handling commits and counts in {@code committedHandlings}.
     */
    private static ActorRef<String> spawnFailingAfterRetry(ActorSystem system, TLong gate, TLong committedHandlings,
                                                           Runnable inHook, String name) {
        return system.spawn(Behaviors.supervise(Behaviors.concurrent(Behaviors.<String>receive((ctx, m) -> {
            if (gate.get() == 0) {
                Stm.afterRollback(() -> {
                    inHook.run();
                    throw new IllegalStateException("rollback hook failed");
                });
                Stm.retry();
            }
            committedHandlings.increment();
            return Behaviors.same();
        }))).onFailure(IllegalStateException.class, SupervisorStrategy.resume()), name);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aMessageWhoseRetryFailedIsNotHandledAgainWhenItsReadSetChanges() throws Exception {
        TLong gate = TLong.of(0);
        TLong committedHandlings = TLong.of(0);
        AtomicInteger failedRetries = new AtomicInteger();
        try (ActorSystem system = twoWorkers()) {
            ActorRef<String> actor = spawnFailingAfterRetry(system, gate, committedHandlings,
                    failedRetries::incrementAndGet, "concurrent-fails-after-retry");
            actor.tell("once");
            await(() -> system.diagnostics().failures() >= 1, Duration.ofSeconds(10),
                    "the handler to fail (failed retries: " + failedRetries.get() + ")");
            gate.set(1); // changes what the failed handler read
            Thread.sleep(500);
            assertEquals(0, committedHandlings.get(),
                    "the message whose handler failed (and was dropped by resume) was handled again after a wake-up");
        }
    }

    /**
     * The same failure, with the wake-up coming while the failing rollback hook still runs (the STM registers the
     * wake-up before it runs the rollback hooks): the message is not run again either. (The wake-up re-queued it
     * before the failure was known, and it was handled and committed besides being dropped by resume.)
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWakeUpThatComesWhileTheFailingRollbackHookRunsDoesNotRunTheMessageAgain() throws Exception {
        TLong gate = TLong.of(0);
        TLong committedHandlings = TLong.of(0);
        java.util.concurrent.CountDownLatch inHook = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(1);
        try (ActorSystem system = twoWorkers()) {
            ActorRef<String> actor = spawnFailingAfterRetry(system, gate, committedHandlings, () -> {
                inHook.countDown();
                try {
                    written.await(10, TimeUnit.SECONDS); // the wake-up fires meanwhile
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "concurrent-woken-early");
            actor.tell("once");
            assertEquals(true, inHook.await(10, TimeUnit.SECONDS), "the handler waited and its hook runs");
            gate.set(1); // changes what the handler read: fires the wake-up its retry registered
            written.countDown();
            await(() -> system.diagnostics().failures() >= 1, Duration.ofSeconds(10), "the handler to fail");
            Thread.sleep(500);
            assertEquals(0, committedHandlings.get(),
                    "the message whose handler failed (and was dropped by resume) was run again by an early wake-up");
        }
    }

    /**
     * No handler of a concurrent actor commits after the one that stopped it: a message taken by another worker
     * once the stopping handler committed (here while that handler's after-commit hook still runs, before the
     * actor's stop is done) is a dead letter, as it would be after the stop under one lock. (It was handled, and
     * saw the stopping handler's writes.)
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aConcurrentActorHandlesNothingAfterTheHandlerThatStoppedItCommitted() throws Exception {
        TLong open = TLong.of(1);
        java.util.concurrent.CountDownLatch stopCommitted = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger pingsHandled = new AtomicInteger();
        AtomicInteger pingsThatSawItClosed = new AtomicInteger();
        try (ActorSystem system = twoWorkers()) {
            ActorRef<String> actor = system.spawn(Behaviors.concurrent(Behaviors.<String>receive((ctx, m) -> {
                if (m.equals("close")) {
                    open.set(0);
                    Stm.afterCommit(() -> {
                        stopCommitted.countDown();
                        try {
                            release.await(10, TimeUnit.SECONDS); // the stop is not done until this returns
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                    return Behaviors.stopped();
                }
                boolean closed = open.get() == 0;
                Stm.afterCommit(() -> {
                    pingsHandled.incrementAndGet();
                    if (closed) {
                        pingsThatSawItClosed.incrementAndGet();
                    }
                });
                return Behaviors.same();
            })), "concurrent-stops");
            long deadBefore = system.diagnostics().deadLetters();
            actor.tell("close");
            assertEquals(true, stopCommitted.await(10, TimeUnit.SECONDS), "the stopping handler committed");
            actor.tell("ping"); // taken by the other worker while the first still runs the hook
            await(() -> pingsHandled.get() > 0 || system.diagnostics().deadLetters() > deadBefore,
                    Duration.ofSeconds(10), "the ping to be handled or refused");
            release.countDown();
            await(() -> system.diagnostics().liveActors() == 0, Duration.ofSeconds(10), "the actor to stop");
            assertEquals(0, pingsHandled.get(), "a handler committed after the stop (" + pingsThatSawItClosed.get()
                    + " of them saw the stopping handler's writes)");
            assertEquals(deadBefore + 1, system.diagnostics().deadLetters(), "the ping is a dead letter");
        }
    }

    /**
     * A supervision restart that races the handler which stopped a concurrent actor (a handler that began before
     * the stop fails after it committed) does not bring the actor back: its setup does not run again and later
     * messages are dead letters. (The restart wrote a fresh behavior over the stop, and messages were handled
     * with it until the stop took effect.)
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRestartRacingTheHandlerThatStoppedAConcurrentActorDoesNotBringItBack() throws Exception {
        AtomicInteger setupRuns = new AtomicInteger();
        AtomicInteger pingsHandled = new AtomicInteger();
        java.util.concurrent.CountDownLatch failerStarted = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch stopCommitted = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (ActorSystem system = twoWorkers()) {
            ActorRef<String> actor = system.spawn(Behaviors.supervise(Behaviors.concurrent(Behaviors.<String>setup(
                    ctx -> {
                        Stm.afterCommit(setupRuns::incrementAndGet);
                        return Behaviors.<String>receive((c, m) -> {
                            switch (m) {
                                case "fail-late" -> {
                                    failerStarted.countDown();
                                    stopCommitted.await(10, TimeUnit.SECONDS); // began before the stop
                                    throw new IllegalStateException("fails after the stop committed");
                                }
                                case "stop" -> {
                                    Stm.afterCommit(() -> {
                                        stopCommitted.countDown();
                                        try {
                                            release.await(10, TimeUnit.SECONDS); // the stop is not done yet
                                        } catch (InterruptedException e) {
                                            Thread.currentThread().interrupt();
                                        }
                                    });
                                    return Behaviors.stopped();
                                }
                                default -> {
                                    Stm.afterCommit(pingsHandled::incrementAndGet);
                                    return Behaviors.same();
                                }
                            }
                        });
                    }))).onFailure(IllegalStateException.class, SupervisorStrategy.restart()), "concurrent-restart-vs-stop");
            await(() -> setupRuns.get() == 1, Duration.ofSeconds(10), "the actor to start");
            actor.tell("fail-late");
            assertEquals(true, failerStarted.await(10, TimeUnit.SECONDS));
            actor.tell("stop"); // on the other worker
            assertEquals(true, stopCommitted.await(10, TimeUnit.SECONDS));
            await(() -> system.diagnostics().failures() >= 1, Duration.ofSeconds(10), "the late handler to fail");
            Thread.sleep(300); // the restart it asked for would have run by now
            long deadBefore = system.diagnostics().deadLetters();
            actor.tell("ping");
            await(() -> pingsHandled.get() > 0 || system.diagnostics().deadLetters() > deadBefore,
                    Duration.ofSeconds(10), "the ping to be handled or refused");
            assertEquals(1, setupRuns.get(), "the restart ran the setup again after the stop");
            assertEquals(0, pingsHandled.get(), "a message was handled after the stop");
            release.countDown();
            await(() -> system.diagnostics().liveActors() == 0, Duration.ofSeconds(10), "the actor to stop");
        }
    }

    /**
     * Messages a concurrent actor's handlers set aside waiting in retry are dead letters when its parent stops it, as
     * the messages still in its mailbox are; a wake-up after the stop does not count them again. (They were dropped
     * without a trace: nothing re-queues them once the actor is gone, and no dead letter was counted. A handler that
     * returns {@code stopped()} writes the behavior every handler read, which woke them; a stop from outside did not.)
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void messagesWaitingInRetryAreDeadLettersWhenAConcurrentActorIsStopped() throws Exception {
        TLong gate = TLong.of(0);
        TLong handled = TLong.of(0);
        try (ActorSystem system = twoWorkers()) {
            ActorRef<String> parent = system.spawn(Behaviors.<String>setup(ctx -> {
                ActorRef<String> child = ctx.spawn(Behaviors.concurrent(Behaviors.<String>receive((c, m) -> {
                    if (gate.get() == 0) {
                        Stm.retry(); // waits for the gate, which the test opens only after the stop
                    }
                    handled.increment();
                    return Behaviors.same();
                })), "waiting-child");
                return Behaviors.receive((c, m) -> {
                    if (m.equals("stop")) {
                        c.stop(child);
                    } else {
                        child.tell(m);
                    }
                    return Behaviors.same();
                });
            }), "parent-of-concurrent");
            long deadBefore = system.diagnostics().deadLetters();
            for (int i = 0; i < 3; i++) {
                parent.tell("wait-" + i);
            }
            await(() -> system.diagnostics().retryWaits() >= 3, Duration.ofSeconds(10),
                    "the three handlers to wait in retry");
            parent.tell("stop");
            await(() -> system.diagnostics().liveActors() == 1, Duration.ofSeconds(10), "the child to stop");
            await(() -> system.diagnostics().deadLetters() >= deadBefore + 3, Duration.ofSeconds(10),
                    "the three waiting messages to become dead letters (dead letters: "
                            + (system.diagnostics().deadLetters() - deadBefore) + ")");
            gate.set(1); // fires their wake-ups: the messages are gone, nothing is handled or counted again
            Thread.sleep(500);
            assertEquals(0, handled.get(), "a message was handled after the actor stopped");
            assertEquals(deadBefore + 3, system.diagnostics().deadLetters(),
                    "each waiting message is one dead letter, whether the stop or a later wake-up found it");
        }
    }
}
