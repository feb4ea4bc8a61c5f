package io.stmactors.stm;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.stmactors.stm.StmTestSupport.awaitParked;
import static io.stmactors.stm.StmTestSupport.startDaemon;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code Stm.orElse}: a retrying first branch is rolled back and the second runs; both retrying blocks. */
class OrElseTest {

    @Test
    void firstBranchRetriesItsWritesAreRolledBackAndSecondRuns() {
        TLong a = TLong.of(0);
        TLong b = TLong.of(0);
        AtomicInteger firstCommitHooks = new AtomicInteger();
        AtomicInteger firstRollbackHooks = new AtomicInteger();
        String result = Stm.atomic(() -> {
            a.set(1); // outer write the first branch will overwrite
            String r = Stm.orElse(() -> {
                a.set(100);
                b.set(100);
                Stm.afterCommit(firstCommitHooks::incrementAndGet);
                Stm.afterRollback(firstRollbackHooks::incrementAndGet);
                Stm.retry();
                return "first";
            }, () -> {
                assertEquals(1, a.get(), "second branch sees the first branch's write to a");
                assertEquals(0, b.get(), "second branch sees the first branch's write to b");
                return "second";
            });
            assertEquals(1, a.get());
            assertEquals(0, b.get());
            return r;
        });
        assertEquals("second", result);
        assertEquals(1, a.get());
        assertEquals(0, b.get());
        assertEquals(0, firstCommitHooks.get(), "afterCommit of the abandoned branch ran");
        assertEquals(1, firstRollbackHooks.get());
    }

