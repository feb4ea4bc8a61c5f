package io.stmactors.stm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** A fault hook that throws {@code times} times on this thread, then lets the write-back go on. */
    private static AtomicInteger failOnThisThread(int times) {
        Thread me = Thread.currentThread();
        AtomicInteger thrown = new AtomicInteger();
        TxnDescriptor.faultBeforeCollectingWaiters = () -> {
            if (Thread.currentThread() == me && thrown.get() < times) {
                throw new Injected(thrown.incrementAndGet());
            }
        };
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

    private void assertCommittedWholeAndUnlocked() {
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
        waiter.join(5_000);
        assertFalse(waiter.isAlive(), "the retry waiting on the middle counter was not woken");
        assertEquals(1, saw.get());
        assertCommittedWholeAndUnlocked();
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
        waiter.join(5_000);
        assertFalse(waiter.isAlive(), "the retry waiting on the middle counter was not woken");
        assertCommittedWholeAndUnlocked();
    }

    @Test
    void whenEvenThatFailsThisThreadsNextTransactionFinishesIt() throws Exception {
        AtomicLong saw = new AtomicLong();
        Thread waiter = waiterOnMiddle(saw);
        AtomicInteger thrown = failOnThisThread(3); // write-back, afterFailure, runTop
        List<String> events = new ArrayList<>();

        assertThrows(Injected.class, () -> writeAll(events));
        assertEquals(3, thrown.get());

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
        waiter.join(5_000);
        assertFalse(waiter.isAlive(), "the retry waiting on the middle counter was not woken");
        assertCommittedWholeAndUnlocked();
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
        waiter.join(5_000);
        assertFalse(waiter.isAlive(), "the retry waiting on the middle counter was not woken");
        assertCommittedWholeAndUnlocked();
    }
}
