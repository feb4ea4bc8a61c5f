package io.stmactors.stm;

import io.stmactors.stm.internal.ControlSignal;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.stmactors.stm.StmTestSupport.Deadline;
import static io.stmactors.stm.StmTestSupport.Workers;
import static io.stmactors.stm.StmTestSupport.awaitParked;
import static io.stmactors.stm.StmTestSupport.onOtherThread;
import static io.stmactors.stm.StmTestSupport.runWorkers;
import static io.stmactors.stm.StmTestSupport.startDaemon;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Semantics 5: {@code Stm.inevitable()} restarts a transaction at most once, then cannot abort; its
 * side effects run once; two inevitable transactions never overlap; it leaves nothing locked.
 */
class InevitableTest {

    /** Runs {@code action} on another thread and fails if it does not finish in time (a stuck lock). */
    private static void mustFinishOnAnotherThread(String what, Runnable action) throws InterruptedException {
        runWorkers(what, 1, 5_000, i -> action.run());
    }

    @Test
    void inevitableOutsideATransactionIsAnIllegalState() {
        IllegalStateException e = assertThrows(IllegalStateException.class, Stm::inevitable);
        assertTrue(e.getMessage().contains("outside a transaction"), e.getMessage());
        assertFalse(Stm.isInevitable());
    }

    @Test
    void inevitableWithoutConflictRunsOnce() {
        TLong x = TLong.of(1);
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger io = new AtomicInteger();
        long before = Stm.diagnostics().inevitableRuns();
        Stm.atomic(() -> {
            runs.incrementAndGet();
            long v = x.get();
            Stm.inevitable();
            assertTrue(Stm.isInevitable());
            io.incrementAndGet(); // "I/O"
            x.set(v + 1);
        });
        assertEquals(1, runs.get());
        assertEquals(1, io.get());
        assertEquals(2, x.get());
        assertTrue(Stm.diagnostics().inevitableRuns() - before >= 1);
    }

    /**
     * The transaction read {@code x}, then another thread committed {@code x}: becoming inevitable
     * must restart it (once), and the second run is inevitable from its start.
     */
    @Test
    void conflictingWorkBeforeInevitableRestartsExactlyOnce() {
        TLong x = TLong.of(0);
        TLong out = TLong.of(0);
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger io = new AtomicInteger();
        AtomicBoolean secondRunStartedInevitable = new AtomicBoolean();
        Stm.atomic(() -> {
            int run = runs.incrementAndGet();
            if (run == 2) {
                secondRunStartedInevitable.set(Stm.isInevitable());
            }
            long v = x.get();
            if (run == 1) {
                onOtherThread(() -> x.set(41));
            }
            Stm.inevitable();
            io.incrementAndGet();
            out.set(v + 1);
        });
        assertEquals(2, runs.get(), "body runs");
        assertTrue(secondRunStartedInevitable.get(), "the restart was not inevitable from the start");
        assertEquals(1, io.get(), "the work after inevitable() ran in a run that did not commit");
        assertEquals(42, out.get());
    }

    @Test
    void inevitableTransactionThatThrowsReleasesItsLocksAndTheToken() throws Exception {
        TLong read = TLong.of(1);
        TLong written = TLong.of(2);
        RuntimeException failure = new RuntimeException("io failed");
        RuntimeException caught = assertThrows(RuntimeException.class, () -> Stm.atomic(() -> {
            Stm.inevitable();
            read.get();
            written.set(99);
            throw failure;
        }));
        assertEquals(failure, caught);
        assertFalse(Stm.isInevitable());
        mustFinishOnAnotherThread("after-throw", () -> {
            assertEquals(1, read.get());
            assertEquals(2, written.get());
            written.set(3);
            read.set(4);
            Stm.atomic(() -> {
                Stm.inevitable(); // the token is free
                written.increment();
            });
        });
        assertEquals(4, written.get());
    }

    @Test
    void inevitableReadOnlyAndNestedRollbackLeaveNothingLocked() throws Exception {
        TLong readOnly = TLong.of(1);
        TLong rolledBack = TLong.of(2);
        TLong kept = TLong.of(3);
        Stm.atomic(() -> {
            Stm.inevitable();
            readOnly.get();
        });
        Stm.atomic(() -> {
            Stm.inevitable();
            kept.increment();
            try {
                Stm.atomic(() -> {
                    rolledBack.set(100); // locked by the inevitable transaction, then dropped
                    throw new IllegalStateException("inner");
                });
            } catch (IllegalStateException expected) {
                // go on
            }
        });
        mustFinishOnAnotherThread("after-inevitable", () -> {
            readOnly.increment();
            rolledBack.increment();
            kept.increment();
        });
        assertEquals(2, readOnly.get());
        assertEquals(3, rolledBack.get());
        assertEquals(5, kept.get());
    }

