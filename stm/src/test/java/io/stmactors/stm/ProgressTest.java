package io.stmactors.stm;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.stmactors.stm.StmTestSupport.onOtherThread;
import static io.stmactors.stm.StmTestSupport.runWorkers;
import static io.stmactors.stm.StmTestSupport.jitter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Semantics 4: progress. All-conflict loads finish within a time bound (no livelock), losers are
 * escalated to inevitable, and a transaction that keeps losing still commits.
 */
@Tag("stress")
class ProgressTest {

    /**
     * Every transaction reads and writes the same two references, in an order that depends on the
     * thread (so committers lock them in opposite orders), with a pause in the middle that makes
     * conflicts certain. Every thread must complete all of its transactions.
     */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 4})
    void allConflictLoadCompletesWithoutLivelock(int threads) throws Exception {
        TLong a = TLong.of(0);
        TLong b = TLong.of(0);
        int perThread = 5_000;
        AtomicLong bodyRuns = new AtomicLong();
        long inevitableBefore = Stm.diagnostics().inevitableRuns();
        long start = System.nanoTime();
        CyclicBarrier startTogether = new CyclicBarrier(threads);
        runWorkers("conflict", threads, 20_000, w -> {
            TLong first = (w & 1) == 0 ? a : b;
            TLong second = first == a ? b : a;
            startTogether.await(10, TimeUnit.SECONDS);
            for (int i = 0; i < perThread; i++) {
                Stm.atomic(() -> {
                    bodyRuns.incrementAndGet();
                    long x = first.get();
                    jitter(100, 4);
                    long y = second.get();
                    first.set(x + 1);
                    second.set(y + 1);
                });
            }
        });
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals((long) threads * perThread, a.get(), "lost update");
        assertEquals(a.get(), b.get());
        System.out.printf("all-conflict %d threads: %d commits, %d body runs, %d inevitable, %d ms%n",
                threads, a.get(), bodyRuns.get(), Stm.diagnostics().inevitableRuns() - inevitableBefore, millis);
    }

    /**
     * A transaction that loses every conflict must be escalated after {@link
     * TxnDescriptor#ESCALATE_AFTER} conflicts and then commit. Deterministic: while it is not
     * inevitable, the body itself has another thread commit a reference it already read, so each
     * such attempt loses its validation (on a busy 2-core machine, two free-running threads may
     * simply never interleave). Once inevitable it holds what it read, so the forced writer is no
     * longer needed and it commits: exactly {@code ESCALATE_AFTER + 1} runs.
     */
    @Test
    void aTransactionThatKeepsLosingStillCommits() throws Exception {
        TLong[] refs = new TLong[64];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = TLong.of(0);
        }
        TLong total = TLong.of(0);
        long inevitableBefore = Stm.diagnostics().inevitableRuns();
        for (int round = 0; round < 5; round++) {
            AtomicInteger runs = new AtomicInteger();
            AtomicBoolean committedInevitable = new AtomicBoolean();
            Stm.atomic(() -> {
                runs.incrementAndGet();
                long sum = 0;
                for (int i = 0; i < refs.length; i++) {
                    sum += refs[i].get();
                    if (i == 31 && !Stm.isInevitable()) {
                        onOtherThread(refs[0]::increment); // a conflicting commit it cannot win
                    }
                }
                committedInevitable.set(Stm.isInevitable());
                total.set(sum);
            });
            assertEquals(TxnDescriptor.ESCALATE_AFTER + 1, runs.get(),
                    "escalated to inevitable after exactly " + TxnDescriptor.ESCALATE_AFTER + " lost attempts");
            assertTrue(committedInevitable.get(), "the run that committed was the inevitable one");
        }
        long sum = 0;
        for (TLong r : refs) {
            sum += r.get();
        }
        assertEquals(sum, total.get(), "the committed sum is consistent");
        assertEquals(5, Stm.diagnostics().inevitableRuns() - inevitableBefore);
    }

    /**
     * Many threads each increment a private counter and a shared one; the shared counter forces
     * conflicts while the private ones exercise the own-slot fast path next to them.
     */
    @Test
    void manyThreadsMixedPrivateAndSharedCounters() throws Exception {
        int threads = 8;
        int perThread = 20_000;
        TLong shared = TLong.of(0);
        TLong[] mine = new TLong[threads];
        for (int i = 0; i < threads; i++) {
            mine[i] = TLong.of(0);
        }
        AtomicInteger violations = new AtomicInteger();
        runWorkers("many", threads, 30_000, w -> {
            for (int i = 0; i < perThread; i++) {
                boolean touchShared = (i & 7) == 0;
                int expected = i;
                Stm.atomic(() -> {
                    if (mine[w].get() != expected) {
                        violations.incrementAndGet();
                    }
                    mine[w].increment();
                    if (touchShared) {
                        shared.increment();
                    }
                });
            }
        });
        assertEquals(0, violations.get(), "a thread did not see its own previous commit");
        for (TLong t : mine) {
            assertEquals(perThread, t.get());
        }
        assertEquals((long) threads * perThread / 8, shared.get());
    }
}
