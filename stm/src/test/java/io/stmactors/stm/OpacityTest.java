package io.stmactors.stm;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.stmactors.stm.StmTestSupport.Deadline;
import static io.stmactors.stm.StmTestSupport.Workers;
import static io.stmactors.stm.StmTestSupport.jitter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Semantics 1: serializability with opacity. Readers check an invariant after every single read,
 * inside the transaction (so a zombie attempt that is about to abort would be caught too); a
 * violation is counted, never thrown (a throw would roll back and hide it as an exception).
 */
@Tag("stress")
class OpacityTest {
    private static final long BUDGET_MS = 1_500;

    /** How a writer moves a counter by one. */
    enum WriteStyle { INCREMENT, SET_GET_PLUS_ONE, INEVITABLE_MIX }

    private static void bump(TLong t, WriteStyle style) {
        if (style == WriteStyle.INCREMENT) {
            t.increment();
        } else {
            t.set(t.get() + 1);
        }
    }

    private void invariantNeverBreaksInsideReaders(WriteStyle style) throws Exception {
        TLong a = TLong.of(0);
        TLong b = TLong.of(0);
        AtomicInteger violations = new AtomicInteger();
        AtomicLong readerTxns = new AtomicLong();
        AtomicLong writerTxns = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Deadline deadline = new Deadline(BUDGET_MS);
        Workers workers = new Workers();
        workers.start("writer", 2, w -> {
            for (int n = 0; n < 2_000_000 && !deadline.expired(); n++) {
                boolean inevitable = style == WriteStyle.INEVITABLE_MIX && (n & 63) == 0;
                boolean aFirst = (n & 1) == w;
                Stm.atomic(() -> {
                    if (inevitable) {
                        Stm.inevitable();
                    }
                    bump(aFirst ? a : b, style);
                    jitter(20, 8);
                    bump(aFirst ? b : a, style);
                });
                writerTxns.incrementAndGet();
            }
            stop.set(true);
        });
        workers.start("reader", 2, r -> {
            while (!stop.get() && !deadline.expired()) {
                Stm.atomic(() -> {
                    // check after every single read, alternating the order
                    long x = r == 0 ? a.get() : b.get();
                    for (int k = 0; k < 6; k++) {
                        jitter(10, 8);
                        long y = ((k + r) & 1) == 0 ? b.get() : a.get();
                        if (x != y) {
                            violations.incrementAndGet();
                        }
                        x = y;
                    }
                });
                readerTxns.incrementAndGet();
            }
        });
        workers.joinAll(30_000);
        assertEquals(0, violations.get(), "a reader saw a != b inside a transaction (opacity broken)");
        assertEquals(a.get(), b.get());
        assertEquals(writerTxns.get(), a.get(), "lost update");
        assertTrue(readerTxns.get() > 0 && writerTxns.get() > 0);
        System.out.printf("opacity %s: %d writer txns, %d reader txns%n", style, writerTxns.get(), readerTxns.get());
    }

    @Test
    void invariantHoldsInsideReadersWithIncrementWriters() throws Exception {
        invariantNeverBreaksInsideReaders(WriteStyle.INCREMENT);
    }

    @Test
    void invariantHoldsInsideReadersWithSetGetWriters() throws Exception {
        invariantNeverBreaksInsideReaders(WriteStyle.SET_GET_PLUS_ONE);
    }

    @Test
    void invariantHoldsInsideReadersWithSomeInevitableWriters() throws Exception {
        invariantNeverBreaksInsideReaders(WriteStyle.INEVITABLE_MIX);
    }

    /**
     * Eight counters kept equal by writers that bump a random permutation of them; readers that
     * read them in random order and writers that also read before writing. A wider read set
     * exercises snapshot extension (validation of many earlier reads).
     */
    @Test
    void wideInvariantHoldsInsideReadersAndWriters() throws Exception {
        int n = 8;
        TLong[] refs = new TLong[n];
        for (int i = 0; i < n; i++) {
            refs[i] = TLong.of(0);
        }
        TRef<Long> boxed = TRef.of(0L); // a TRef kept equal as well
        AtomicInteger violations = new AtomicInteger();
        Deadline deadline = new Deadline(BUDGET_MS);
        AtomicLong commits = new AtomicLong();
        Workers workers = new Workers();
        workers.start("rw", 3, w -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            for (int it = 0; it < 1_000_000 && !deadline.expired(); it++) {
                int start = rnd.nextInt(n);
                boolean write = w != 2 || (it & 1) == 0;
                Stm.atomic(() -> {
                    long first = boxed.get();
                    for (int k = 0; k < n; k++) {
                        long v = refs[(start + k) % n].get();
                        if (v != first) {
                            violations.incrementAndGet();
                        }
                        jitter(3, 16);
                    }
                    if (write) {
                        boxed.set(first + 1);
                        for (int k = 0; k < n; k++) {
                            refs[(start + 3 * k) % n].set(first + 1);
                        }
                    }
                });
                if (write) {
                    commits.incrementAndGet();
                }
            }
        });
        workers.joinAll(30_000);
        assertEquals(0, violations.get(), "inconsistent snapshot observed inside a transaction");
        for (TLong r : refs) {
            assertEquals(commits.get(), r.get(), "lost update");
        }
        assertEquals(commits.get(), boxed.get());
    }

    /**
     * Write skew: two transactions each check {@code x + y >= 1} and then decrement a different
     * reference. Under snapshot isolation both could commit and drive the sum to -1; under
     * serializability the second must see the first's write.
     */
    @Test
    void noWriteSkew() throws Exception {
        TLong x = TLong.of(1);
        TLong y = TLong.of(0);
        AtomicInteger violations = new AtomicInteger();
        AtomicInteger rounds = new AtomicInteger();
        AtomicInteger bothDecremented = new AtomicInteger();
        AtomicInteger[] decremented = {new AtomicInteger(), new AtomicInteger()};
        Deadline deadline = new Deadline(2_000);
        AtomicBoolean stop = new AtomicBoolean();
        CyclicBarrier barrier = new CyclicBarrier(2, () -> {
            // runs between rounds, in one of the two workers, while the other waits
            long sum = x.get() + y.get();
            if (sum < 0) {
                violations.incrementAndGet();
            }
            if (decremented[0].get() + decremented[1].get() > 1) {
                bothDecremented.incrementAndGet();
            }
            decremented[0].set(0);
            decremented[1].set(0);
            int round = rounds.incrementAndGet();
            x.set(round & 1);
            y.set(1 - (round & 1));
            if (round >= 30_000 || deadline.expired()) {
                stop.set(true);
            }
        });
        Workers workers = new Workers();
        workers.start("skew", 2, w -> {
            TLong mine = w == 0 ? x : y;
            barrier.await(10, TimeUnit.SECONDS);
            while (!stop.get()) {
                boolean did = Stm.atomic(() -> {
                    if (x.get() + y.get() >= 1) {
                        jitter(50, 2);
                        mine.set(mine.get() - 1);
                        return true;
                    }
                    return false;
                });
                if (did) {
                    decremented[w].incrementAndGet();
                }
                barrier.await(10, TimeUnit.SECONDS);
            }
        });
        workers.joinAll(60_000);
        assertEquals(0, violations.get(), "write skew: x + y < 0");
        assertEquals(0, bothDecremented.get(), "both transactions committed a decrement");
        assertTrue(rounds.get() > 100, "too few rounds ran: " + rounds.get());
        System.out.println("write skew rounds: " + rounds.get());
    }
}