    @Test
    void firstBranchRetryWithManyWritesUsesTheIndexAndStillRollsBack() {
        List<TLong> refs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            refs.add(TLong.of(i));
        }
        long sum = Stm.atomic(() -> {
            for (int i = 0; i < 25; i++) {
                refs.get(i).set(-i); // outer writes, half of them
            }
            return Stm.orElse(() -> {
                for (TLong r : refs) {
                    r.add(1000);
                }
                Stm.retry();
                return 0L;
            }, () -> {
                long s = 0;
                for (TLong r : refs) {
                    s += r.get();
                    r.add(1);
                }
                return s;
            });
        });
        long expected = 0;
        for (int i = 0; i < 50; i++) {
            expected += i < 25 ? -i : i;
        }
        assertEquals(expected, sum);
        for (int i = 0; i < 50; i++) {
            assertEquals((i < 25 ? -i : i) + 1, refs.get(i).get());
        }
    }

    @Test
    void firstBranchSucceedsSecondNeverRuns() {
        TLong x = TLong.of(5);
        AtomicInteger secondRuns = new AtomicInteger();
        long r = Stm.orElse(() -> {
            x.increment();
            return x.get();
        }, () -> {
            secondRuns.incrementAndGet();
            return -1L;
        });
        assertEquals(6, r);
        assertEquals(6, x.get());
        assertEquals(0, secondRuns.get());
    }

    @Test
    void orElseOutsideATransactionRunsAsOne() {
        TLong x = TLong.of(0);
        String r = Stm.orElse(() -> {
            x.set(1);
            if (x.get() == 1) {
                Stm.retry();
            }
            return "first";
        }, () -> {
            x.set(2);
            return "second";
        });
        assertEquals("second", r);
        assertEquals(2, x.get());
        assertFalse(Stm.inTransaction());
    }

    @Test
    void exceptionInFirstBranchRollsBackAndPropagatesWithoutRunningSecond() {
        TLong x = TLong.of(0);
        AtomicInteger secondRuns = new AtomicInteger();
        IllegalStateException failure = new IllegalStateException("first failed");
        Long outerSaw = Stm.atomic(() -> {
            x.set(1);
            try {
                Stm.orElse(() -> {
                    x.set(50);
                    throw failure;
                }, () -> {
                    secondRuns.incrementAndGet();
                    return 0L;
                });
            } catch (IllegalStateException e) {
                assertSame(failure, e);
            }
            return x.get();
        });
        assertEquals(1L, outerSaw);
        assertEquals(1, x.get());
        assertEquals(0, secondRuns.get());
    }

    @Test
    void nestedOrElseChainsToTheFirstBranchThatDoesNotRetry() {
        TLong x = TLong.of(0);
        String r = Stm.atomic(() -> Stm.orElse(
                () -> Stm.orElse(() -> {
                    x.set(1);
                    Stm.retry();
                    return "a";
                }, () -> {
                    x.set(2);
                    if (x.get() == 2) {
                        Stm.retry();
                    }
                    return "b";
                }),
                () -> "c:" + x.get()));
        assertEquals("c:0", r);
        assertEquals(0, x.get());
    }

    /** Both branches retry: the transaction waits for a change to what either branch read. */
    private void bothRetryWakesOnChangeOf(boolean changeFirstBranchRef) throws Exception {
        TLong readByFirst = TLong.of(0);
        TLong readBySecond = TLong.of(0);
        AtomicReference<String> result = new AtomicReference<>();
        AtomicInteger runs = new AtomicInteger();
        Thread waiter = startDaemon("orElse-waiter", () -> result.set(Stm.atomic(() -> {
            runs.incrementAndGet();
            return Stm.orElse(() -> {
                if (readByFirst.get() == 0) {
                    Stm.retry();
                }
                return "first";
            }, () -> {
                if (readBySecond.get() == 0) {
                    Stm.retry();
                }
                return "second";
            });
        })));
        awaitParked(waiter, 5_000);
        int runsWhenParked = runs.get();
        Thread.sleep(50);
        assertEquals(runsWhenParked, runs.get(), "a parked orElse spun");
        (changeFirstBranchRef ? readByFirst : readBySecond).set(1);
        waiter.join(5_000);
        assertFalse(waiter.isAlive(), "orElse with both branches retrying was not woken by a change to "
                + (changeFirstBranchRef ? "the first" : "the second") + " branch's read");
        assertEquals(changeFirstBranchRef ? "first" : "second", result.get());
    }

    @Test
    void bothBranchesRetryWakesOnChangeInFirstBranchRead() throws Exception {
        bothRetryWakesOnChangeOf(true);
    }

    @Test
    void bothBranchesRetryWakesOnChangeInSecondBranchRead() throws Exception {
        bothRetryWakesOnChangeOf(false);
    }

    @Test
    void nullBranchesAreRejectedByName() {
        NullPointerException first = assertThrows(NullPointerException.class, () -> Stm.orElse(null, () -> 1));
        assertTrue(String.valueOf(first.getMessage()).contains("first"), first.getMessage());
        NullPointerException second = assertThrows(NullPointerException.class, () -> Stm.orElse(() -> 1, null));
        assertTrue(String.valueOf(second.getMessage()).contains("second"), second.getMessage());
    }
    /**
     * A rollback hook of the abandoned first branch that throws: its exception leaves orElse (and
     * the transaction) like any exception of the body. Before the fix the retry of the first branch
     * stayed pending, so the engine took the exception for a swallowed retry() and parked the
     * transaction until something it read changed: here, forever.
     */
    @Test
    void failingRollbackHookOfTheFirstBranchPropagatesInsteadOfWaiting() {
        TLong a = TLong.of(1);
        IllegalStateException hookFailure = new IllegalStateException("hook failed");
        AtomicInteger runs = new AtomicInteger();
        Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(Throwable.class,
                () -> Stm.atomic(() -> {
                    runs.incrementAndGet();
                    a.get();
                    return Stm.orElse(() -> {
                        Stm.afterRollback(() -> {
                            throw hookFailure;
                        });
                        Stm.retry();
                        return 1;
                    }, () -> 2);
                })), "the transaction waited instead of throwing the hook's exception");
        assertSame(hookFailure, thrown);
        assertEquals(1, runs.get());
    }

    /**
     * A body that swallowed the signal of a plain retry() is doomed (README, "Bodies that catch
     * Throwable"): an orElse whose first branch then retries must not clear that and let the attempt
     * commit. Before the fix the write below was committed without ever waiting.
     */
    @Test
    void orElseDoesNotUndoASwallowedRetry() throws Exception {
        TLong gate = TLong.of(0);
        TLong written = TLong.of(0);
        AtomicInteger runs = new AtomicInteger();
        Thread t = startDaemon("swallower", () -> Stm.atomic(() -> {
            runs.incrementAndGet();
            long g = gate.get();
            if (g == 0) {
                try {
                    Stm.retry();
                } catch (Throwable swallowed) {
                    // a careless body
                }
            }
            Stm.orElse(() -> {
                Stm.retry();
                return 0;
            }, () -> 0);
            written.set(g + 1);
        }));
        awaitParked(t, 5_000);
        assertEquals(0, written.get(), "an attempt that swallowed retry() committed");
        gate.set(1);
        t.join(5_000);
        assertFalse(t.isAlive());
        assertEquals(2, written.get());
        assertEquals(2, runs.get());
    }
}
