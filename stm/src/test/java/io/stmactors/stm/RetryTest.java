package io.stmactors.stm;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.stmactors.stm.StmTestSupport.Deadline;
import static io.stmactors.stm.StmTestSupport.Workers;
import static io.stmactors.stm.StmTestSupport.awaitParked;
import static io.stmactors.stm.StmTestSupport.cpuNanos;
import static io.stmactors.stm.StmTestSupport.startDaemon;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Semantics 3: retry() parks without spinning, wakes on a change of its read set, never loses a wake-up. */
class RetryTest {

    /** Starts a thread that waits (via retry) until {@code ref} is non-zero and stores what it saw. */
    private static Thread waitUntilNonZero(TLong ref, AtomicLong result, AtomicInteger bodyRuns) {
        return startDaemon("retry-waiter", () -> result.set(Stm.atomic(() -> {
            bodyRuns.incrementAndGet();
            long v = ref.get();
            if (v == 0) {
                Stm.retry();
            }
            return v;
        })));
    }

    @Test
    void retryParksWithoutSpinningAndWakesOnANonTransactionalWrite() throws Exception {
        TLong x = TLong.of(0);
        AtomicLong result = new AtomicLong(-1);
        AtomicInteger runs = new AtomicInteger();
        Thread waiter = waitUntilNonZero(x, result, runs);
        awaitParked(waiter, 5_000);
        long cpu0 = cpuNanos(waiter);
        int runs0 = runs.get();
        Thread.sleep(300);
        long cpu1 = cpuNanos(waiter);
        Thread.State state = waiter.getState();
        assertTrue(state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING, "state " + state);
        if (cpu0 >= 0 && cpu1 >= 0) {
            assertTrue(cpu1 - cpu0 < 30_000_000L, "a thread in retry() burned " + (cpu1 - cpu0) / 1_000_000 + " ms of CPU in 300 ms");
        }
        assertEquals(runs0, runs.get(), "the body re-ran although nothing it read changed");
        assertTrue(runs0 <= 2, "body ran " + runs0 + " times before parking");
        x.set(7);
        waiter.join(5_000);
        assertFalse(waiter.isAlive(), "retry() was not woken by a commit of a reference it read");
        assertEquals(7, result.get());
    }

    @Test
    void retryWakesOnATransactionalCommitOfAnyReferenceItRead() throws Exception {
        TLong a = TLong.of(0);
        TLong b = TLong.of(0);
        TLong unrelated = TLong.of(0);
        AtomicLong result = new AtomicLong(-1);
        Thread waiter = startDaemon("retry-two-refs", () -> result.set(Stm.atomic(() -> {
            long sum = a.get() + b.get();
            if (sum == 0) {
                Stm.retry();
            }
            return sum;
        })));
        awaitParked(waiter, 5_000);
        Stm.atomic(() -> unrelated.increment()); // not read: must not matter
        Thread.sleep(50);
        assertTrue(waiter.isAlive());
        Stm.atomic(() -> {
            b.set(3); // the second reference read
            unrelated.increment();
        });
        waiter.join(5_000);
        assertFalse(waiter.isAlive(), "lost wake-up: commit of the second read reference did not wake the waiter");
        assertEquals(3, result.get());
    }

    @Test
    void retryWakesOnAnInevitableCommit() throws Exception {
        TLong x = TLong.of(0);
        AtomicLong result = new AtomicLong(-1);
        Thread waiter = waitUntilNonZero(x, result, new AtomicInteger());
        awaitParked(waiter, 5_000);
        Stm.atomic(() -> {
            Stm.inevitable();
            x.set(9);
        });
        waiter.join(5_000);
        assertFalse(waiter.isAlive(), "inevitable commit did not wake the waiter");
        assertEquals(9, result.get());
    }

