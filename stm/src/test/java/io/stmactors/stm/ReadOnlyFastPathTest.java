package io.stmactors.stm;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A transaction that keeps committing read-only runs without a read log; when such a run turns
 * out to need the log (it writes, retries, becomes inevitable), it starts again with one, with
 * the same outcome as if it had been logged from the start and without counting as an abort.
 */
class ReadOnlyFastPathTest {

    /** Runs {@code body} read-only enough times for its next run to start without a read log. */
    private static void learn(TxnRunnable body) {
        for (int i = 0; i <= TxnDescriptor.RO_STREAK + 1; i++) {
            Stm.atomic(body);
        }
    }

    @Test
    void aLearnedReadOnlyTransactionThatWritesStartsAgainWithItsLogAndCommits() {
        TLong source = TLong.of(5);
        TLong copy = TLong.of(0);
        boolean[] write = {false};
        AtomicInteger rolledBack = new AtomicInteger();
        AtomicInteger committed = new AtomicInteger();
        TxnRunnable body = () -> {
            Stm.afterRollback(rolledBack::incrementAndGet);
            Stm.afterCommit(committed::incrementAndGet);
            long v = source.get();
            if (write[0]) {
                copy.set(v);
            }
        };
        learn(body);
        int commitsBefore = committed.get();
        long abortsBefore = Stm.diagnostics().aborts();

        write[0] = true;
        Stm.atomic(body);

        assertEquals(5, copy.get(), "the write committed");
        assertEquals(commitsBefore + 1, committed.get(), "one commit, its commit hooks once");
        assertEquals(1, rolledBack.get(), "the run without a log rolled back once (its rollback hooks ran)");
        assertEquals(abortsBefore, Stm.diagnostics().aborts(), "a restart for the log is not a conflict");

        // The label lost its streak: the next run is logged from the start (no second rollback).
        Stm.atomic(body);
        assertEquals(1, rolledBack.get());
    }

    @Test
    void aLearnedReadOnlyTransactionStillSeesItsOwnSnapshotAndTheNewestCommits() {
        TLong a = TLong.of(1);
        TLong b = TLong.of(-1);
        TxnCallable<Long> sum = () -> a.get() + b.get();
        for (int i = 0; i < 10; i++) {
            assertEquals(0L, Stm.atomic(sum));
        }
        Stm.atomic(() -> {
            a.set(7);
            b.set(-7);
        });
        assertEquals(0L, Stm.atomic(sum));
        a.set(8); // a single write outside a transaction
        assertEquals(1L, Stm.atomic(sum), "a read without a log still sees the latest commit");
    }

    @Test
    void retryInALearnedReadOnlyTransactionStillParksAndWakes() throws Exception {
        TLong ready = TLong.of(1);
        TxnCallable<Long> awaitReady = () -> {
            long v = ready.get();
            if (v == 0) {
                Stm.retry();
            }
            return v;
        };
        for (int i = 0; i <= TxnDescriptor.RO_STREAK + 1; i++) {
            Stm.atomic(awaitReady);
        }
        ready.set(0);
        AtomicReference<Long> seen = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            try {
                // Teach this thread too, then block on a value of 0.
                ready.set(1);
                for (int i = 0; i <= TxnDescriptor.RO_STREAK + 1; i++) {
                    Stm.atomic(awaitReady);
                }
                ready.set(0);
                seen.set(Stm.atomic(awaitReady));
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                done.countDown();
            }
        });
        waiter.start();
        assertFalse(done.await(300, TimeUnit.MILLISECONDS), "the transaction waits while ready is 0");
        ready.set(42);
        assertTrue(done.await(10, TimeUnit.SECONDS), "the write woke it");
        assertNull(failure.get());
        assertEquals(42L, seen.get());
    }

    @Test
    void inevitableInALearnedReadOnlyTransactionStartsAgainInevitable() {
        TLong counter = TLong.of(0);
        boolean[] io = {false};
        AtomicInteger inevitableBodies = new AtomicInteger();
        TxnRunnable body = () -> {
            long v = counter.get();
            if (io[0]) {
                Stm.inevitable();
                inevitableBodies.incrementAndGet();
                counter.set(v + 1);
            }
        };
        learn(body);
        io[0] = true;
        Stm.atomic(body);
        assertEquals(1, counter.get());
        assertEquals(1, inevitableBodies.get(), "the inevitable part ran once, after the restart");
    }

    @Test
    void anExceptionFromARunWithoutALogReachesTheCallerUnchanged() {
        TLong x = TLong.of(3);
        boolean[] fail = {false};
        IllegalStateException boom = new IllegalStateException("boom");
        TxnRunnable body = () -> {
            if (x.get() == 3 && fail[0]) {
                throw boom;
            }
        };
        learn(body);
        fail[0] = true;
        try {
            Stm.atomic(body);
        } catch (IllegalStateException e) {
            assertTrue(e == boom, "the same exception object");
            return;
        }
        throw new AssertionError("no exception");
    }

    @Test
    void aBodyThatWrapsTheRestartSignalStillGetsItsLogAndCommits() {
        // A body that catches Throwable around a write and rethrows it wrapped turns the restart of
        // a run without a log into a failure of a doomed attempt. That attempt must still be re-run
        // with a log: re-running it without one again looped forever.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            TLong source = TLong.of(7);
            TLong copy = TLong.of(0);
            boolean[] write = {false};
            TxnRunnable body = () -> {
                long v = source.get();
                if (write[0]) {
                    try {
                        copy.set(v);
                    } catch (Throwable t) {
                        throw new IllegalStateException("wrapped by the body", t);
                    }
                }
            };
            learn(body);
            write[0] = true;
            Stm.atomic(body);
            assertEquals(7, copy.get(), "the write committed");
        });
    }
}