    @Test
    void inevitableTransactionCanRetryAndOthersCanWriteWhileItWaits() throws Exception {
        TLong gate = TLong.of(0);
        AtomicLong seen = new AtomicLong(-1);
        Thread waiter = startDaemon("inevitable-retry", () -> seen.set(Stm.atomic(() -> {
            Stm.inevitable();
            long v = gate.get();
            if (v == 0) {
                Stm.retry();
            }
            return v;
        })));
        awaitParked(waiter, 5_000);
        mustFinishOnAnotherThread("gate-opener", () -> Stm.atomic(() -> gate.set(8)));
        waiter.join(5_000);
        assertFalse(waiter.isAlive(), "inevitable transaction waiting in retry was not woken");
        assertEquals(8, seen.get());
    }

    /**
     * {@link StmInterruptedException}'s contract: a thread waiting for the inevitability token is
     * interruptible (an inevitable transaction may hold it for a long time, e.g. doing I/O).
     * <p>Fails against the engine as first written; reproduce with
     * {@code mvn -B -q -pl stm verify -Dtest=InevitableTest#waitingForTheInevitabilityTokenIsInterruptible}.
     */
    @Test
    void waitingForTheInevitabilityTokenIsInterruptible() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TLong a = TLong.of(0);
        TLong b = TLong.of(0);
        Thread holder = startDaemon("token-holder", () -> Stm.atomic(() -> {
            Stm.inevitable();
            a.increment();
            holding.countDown();
            release.await(); // long "I/O" while holding the token
        }));
        AtomicReference<Throwable> waiterOutcome = new AtomicReference<>();
        Thread waiter = null;
        try {
            assertTrue(holding.await(5, TimeUnit.SECONDS));
            waiter = startDaemon("token-waiter", () -> {
                try {
                    Stm.atomic(() -> {
                        b.increment();
                        Stm.inevitable();
                    });
                    waiterOutcome.set(new AssertionError("committed"));
                } catch (Throwable t) {
                    waiterOutcome.set(t);
                }
            });
            awaitParked(waiter, 5_000);
            waiter.interrupt();
            waiter.join(2_000);
            assertFalse(waiter.isAlive(), "a thread waiting for the inevitability token ignored its interrupt");
            assertTrue(waiterOutcome.get() instanceof StmInterruptedException, "outcome: " + waiterOutcome.get());
            assertEquals(0, b.get());
        } finally {
            release.countDown();
            holder.join(5_000);
            if (waiter != null) {
                waiter.join(5_000);
            }
        }
        assertEquals(1, a.get());
    }

    /**
     * A slow inevitable transaction ("I/O" while holding its references) against ordinary
     * transactions on the same counter: nobody is lost, the inevitable one runs its I/O once.
     */
    @Test
    void slowInevitableAgainstOrdinaryWriters() throws Exception {
        TLong counter = TLong.of(0);
        AtomicInteger io = new AtomicInteger();
        AtomicInteger inevitableRuns = new AtomicInteger();
        Workers workers = new Workers();
        workers.start("ordinary", 1, w -> {
            for (int i = 0; i < 2_000; i++) {
                Stm.atomic(() -> counter.increment());
            }
        });
        workers.start("slow-inevitable", 1, w -> {
            for (int i = 0; i < 20; i++) {
                Stm.atomic(() -> {
                    inevitableRuns.incrementAndGet();
                    long v = counter.get();
                    Stm.inevitable();
                    io.incrementAndGet();
                    Thread.sleep(2);
                    counter.set(counter.get() + 1);
                    assertTrue(counter.get() >= v + 1);
                });
            }
        });
        workers.joinAll(30_000);
        assertEquals(2_020, counter.get());
        assertEquals(20, io.get(), "I/O after inevitable() ran for a run that did not commit");
        assertTrue(inevitableRuns.get() >= 20);
    }

    /**
     * Under contention: transactions that call inevitable(), transactions that escalate, ordinary
     * ones. The section after inevitable() never aborts, never overlaps another inevitable
     * section, runs once per commit, and a body reaching inevitable() runs at most twice.
     */
    @Test
    @Tag("stress")
    void inevitableSectionsNeverOverlapNeverAbortAndRunOncePerCommit() throws Exception {
        TLong hot = TLong.named("inevitable-hot", 0);
        TLong other = TLong.of(0);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger abortedAfterInevitable = new AtomicInteger();
        AtomicLong sectionRuns = new AtomicLong();
        AtomicLong inevitableCommits = new AtomicLong();
        AtomicLong ordinaryCommits = new AtomicLong();
        AtomicInteger maxRunsOfOneTransaction = new AtomicInteger();
        AtomicLong sectionCommits = new AtomicLong();
        Deadline deadline = new Deadline(2_000);
        runWorkers("mixed", 4, 30_000, w -> {
            for (int i = 0; i < 50_000 && !deadline.expired(); i++) {
                boolean callsInevitable = w < 2 && (i % 16) == 0;
                AtomicInteger runs = new AtomicInteger();
                Stm.atomic(() -> {
                    runs.incrementAndGet();
                    long h = hot.get();
                    other.increment();
                    StmTestSupport.jitter(30, 8);
                    if (callsInevitable) {
                        Stm.inevitable();
                    }
                    boolean section = Stm.isInevitable();
                    if (section) {
                        int now = inFlight.incrementAndGet();
                        maxInFlight.accumulateAndGet(now, Math::max);
                        try {
                            sectionRuns.incrementAndGet();
                            StmTestSupport.jitter(200, 4);
                            hot.set(h + 1);
                            other.increment();
                        } catch (ControlSignal signal) {
                            abortedAfterInevitable.incrementAndGet();
                            throw signal;
                        } finally {
                            inFlight.decrementAndGet();
                        }
                    } else {
                        hot.set(h + 1);
                    }
                    Stm.afterCommit(() -> {
                        if (section) {
                            sectionCommits.incrementAndGet();
                        }
                        if (callsInevitable) {
                            inevitableCommits.incrementAndGet();
                        } else {
                            ordinaryCommits.incrementAndGet();
                        }
                    });
                });
                if (callsInevitable) {
                    maxRunsOfOneTransaction.accumulateAndGet(runs.get(), Math::max);
                }
            }
        });
        assertEquals(0, abortedAfterInevitable.get(), "an inevitable section aborted");
        assertEquals(1, maxInFlight.get(), "two inevitable sections overlapped");
        long commits = inevitableCommits.get() + ordinaryCommits.get();
        assertEquals(commits, hot.get(), "lost update on the hot counter");
        assertEquals(sectionCommits.get(), sectionRuns.get(), "an inevitable section ran for an attempt that did not commit");
        assertTrue(sectionRuns.get() >= inevitableCommits.get());
        assertTrue(inevitableCommits.get() > 0);
        System.out.printf("inevitable stress: %d commits (%d calling inevitable), %d inevitable sections, max runs %d%n",
                commits, inevitableCommits.get(), sectionRuns.get(), maxRunsOfOneTransaction.get());
    }

    /**
     * A body that reaches inevitable() runs at most twice even when other threads keep committing
     * what it read (it may have escalated earlier only if it lost conflicts before the call).
     */
    @Test
    @Tag("stress")
    void bodyReachingInevitableRunsAtMostTwiceAfterItsFirstCall() throws Exception {
        TLong hot = TLong.of(0);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger worst = new AtomicInteger();
        AtomicLong ioRuns = new AtomicLong();
        AtomicLong commits = new AtomicLong();
        Workers workers = new Workers();
        workers.start("hammer", 1, w -> {
            while (!stop.get()) {
                hot.increment();
                Thread.yield();
            }
        });
        workers.start("inevitable", 1, w -> {
            Deadline deadline = new Deadline(1_500);
            for (int i = 0; i < 5_000 && !deadline.expired(); i++) {
                AtomicInteger callsOfInevitable = new AtomicInteger();
                Stm.atomic(() -> {
                    hot.get();
                    StmTestSupport.jitter(100, 2);
                    callsOfInevitable.incrementAndGet();
                    Stm.inevitable();
                    ioRuns.incrementAndGet();
                    hot.increment();
                    Stm.afterCommit(commits::incrementAndGet);
                });
                worst.accumulateAndGet(callsOfInevitable.get(), Math::max);
            }
            stop.set(true);
        });
        workers.joinAll(30_000);
        assertTrue(worst.get() <= 2, "a body called inevitable() in " + worst.get() + " runs");
        assertEquals(commits.get(), ioRuns.get(), "work after inevitable() ran for an attempt that did not commit");
    }
}