    @Test
    void oneCommitWakesEveryWaiter() throws Exception {
        TLong gate = TLong.of(0);
        List<Thread> waiters = new ArrayList<>();
        List<AtomicLong> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            AtomicLong r = new AtomicLong(-1);
            results.add(r);
            waiters.add(waitUntilNonZero(gate, r, new AtomicInteger()));
        }
        for (Thread t : waiters) {
            awaitParked(t, 5_000);
        }
        gate.set(1);
        for (Thread t : waiters) {
            t.join(5_000);
            assertFalse(t.isAlive(), "a waiter was not woken");
        }
        for (AtomicLong r : results) {
            assertEquals(1, r.get());
        }
    }

    @Test
    void retryWithAWideReadSetWakesOnTheLastReference() throws Exception {
        List<TLong> refs = new ArrayList<>();
        for (int i = 0; i < 100; i++) { // beyond the write-set/read-set small sizes
            refs.add(TLong.of(0));
        }
        AtomicLong result = new AtomicLong(-1);
        Thread waiter = startDaemon("wide-waiter", () -> result.set(Stm.atomic(() -> {
            long sum = 0;
            for (TLong r : refs) {
                sum += r.get();
            }
            if (sum == 0) {
                Stm.retry();
            }
            return sum;
        })));
        awaitParked(waiter, 5_000);
        refs.get(99).set(5);
        waiter.join(5_000);
        assertFalse(waiter.isAlive());
        assertEquals(5, result.get());
    }

    @Test
    void retryCountsAsARetryWait() throws Exception {
        long before = Stm.diagnostics().retryWaits();
        TLong x = TLong.of(0);
        Thread waiter = waitUntilNonZero(x, new AtomicLong(), new AtomicInteger());
        awaitParked(waiter, 5_000);
        x.set(1);
        waiter.join(5_000);
        assertFalse(waiter.isAlive());
        assertTrue(Stm.diagnostics().retryWaits() - before >= 1);
    }

    @Test
    void retryOutsideATransactionIsAnIllegalStateWithAClearMessage() {
        IllegalStateException e = assertThrows(IllegalStateException.class, Stm::retry);
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains("outside a transaction"), e.getMessage());
    }

    @Test
    void retryWithNothingReadIsAnIllegalStateAndRollsBack() {
        TLong x = TLong.of(1);
        AtomicInteger rollbackHooks = new AtomicInteger();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Stm.atomic(() -> {
            x.set(2);
            x.get(); // served by the write set: not a read of the heap
            Stm.afterRollback(rollbackHooks::incrementAndGet);
            Stm.retry();
        }));
        assertTrue(e.getMessage().contains("read nothing"), e.getMessage());
        assertEquals(1, x.get(), "the write of the failed transaction leaked");
        assertEquals(1, rollbackHooks.get());
        assertFalse(Stm.inTransaction());
        // the descriptor is still usable
        Stm.atomic(() -> x.increment());
        assertEquals(2, x.get());
    }

    @Test
    void interruptWhileWaitingInRetryRaisesStmInterruptedException() throws Exception {
        TLong x = TLong.of(0);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> flagAfter = new AtomicReference<>();
        Thread waiter = startDaemon("interrupted-waiter", () -> {
            try {
                Stm.atomic(() -> {
                    if (x.get() == 0) {
                        Stm.retry();
                    }
                });
            } catch (Throwable t) {
                failure.set(t);
                flagAfter.set(Thread.currentThread().isInterrupted());
            }
        });
        awaitParked(waiter, 5_000);
        waiter.interrupt();
        waiter.join(5_000);
        assertFalse(waiter.isAlive(), "interrupt did not end the wait");
        assertInstanceOf(StmInterruptedException.class, failure.get());
        assertEquals(Boolean.TRUE, flagAfter.get(), "the interrupt flag must stay set");
        x.set(1); // the cancelled waiter must not disturb a later commit
        assertEquals(1, x.get());
    }

    /**
     * Lost wake-ups: two threads hand a turn back and forth, each waiting in retry() for its turn.
     * Every hand-off needs a wake-up; one lost wake-up hangs both threads and fails the join.
     */
    @Test
    @Tag("stress")
    void pingPongHandOffNeverLosesAWakeUp() throws Exception {
        TLong turn = TLong.of(0);
        int rounds = 20_000;
        Deadline deadline = new Deadline(2_500);
        AtomicLong done = new AtomicLong();
        int players = 3;
        Workers workers = new Workers().start("ping", players, me -> {
            for (int i = 0; i < rounds; i++) {
                boolean stop = Stm.atomic(() -> {
                    long t = turn.get();
                    if (t < 0) {
                        return true; // someone ran out of time: everyone stops
                    }
                    if (t % players != me) {
                        Stm.retry();
                    }
                    turn.set(deadline.expired() ? -1 : t + 1);
                    return false;
                });
                if (stop) {
                    return;
                }
                done.incrementAndGet();
            }
            Stm.atomic(() -> turn.set(-1)); // release the others
        });
        workers.joinAll(20_000);
        assertTrue(done.get() > 1_000, "only " + done.get() + " hand-offs");
        System.out.println("ping-pong hand-offs: " + done.get());
    }

    /** Producer/consumer through a one-slot buffer; the consumer sees every item, in order. */
    @Test
    @Tag("stress")
    void oneSlotProducerConsumerSeesEveryItemInOrder() throws Exception {
        TRef<Integer> slot = TRef.of(null);
        int items = 20_000;
        Deadline deadline = new Deadline(2_500);
        ConcurrentLinkedQueue<Integer> received = new ConcurrentLinkedQueue<>();
        AtomicInteger produced = new AtomicInteger();
        Workers workers = new Workers();
        workers.start("producer", 1, p -> {
            for (int i = 0; i < items; i++) {
                int item = deadline.expired() ? -1 : i;
                Stm.atomic(() -> {
                    if (slot.get() != null) {
                        Stm.retry();
                    }
                    slot.set(item);
                });
                if (item < 0) {
                    return;
                }
                produced.incrementAndGet();
            }
            Stm.atomic(() -> {
                if (slot.get() != null) {
                    Stm.retry();
                }
                slot.set(-1);
            });
        });
        workers.start("consumer", 1, c -> {
            for (;;) {
                int v = Stm.atomic(() -> {
                    Integer item = slot.get();
                    if (item == null) {
                        Stm.retry();
                    }
                    slot.set(null);
                    return item;
                });
                if (v < 0) {
                    return;
                }
                received.add(v);
            }
        });
        workers.joinAll(20_000);
        assertEquals(produced.get(), received.size());
        int expected = 0;
        for (int v : received) {
            assertEquals(expected++, v, "item lost, duplicated or reordered");
        }
        assertTrue(produced.get() > 1_000);
    }

    @Test
    void aBodyThatWrapsTheRetrySignalStillWaitsInsteadOfSpinning() throws Exception {
        // The body catches Throwable around retry() and throws it wrapped: the attempt is doomed all
        // the same, and it must wait as retry() asked, not be re-run as a conflict again and again.
        TLong ref = TLong.of(0);
        AtomicInteger bodyRuns = new AtomicInteger();
        long abortsBefore = Stm.diagnostics().aborts();
        Thread setter = startDaemon("setter", () -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            ref.set(1);
        });
        long seen = Stm.atomic(() -> {
            bodyRuns.incrementAndGet();
            try {
                if (ref.get() == 0) {
                    Stm.retry();
                }
            } catch (Throwable t) {
                throw new IllegalStateException("wrapped by the body", t);
            }
            return ref.get();
        });
        setter.join(10_000);
        assertEquals(1, seen);
        assertTrue(bodyRuns.get() <= 3, "the body ran " + bodyRuns.get() + " times: it spun instead of waiting");
        assertTrue(Stm.diagnostics().aborts() - abortsBefore <= 2, "a hidden retry is not a conflict");
    }
}
