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

import static io.stmactors.stm.StmTestSupport.Workers;
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
     * A long transaction reads 64 references one by one while another thread keeps committing
     * them: it loses every validation, so it must be escalated after {@link
     * TxnDescriptor#ESCALATE_AFTER} conflicts and then commit.
     */
    @Test
    void aTransactionThatKeepsLosingStillCommits() throws Exception {
        TLong[] refs = new TLong[64];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = TLong.of(0);
        }
        TLong total = TLong.of(0);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger worstRuns = new AtomicInteger();
        AtomicInteger escalated = new AtomicInteger();
        long inevitableBefore = Stm.diagnostics().inevitableRuns();
        Workers workers = new Workers();
        workers.start("hammer", 1, w -> {
            int i = 0;
            while (!stop.get()) {
                refs[i++ & 63].increment();
            }
        });
        workers.start("loser", 1, w -> {
            try {
                for (int round = 0; round < 20; round++) {
                    AtomicInteger runs = new AtomicInteger();
                    AtomicBoolean wasInevitable = new AtomicBoolean();
                    Stm.atomic(() -> {
                        runs.incrementAndGet();
                        wasInevitable.set(Stm.isInevitable());
                        long sum = 0;
                        for (TLong r : refs) {
                            sum += r.get();
                            jitter(200, 16);
                        }
                        total.set(sum);
                    });
                    worstRuns.accumulateAndGet(runs.get(), Math::max);
                    if (wasInevitable.get()) {
                        escalated.incrementAndGet();
                    }
                }
            } finally {
                stop.set(true);
            }
        });
        workers.joinAll(30_000);
        assertTrue(worstRuns.get() <= TxnDescriptor.ESCALATE_AFTER + 1,
                "a losing transaction ran " + worstRuns.get() + " times without being escalated");
        assertTrue(escalated.get() > 0, "the losing transaction was never escalated to inevitable");
        assertTrue(Stm.diagnostics().inevitableRuns() - inevitableBefore >= escalated.get());
        System.out.printf("loser: worst %d runs, %d of 20 escalated%n", worstRuns.get(), escalated.get());
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
