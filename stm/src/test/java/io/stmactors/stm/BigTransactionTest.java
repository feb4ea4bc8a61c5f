package io.stmactors.stm;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.stmactors.stm.StmTestSupport.Deadline;
import static io.stmactors.stm.StmTestSupport.Workers;
import static io.stmactors.stm.StmTestSupport.runWorkers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Big transactions: read and write sets of 10,000 references, far beyond the linear-search limit
 * of the write set (8), so lookups go through its hash index; nested rollback with the index.
 */
class BigTransactionTest {
    private static final int N = 10_000;

    private static TLong[] counters(int n, long initial) {
        TLong[] refs = new TLong[n];
        for (int i = 0; i < n; i++) {
            refs[i] = TLong.of(initial);
        }
        return refs;
    }

    @Test
    void tenThousandReadsAndWritesCommitAndReadTheirOwnWrites() {
        TLong[] refs = counters(N, 1);
        @SuppressWarnings("unchecked")
        TRef<Integer>[] boxes = new TRef[N];
        for (int i = 0; i < N; i++) {
            boxes[i] = TRef.of(i);
        }
        long sum = Stm.atomic(() -> {
            long s = 0;
            for (TLong r : refs) {
                s += r.get();
            }
            for (int i = 0; i < N; i++) {
                refs[i].set(i);
                boxes[i].set(boxes[i].get() * 2);
            }
            for (int i = N - 1; i >= 0; i--) { // every write found again, in another order
                if (refs[i].get() != i) {
                    throw new AssertionError("read-your-writes failed at " + i + ": " + refs[i].get());
                }
                refs[i].increment();
                boxes[i].set(boxes[i].get() + 1);
            }
            return s;
        });
        assertEquals(N, sum);
        for (int i = 0; i < N; i++) {
            assertEquals(i + 1, refs[i].get());
            assertEquals(2 * i + 1, boxes[i].get());
        }
    }

    @Test
    void nestedRollbackWithTheIndexRestoresThousandsOfWrites() {
        TLong[] refs = counters(N, -1);
        Stm.atomic(() -> {
            for (int i = 0; i < N / 2; i++) {
                refs[i].set(i); // outer writes the first half
            }
            for (int round = 0; round < 3; round++) {
                try {
                    Stm.atomic(() -> {
                        for (int i = 0; i < N; i++) { // overwrite the first half, add the second
                            refs[i].set(1_000_000 + i);
                        }
                        throw new IllegalStateException("inner");
                    });
                } catch (IllegalStateException expected) {
                    // go on
                }
                for (int i = 0; i < N; i++) {
                    long want = i < N / 2 ? i : -1;
                    if (refs[i].get() != want) {
                        throw new AssertionError("round " + round + ": ref " + i + " = " + refs[i].get() + ", want " + want);
                    }
                }
            }
            // shrink below the linear limit and grow again
            try {
                Stm.atomic(() -> {
                    refs[N - 1].set(5);
                    throw new IllegalStateException("small inner");
                });
            } catch (IllegalStateException expected) {
                // go on
            }
            refs[N - 1].set(7);
        });
        for (int i = 0; i < N; i++) {
            long want = i < N / 2 ? i : (i == N - 1 ? 7 : -1);
            assertEquals(want, refs[i].get(), "ref " + i);
        }
    }

    @Test
    void smallOuterWriteSetNestedGrowthPastTheIndexThenRollbackToLinear() {
        TLong[] refs = counters(40, 0);
        Stm.atomic(() -> {
            for (int i = 0; i < 5; i++) {
                refs[i].set(100 + i);
            }
            String r = Stm.orElse(() -> {
                for (TLong ref : refs) {
                    ref.set(-5);
                }
                Stm.retry();
                return "first";
            }, () -> "second");
            assertEquals("second", r);
            for (int i = 0; i < 40; i++) {
                assertEquals(i < 5 ? 100 + i : 0, refs[i].get(), "after rollback to the linear write set, ref " + i);
            }
            for (int i = 0; i < 40; i++) {
                refs[i].add(1);
            }
        });
        for (int i = 0; i < 40; i++) {
            assertEquals(i < 5 ? 101 + i : 1, refs[i].get());
        }
    }

    /** Two threads increment all of 2,000 shared references per transaction. */
    @Test
    @Tag("stress")
    void bigOverlappingWritersDoNotLoseUpdates() throws Exception {
        int size = 2_000;
        TLong[] refs = counters(size, 0);
        int perThread = 40;
        runWorkers("big-writer", 2, 60_000, w -> {
            for (int t = 0; t < perThread; t++) {
                Stm.atomic(() -> {
                    int start = w == 0 ? 0 : size - 1;
                    int step = w == 0 ? 1 : -1; // opposite orders
                    for (int k = 0, i = start; k < size; k++, i += step) {
                        refs[i].increment();
                        if ((k & 255) == 0) {
                            Thread.yield();
                        }
                    }
                });
            }
        });
        for (TLong r : refs) {
            assertEquals(2L * perThread, r.get());
        }
    }

    /**
     * A 5,000-read read-only auditor against writers that move one unit between two random
     * references: the auditor's total is always zero, even though its snapshot is extended often.
     */
    @Test
    @Tag("stress")
    void bigReadOnlyAuditorSeesAConsistentTotal() throws Exception {
        int size = 5_000;
        TLong[] refs = counters(size, 0);
        AtomicInteger wrong = new AtomicInteger();
        AtomicLong audits = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Deadline deadline = new Deadline(1_500);
        Workers workers = new Workers();
        workers.start("mover", 1, w -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            while (!stop.get() && !deadline.expired()) {
                int from = rnd.nextInt(size);
                int to = rnd.nextInt(size);
                Stm.atomic(() -> {
                    refs[from].add(-1);
                    refs[to].add(1);
                });
            }
        });
        workers.start("auditor", 1, a -> {
            try {
                for (int n = 0; n < 200 && !deadline.expired(); n++) {
                    long total = Stm.atomic(() -> {
                        long s = 0;
                        for (int i = 0; i < size; i++) {
                            s += refs[i].get();
                            if ((i & 511) == 0) {
                                Thread.yield();
                            }
                        }
                        return s;
                    });
                    if (total != 0) {
                        wrong.incrementAndGet();
                    }
                    audits.incrementAndGet();
                }
            } finally {
                stop.set(true);
            }
        });
        workers.joinAll(30_000);
        assertEquals(0, wrong.get(), "a big read-only transaction saw a wrong total");
        assertTrue(audits.get() > 0);
        long total = 0;
        for (TLong r : refs) {
            total += r.get();
        }
        assertEquals(0, total);
    }
}
