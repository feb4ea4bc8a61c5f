package io.stmactors.stm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An Error (here thrown on purpose where a StackOverflowError or OutOfMemoryError could strike)
 * in the middle of a decided commit's write-back, after some references are written and unlocked
 * and before the others are: the transaction is committed whole, no reference stays locked, the
 * caller gets the Error, after-commit hooks run and rollback hooks do not (README, "Errors inside
 * the engine"). Before the fix, the caller's failure path treated it as a rollback: the references
 * after the failing one stayed locked for good, with the ones before it already showing the new
 * values (a half-made commit), and the rollback hooks ran for a committed transaction.
 */
class CommitCutShortTest {
    /** Thrown by the fault hook; an Error, as the engine's own failures would be. */
    static final class Injected extends Error {
        Injected(int n) {
            super("injected failure " + n, null, false, false);
        }
    }

    @AfterEach
    void noFault() {
        TxnDescriptor.faultBeforeCollectingWaiters = null;
    }

    /** A fault hook that throws {@code times} times on this thread, then lets the write-back go on; counts the throws. */
    private static AtomicInteger failOnThisThread(int times) {
        AtomicInteger thrown = new AtomicInteger();
        script(n -> n <= times && thrown.incrementAndGet() > 0);
        return thrown;
    }

    private static boolean locked(TVar v) {
        return ((long) TVar.LOCK.getVolatile(v) & TVar.LOCKED) != 0;
    }

    /**
     * Three counters written in one transaction; a retry waits on the middle one, so that the
     * write-back meets waiters there, between the first (already published) and the last.
     */
    private final TLong first = TLong.named("first", 0);
    private final TLong middle = TLong.named("middle", 0);
    private final TLong last = TLong.named("last", 0);

    private Thread waiterOnMiddle(AtomicLong saw) throws InterruptedException {
        return StmTestSupport.parkUntilNonZero("waits-on-middle", middle, saw);
    }

    private void writeAll(List<String> events) {
        Stm.atomic(() -> {
            first.set(1);
            middle.set(1);
            last.set(1);
            Stm.afterCommit(() -> events.add("after commit"));
            Stm.afterRollback(() -> events.add("after rollback"));
        });
    }

    private static void assertWoken(Thread waiter) throws InterruptedException {
        waiter.join(5_000);
        assertFalse(waiter.isAlive(), "the retry waiting on the middle counter was not woken");
    }

    /** The retry on the middle counter woke, and all three counters are committed and unlocked. */
    private void assertCommittedWholeAndUnlocked(Thread waiter) throws InterruptedException {
        assertWoken(waiter);
        for (TLong r : new TLong[] {first, middle, last}) {
            assertFalse(locked(r), r + " left locked");
            assertEquals(1, r.get(), r + " not written");
        }
        // Another thread writes all three: nothing of the cut-short commit is in its way.
        Thread other = StmTestSupport.startDaemon("other-writer", () -> Stm.atomic(() -> {
            first.increment();
            middle.increment();
            last.increment();
        }));
        try {
            other.join(10_000);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertFalse(other.isAlive(), "another thread waits for a lock the cut-short commit left");
        assertEquals(2, Stm.atomic(() -> first.get() + middle.get() + last.get()) / 3);
    }

    @Test
    void anErrorInTheWriteBackFinishesTheCommitRunsItsHooksAndReachesTheCaller() throws Exception {
        AtomicLong saw = new AtomicLong();
        Thread waiter = waiterOnMiddle(saw);
        AtomicInteger thrown = failOnThisThread(1);
        List<String> events = new ArrayList<>();

        Injected e = assertThrows(Injected.class, () -> writeAll(events));

        assertEquals(1, thrown.get());
        assertEquals("injected failure 1", e.getMessage());
        assertEquals(List.of("after commit"), events, "the transaction committed: its after-commit hooks, not its rollback hooks");
        assertCommittedWholeAndUnlocked(waiter);
        assertEquals(1, saw.get(), "the woken retry saw the committed value");
    }

    @Test
    void whenFinishingFailsTooAFrameFurtherUpFinishesIt() throws Exception {
        AtomicLong saw = new AtomicLong();
        Thread waiter = waiterOnMiddle(saw);
        AtomicInteger thrown = failOnThisThread(2); // the write-back, then the first try to finish it
        List<String> events = new ArrayList<>();

        Injected e = assertThrows(Injected.class, () -> writeAll(events));

        assertEquals(2, thrown.get());
        assertEquals("injected failure 2", e.getMessage());
        assertFalse(events.contains("after rollback"), "rollback hooks ran for a committed transaction: " + events);
        assertCommittedWholeAndUnlocked(waiter);
    }

    /**
     * A retry waiter on the middle counter, then a commit of {@link #writeAll} cut short three times (write-back,
     * afterFailure, runTop), so that even runTop could not finish it; returns the waiter.
     */
    private Thread commitCutShortForGood(List<String> events) throws Exception {
        Thread waiter = waiterOnMiddle(new AtomicLong());
        AtomicInteger thrown = failOnThisThread(3); // write-back, afterFailure, runTop
        assertThrows(Injected.class, () -> writeAll(events));
        assertEquals(3, thrown.get());
        return waiter;
    }

    @Test
    void whenEvenThatFailsThisThreadsNextTransactionFinishesIt() throws Exception {
        List<String> events = new ArrayList<>();
        Thread waiter = commitCutShortForGood(events);

        // Until this thread's next transaction, the rest of the commit stays locked: never half seen.
        assertTrue(locked(last), "the last counter should still be locked, waiting to be published");
        AtomicLong seenByReader = new AtomicLong(-1);
        Thread reader = StmTestSupport.startDaemon("reader", () ->
                seenByReader.set(Stm.atomic(() -> first.get() + middle.get() + last.get())));
        reader.join(200);
        assertTrue(reader.isAlive() || seenByReader.get() == 3,
                "a reader saw a half-made commit: " + seenByReader.get());

        assertEquals(1, Stm.atomic(() -> first.get())); // the next transaction of this thread finishes it
        reader.join(10_000);
        assertFalse(reader.isAlive());
        assertEquals(3, seenByReader.get(), "a reader saw a half-made commit");
        assertFalse(events.contains("after rollback"), "rollback hooks ran for a committed transaction: " + events);
        assertCommittedWholeAndUnlocked(waiter);
    }

    /**
     * The same, when this thread's next step is a single operation outside a transaction on a reference the
     * cut-short commit still locks: it finishes the commit too. (It waited on its own lock for good: only a
     * transaction settled the commit.)
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 20, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void whenEvenThatFailsThisThreadsNextSingleOperationFinishesItToo() throws Exception {
        List<String> events = new ArrayList<>();
        Thread waiter = commitCutShortForGood(events);
        assertTrue(locked(last), "the last counter should still be locked, waiting to be published");

        // On this thread (the whole test runs on one, which the timeout fails if it hangs)
        assertEquals(1L, last.get(), "a single read of a counter this thread's cut-short commit locks finishes it");
        assertFalse(events.contains("after rollback"), "rollback hooks ran for a committed transaction: " + events);
        assertCommittedWholeAndUnlocked(waiter);
    }

    @Test
    void anErrorInAnInevitableCommitsWriteBackFinishesItAndLetsGoOfTheToken() throws Exception {
        AtomicLong saw = new AtomicLong();
        Thread waiter = waiterOnMiddle(saw);
        TLong readOnly = TLong.named("read-only", 7);
        failOnThisThread(1);
        List<String> events = new ArrayList<>();

        assertThrows(Injected.class, () -> Stm.atomic(() -> {
            Stm.inevitable();
            readOnly.get(); // locked by the inevitable transaction for reading: released unchanged
            first.set(1);
            middle.set(1);
            last.set(1);
            Stm.afterCommit(() -> events.add("after commit"));
            Stm.afterRollback(() -> events.add("after rollback"));
        }));

        assertEquals(List.of("after commit"), events);
        assertFalse(TxnDescriptor.INEVITABLE.isLocked(), "the inevitability token is still held");
        assertFalse(locked(readOnly), "the reference read by the inevitable transaction is still locked");
        assertEquals(7, readOnly.get());
        assertCommittedWholeAndUnlocked(waiter);
    }

    /** Fault hook: on this thread, the n-th call (1-based) throws when {@code throwAt} says so. */
    private static AtomicInteger script(IntPredicate throwAt) {
        Thread me = Thread.currentThread();
        AtomicInteger calls = new AtomicInteger();
        TxnDescriptor.faultBeforeCollectingWaiters = () -> {
            if (Thread.currentThread() == me) {
                int n = calls.incrementAndGet();
                if (throwAt.test(n)) {
                    throw new Injected(n);
                }
            }
        };
        return calls;
    }

    /**
     * A wake-up cut short after it marked its waiter fired and before it unparked the thread waiting
     * in {@code retry()} (an Error in the committing thread between the two; simulated by marking
     * the waiter with {@code cancel()}, which sets the same flag without unparking): the waiting thread
     * still sees the change, within one timed park ({@link TxnDescriptor#RETRY_PARK_NANOS}), where an
     * untimed park waited for good.
     */
    @Test
    void aWakeUpMarkedFiredButNeverDeliveredStillEndsTheRetry() throws Exception {
        assertRetrySeesAChangeWhoseWakeUpWasLost(x -> {
            io.stmactors.stm.internal.WaiterList list = takeWaiters(x);
            java.lang.reflect.Field waiterField = io.stmactors.stm.internal.WaiterList.class.getDeclaredField("waiter");
            java.lang.reflect.Field nextField = io.stmactors.stm.internal.WaiterList.class.getDeclaredField("next");
            waiterField.setAccessible(true);
            nextField.setAccessible(true);
            int marked = 0;
            for (Object n = list; n != null; n = nextField.get(n)) {
                if (((io.stmactors.stm.internal.Waiter) waiterField.get(n)).cancel()) {
                    marked++;
                }
            }
            assertEquals(1, marked);
        }, 5);
    }

    /** How a test loses the wake-up of the transaction waiting on {@code x}. */
    private interface WakeUpLoss {
        void lose(TLong x) throws Exception;
    }

    /**
     * Starts a transaction that waits in {@code retry()} until {@code x} is not 0, loses its wake-up
     * with {@code loss}, commits {@code value} to {@code x} (no waiter left to fire) and checks that
     * the waiting thread still saw it.
     */
    private static void assertRetrySeesAChangeWhoseWakeUpWasLost(WakeUpLoss loss, long value) throws Exception {
        TLong x = TLong.of(0);
        java.util.concurrent.atomic.AtomicLong saw = new java.util.concurrent.atomic.AtomicLong(-1);
        Thread waiter = StmTestSupport.parkUntilNonZero("retrying", x, saw);
        loss.lose(x);
        x.set(value); // a commit with no waiter left on x to fire
        waiter.join(10_000);
        assertFalse(waiter.isAlive(), "the retrying thread was never woken");
        assertEquals(value, saw.get());
    }

    /** Takes the waiters off {@code x}, as a commit's write-back does, and returns them. */
    private static io.stmactors.stm.internal.WaiterList takeWaiters(TLong x) {
        io.stmactors.stm.internal.WaiterList list =
                (io.stmactors.stm.internal.WaiterList) TVar.WAITERS.getAndSet(x, (io.stmactors.stm.internal.WaiterList) null);
        assertNotNull(list, "the retrying transaction's waiter is on x");
        return list;
    }

    /**
     * A wake-up lost whole: the waiters taken off a reference by a commit that an Error then cut
     * short before it fired any (simulated by taking the list off and dropping it). The thread
     * waiting in {@code retry()} finds the change itself when its timed park ends.
     */
    @Test
    void aWakeUpTakenOffAndNeverFiredStillEndsTheRetry() throws Exception {
        assertRetrySeesAChangeWhoseWakeUpWasLost(CommitCutShortTest::takeWaiters, 7);
    }

    /**
     * The second look of a thread in {@code retry()} takes a reference that another transaction holds
     * locked over the very word it read as unchanged: the retrying body does not run again (to abort
     * on the lock) every time its park ends, only once the holder commits.
     */
    @Test
    void aReferenceLockedOverTheWordReadIsNotAChange() throws Exception {
        TLong x = TLong.of(0);
        AtomicInteger runs = new AtomicInteger();
        java.util.concurrent.atomic.AtomicLong saw = new java.util.concurrent.atomic.AtomicLong(-1);
        Thread waiter = StmTestSupport.startDaemon("retrying", () -> saw.set(Stm.atomic(() -> {
            runs.incrementAndGet();
            long v = x.get();
            if (v == 0) {
                Stm.retry();
            }
            return v;
        })));
        StmTestSupport.awaitParked(waiter, 5_000);
        Stm.atomic(() -> {
            Stm.inevitable();
            long v = x.get(); // locked by this inevitable transaction over the word the waiter read
            Thread.sleep(350); // three of the waiter's timed parks end meanwhile
            x.set(v + 1);
        });
        waiter.join(10_000);
        assertFalse(waiter.isAlive());
        assertEquals(1, saw.get());
        assertEquals(2, runs.get(), "runs of the retrying body: the first, and the one the commit woke");
    }

    /**
     * Finishing fails in afterFailure and runTop's handler finishes the commit (rollback): the retry
     * wake-up callbacks it fires run outside any transaction, so a transaction of theirs commits and
     * an afterCommitIfActive action is not dropped (found in review: they ran inside the dead one).
     */
    @Test
    void wakeUpCallbackFiredFromRunTopsRollbackRunsOutsideAnyTransaction() {
        TLong x = TLong.named("x", 0);
        TLong flag = TLong.named("flag", 0);
        AtomicReference<Boolean> inTxnInCallback = new AtomicReference<>();
        AtomicBoolean delivered = new AtomicBoolean();
        // A deferred retry on x (registered on this thread, tryAtomic returns false).
        boolean committed = Stm.tryAtomic("wait-on-x", () -> {
            if (x.get() == 0) {
                Stm.retry();
            }
        }, () -> {
            inTxnInCallback.set(Stm.inTransaction());
            Stm.atomic(() -> flag.set(1));                       // a transaction of its own
            Runnable deliver = () -> delivered.set(true);          // what ActorCell.tell does
            if (!Stm.afterCommitIfActive(deliver)) {
                deliver.run();
            }
        });
        assertFalse(committed);

        script(n -> n <= 2); // the write-back, then afterDecidedFailure's finish; runTop's catch finishes
        assertThrows(Injected.class, () -> Stm.atomic(() -> x.set(1)));

        assertFalse(locked(x));
        assertEquals(1, x.get());
        assertEquals(Boolean.FALSE, inTxnInCallback.get(), "the wake-up callback ran inside the dead transaction");
        assertEquals(1, flag.get(), "the callback's own transaction was lost");
        assertTrue(delivered.get(), "an afterCommitIfActive action of the callback was dropped");
    }

    /**
     * begin() finishes a cut-short commit and fires its wake-ups; a callback runs a transaction on
     * this descriptor whose commit is cut short too. That one must be finished as well, not dropped
     * (found in review: its reference stayed locked for good, and the stale decided word was later
     * applied to another transaction, committing the writes of a body that threw).
     */
    @Test
    void aCommitCutShortInsideAWakeUpFromClearHooksIsNotLost() throws Exception {
        TLong x = TLong.named("x", 0);
        TLong y = TLong.named("y", 0);
        TLong z = TLong.named("z", 0);
        // Waiter 1 on x: its callback writes y.
        assertFalse(Stm.tryAtomic("wait-on-x", () -> {
            if (x.get() == 0) {
                Stm.retry();
            }
        }, () -> Stm.atomic(() -> y.set(1))));
        // Waiter 2 on y: a parked thread, so that the callback's commit meets waiters.
        java.util.concurrent.atomic.AtomicLong saw = new java.util.concurrent.atomic.AtomicLong();
        Thread waiterOnY = StmTestSupport.parkUntilNonZero("waits-on-y", y, saw);

        // calls 1..3: outer commit to x cut short for good; 4: clearHooks finishes it (collects waiter 1);
        // 5..7: the callback's commit to y cut short for good.
        script(n -> n != 4 && n <= 7);
        assertThrows(Injected.class, () -> Stm.atomic(() -> x.set(1)));
        assertTrue(locked(x));

        // Next transaction of this thread: writes z and throws.
        RuntimeException boom = new RuntimeException("boom");
        java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> Stm.atomic(() -> {
            z.set(5);
            Stm.afterCommit(() -> events.add("after commit"));
            Stm.afterRollback(() -> events.add("after rollback"));
            throw boom;
        }));
        String report = "x locked=" + locked(x) + " y locked=" + locked(y) + " z=" + z.get() + " thrown=" + thrown
                + " hooks=" + events;
        // and one more ordinary transaction, to give begin() its chance to finish the callback's commit
        Stm.atomic(() -> x.get());
        report += " | after another txn: y locked=" + locked(y);
        assertEquals(0, z.get(), "a failed transaction's write was committed: " + report);
        assertSame(boom, thrown, report);
        assertEquals(List.of("after rollback"), events, report);
        assertFalse(locked(y), "the callback's commit left y locked: " + report);
        waiterOnY.join(2_000);
        assertFalse(waiterOnY.isAlive(), report);
    }
}
