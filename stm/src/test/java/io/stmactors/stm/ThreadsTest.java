package io.stmactors.stm;

import io.stmactors.stm.internal.ThreadSlots;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.stmactors.stm.StmTestSupport.Workers;
import static io.stmactors.stm.StmTestSupport.runWorkers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many threads, and many short-lived threads. Each thread's descriptor holds a slot that commits
 * stamp into lock words and that lets a thread read its own writes without advancing the clock;
 * slots are recycled when threads end, so a new thread may meet words stamped with "its" slot by a
 * dead thread.
 */
class ThreadsTest {

    /** Runs {@code body} on a fresh thread and waits for it. */
    private static void onFreshThread(Runnable body, AtomicReference<Throwable> failure) throws InterruptedException {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, "short-lived");
        t.start();
        t.join(10_000);
        if (t.isAlive()) {
            throw new AssertionError("a short-lived thread did not finish");
        }
    }

    /**
     * 5,000 threads, one after another, each commit once: read the pair (must be equal), bump both.
     * A long-lived thread checks the same invariant meanwhile. Slots are released along the way
     * (diagnostics prune ended threads, then a GC), so later threads reuse slots of dead ones.
     */
    @Test
    @Tag("stress")
    void fiveThousandShortLivedThreadsKeepCorrectness() throws Exception {
        TLong a = TLong.of(0);
        TLong b = TLong.of(0);
        TRef<Integer> lastSlot = TRef.of(-1);
        AtomicInteger violations = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        BitSet slotsSeen = new BitSet();
        AtomicInteger reusedSlots = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong checks = new AtomicLong();
        Workers checker = new Workers().start("long-lived", 1, w -> {
            while (!stop.get()) {
                Stm.atomic(() -> {
                    long x = a.get();
                    Thread.yield();
                    if (b.get() != x) {
                        violations.incrementAndGet();
                    }
                });
                checks.incrementAndGet();
            }
        });
        int threads = 5_000;
        for (int i = 0; i < threads; i++) {
            int expected = i;
            AtomicInteger slot = new AtomicInteger();
            onFreshThread(() -> {
                slot.set(TxnDescriptor.current().slot);
                Stm.atomic(() -> {
                    long x = a.get();
                    long y = b.get();
                    if (x != y || x < expected) {
                        violations.incrementAndGet();
                    }
                    a.set(x + 1);
                    b.set(y + 1);
                    lastSlot.set(slot.get());
                });
            }, failure);
            synchronized (slotsSeen) {
                if (slot.get() != ThreadSlots.SHARED_SLOT && slotsSeen.get(slot.get())) {
                    reusedSlots.incrementAndGet();
                }
                slotsSeen.set(slot.get());
            }
            if (i % 500 == 499) {
                Stm.diagnostics().commits(); // lets ended threads' descriptors go
                System.gc();
            }
        }
        stop.set(true);
        checker.joinAll(10_000);
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(0, violations.get(), "a transaction saw a != b (or went back in time)");
        assertEquals(threads, a.get());
        assertEquals(threads, b.get());
        System.out.printf("short-lived threads: %d, slots reused %d times, %d checks%n",
                threads, reusedSlots.get(), checks.get());
    }

    /**
     * Slots (4,095 of them) must come back when threads end, without anyone having to call
     * {@code Stm.diagnostics()}: a server that starts a thread per request would otherwise run out
     * of slots (every later thread shares slot 0 and loses the own-write fast path) and keep every
     * dead thread's descriptor, with its read and write arrays, reachable forever.
     * <p>Fails against the engine as first written; reproduce with
     * {@code mvn -B -q -pl stm verify -Dtest=ThreadsTest#slotsAndDescriptorsOfEndedThreadsAreReleasedWithoutCallingDiagnostics}.
     */
    @Test
    @Tag("stress")
    void slotsAndDescriptorsOfEndedThreadsAreReleasedWithoutCallingDiagnostics() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        TLong counter = TLong.of(0);
        int threads = 5_000;
        for (int i = 0; i < threads; i++) {
            onFreshThread(() -> Stm.atomic(() -> counter.increment()), failure);
        }
        assertEquals(threads, counter.get());
        int inUse = ThreadSlots.inUse();
        for (int round = 0; round < 10 && inUse >= 1_000; round++) {
            System.gc();
            Thread.sleep(50);
            inUse = ThreadSlots.inUse();
        }
        if (inUse >= 1_000) {
            // leave the slots free for the tests that follow, then report
            Stm.diagnostics().commits();
            System.gc();
        }
        assertTrue(inUse < 1_000, inUse + " slots still taken after " + threads
                + " threads ended (descriptors of dead threads are still reachable)");
    }

    /** More threads than cores (32 on 2), each many transactions over a shared invariant. */
    @Test
    @Tag("stress")
    void thirtyTwoThreadsKeepASharedInvariant() throws Exception {
        TLong[] pair = {TLong.of(0), TLong.of(0)};
        TLong total = TLong.of(0);
        AtomicInteger violations = new AtomicInteger();
        int perThread = 1_000;
        runWorkers("t32", 32, 60_000, w -> {
            for (int i = 0; i < perThread; i++) {
                Stm.atomic(() -> {
                    long x = pair[0].get();
                    StmTestSupport.jitter(5, 16);
                    long y = pair[1].get();
                    if (x != -y) {
                        violations.incrementAndGet();
                    }
                    pair[w & 1].add((w & 1) == 0 ? 1 : -1);
                    pair[1 - (w & 1)].add((w & 1) == 0 ? -1 : 1);
                    total.increment();
                });
            }
        });
        assertEquals(0, violations.get());
        assertEquals(32L * perThread, total.get());
        assertEquals(0, pair[0].get() + pair[1].get());
    }
}
