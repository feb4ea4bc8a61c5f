package io.stmactors.stm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An Error (a StackOverflowError, here thrown by a test hook) inside the engine's calls that take or
 * give back the inevitability token: the transaction ends as README item 9 says, the thread leaves
 * the token's line, and no other thread waits for good.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TokenCutShortTest {
    private final TLong a = TLong.named("token-a", 0);
    private final TLong b = TLong.named("token-b", 0);

    @org.junit.jupiter.api.BeforeEach
    void tokenFreeAndNobodyInLine() {
        assertFalse(TxnDescriptor.INEVITABLE.isLocked(), "held by " + TxnDescriptor.INEVITABLE.owner());
        assertEquals(0, TxnDescriptor.INEVITABLE.lineLength(), "left in the token's line by an earlier test");
    }

    @AfterEach
    void removeHooks() {
        InevitabilityToken.faultAfterJoin = null;
        InevitabilityToken.faultBeforeWakingNext = null;
    }

    /** Throws once, on {@code thread} only. */
    private static Runnable cutOnce(Thread thread) {
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (Thread.currentThread() == thread && done.compareAndSet(false, true)) {
                throw new InevitabilityTokenTest.Cut();
            }
        };
    }

    /**
     * Starts a thread whose inevitable transaction runs {@code inside} and then holds the token until
     * {@code letGo} opens; returns once it holds it.
     */
    private static Thread startHolder(Runnable inside, CountDownLatch letGo) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        Thread holder = StmTestSupport.startDaemon("holder", () -> Stm.atomic(() -> {
            Stm.inevitable();
            inside.run();
            holding.countDown();
            letGo.await();
        }));
        boolean holds = holding.await(20, TimeUnit.SECONDS);
        if (!holds) {
            letGo.countDown(); // later tests need the token
        }
        assertTrue(holds);
        return holder;
    }

    private static void awaitLine(int length) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (TxnDescriptor.INEVITABLE.lineLength() < length) {
            assertTrue(System.nanoTime() < until, "nobody joined the token's line");
            Thread.sleep(1);
        }
    }

    /**
     * The release at the end of an inevitable commit is cut short after letting go of the token and
     * before waking the thread waiting for it. The commit is decided, so it stays committed and the
     * Error reaches the caller; the waiter still gets the token and commits.
     */
    @Test
    void aReleaseCutShortAtTheEndOfAnInevitableCommitLosesNoWaiter() throws Exception {
        CountDownLatch waiterDone = new CountDownLatch(1);
        Thread[] waiter = new Thread[1];
        InevitabilityToken.faultBeforeWakingNext = cutOnce(Thread.currentThread());
        assertThrows(InevitabilityTokenTest.Cut.class, () -> Stm.atomic(() -> {
            Stm.inevitable();
            a.increment();
            if (waiter[0] == null) {
                waiter[0] = StmTestSupport.startDaemon("waiter", () -> {
                    Stm.atomic(() -> {
                        Stm.inevitable();
                        b.increment();
                    });
                    waiterDone.countDown();
                });
                awaitLine(1);
            }
        }));
        assertEquals(1, a.get(), "decided before the Error: committed");
        assertTrue(waiterDone.await(20, TimeUnit.SECONDS), "the thread waiting for the token never got it");
        assertEquals(1, b.get());
        Stm.atomic(() -> {
            Stm.inevitable();
            a.increment();
        });
        assertEquals(2, a.get());
        assertFalse(TxnDescriptor.INEVITABLE.isLocked());
        assertEquals(0, TxnDescriptor.INEVITABLE.lineLength());
    }

    /**
     * {@code Stm.inevitable()} cut short right after the thread joined the token's line (another
     * thread holds the token): the transaction rolls back, the Error reaches the caller, and the
     * thread is out of the line at once, so the next waiter is not held up behind it.
     */
    @Test
    void anAcquireCutShortInLineLeavesTheLine() throws Exception {
        CountDownLatch letGo = new CountDownLatch(1);
        Thread holder = startHolder(b::increment, letGo);
        try {
            InevitabilityToken.faultAfterJoin = cutOnce(Thread.currentThread());
            assertThrows(InevitabilityTokenTest.Cut.class, () -> Stm.atomic(() -> {
                a.increment();
                Stm.inevitable();
                a.increment();
            }));
            assertEquals(0, TxnDescriptor.INEVITABLE.lineLength(), "the cut-short thread is still in line");
            assertSame(holder, TxnDescriptor.INEVITABLE.owner());
        } finally {
            letGo.countDown(); // also when an assertion failed: later tests need the token
        }
        holder.join(20_000);
        assertFalse(holder.isAlive());
        assertEquals(0, a.get(), "rolled back");
        assertEquals(1, b.get());
        Stm.atomic(() -> {
            Stm.inevitable();
            a.increment();
        });
        assertEquals(1, a.get());
        assertFalse(TxnDescriptor.INEVITABLE.isLocked());
    }

    /**
     * A rollback hook of a nested scope runs on a descriptor of its own (outside the still-running
     * transaction); an inevitable transaction it runs must hold the token for its thread, so that no
     * other thread can take it meanwhile (a descriptor without a thread once took it for nobody).
     */
    @Test
    void anInevitableTransactionRunByARollbackHookHoldsTheTokenForItsThread() {
        java.util.concurrent.atomic.AtomicReference<Thread> holder = new java.util.concurrent.atomic.AtomicReference<>();
        Stm.atomic(() -> {
            try {
                Stm.atomic(() -> {
                    Stm.afterRollback(() -> Stm.atomic(() -> {
                        Stm.inevitable();
                        holder.set(TxnDescriptor.INEVITABLE.owner());
                        b.increment();
                    }));
                    a.increment();
                    throw new IllegalStateException("rolls back the nested scope");
                });
            } catch (IllegalStateException expected) {
                // the outer transaction goes on
            }
            a.increment();
        });
        assertSame(Thread.currentThread(), holder.get(), "the hook's inevitable transaction did not hold the token");
        assertEquals(1, a.get());
        assertEquals(1, b.get());
        assertFalse(TxnDescriptor.INEVITABLE.isLocked());
    }

    /**
     * A body that catches the Error which cut its {@code Stm.inevitable()} short, and commits as an
     * ordinary transaction: the commit takes the thread out of the token's line, not its next
     * transaction (which may never come).
     */
    @Test
    void aBodyThatCatchesTheErrorAndCommitsLeavesTheLine() throws Exception {
        CountDownLatch letGo = new CountDownLatch(1);
        Thread holder = startHolder(() -> { }, letGo);
        try {
            InevitabilityToken.faultAfterJoin = cutOnce(Thread.currentThread());
            Stm.atomic(() -> {
                try {
                    Stm.inevitable();
                } catch (InevitabilityTokenTest.Cut caught) {
                    // carries on as an ordinary transaction
                }
                a.increment();
            });
            assertEquals(1, a.get());
            assertEquals(0, TxnDescriptor.INEVITABLE.lineLength(), "the committed thread is still in the token's line");
        } finally {
            letGo.countDown(); // also when an assertion failed: later tests need the token
            Stm.atomic(() -> a.get()); // and this thread's clean-up, should the commit have left it in line
        }
        holder.join(20_000);
        assertFalse(holder.isAlive());
        assertFalse(TxnDescriptor.INEVITABLE.isLocked());
    }

    /** With the token free and nobody in line, becoming inevitable takes the fast path: the hook on joining the line never runs. */
    @Test
    void anUncontendedInevitableTransactionNeverJoinsTheLine() {
        InevitabilityToken.faultAfterJoin = cutOnce(Thread.currentThread());
        // Free token and nobody in line: the engine takes the fast path and never joins the line.
        Stm.atomic(() -> {
            Stm.inevitable();
            a.increment();
        });
        assertEquals(1, a.get());
        assertNotEquals(Thread.currentThread(), TxnDescriptor.INEVITABLE.owner());
        assertFalse(TxnDescriptor.INEVITABLE.isLocked());
    }
}
