package io.stmactors.stm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inevitability token ({@link InevitabilityToken}): one holder at a time, waiters served in
 * arrival order, and no thread left waiting for good when an Error cuts an acquire or a release
 * short (the failure a fair {@code ReentrantLock} could not survive).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InevitabilityTokenTest {

    /** An Error a test throws from a hook, standing for a StackOverflowError. */
    static final class Cut extends Error {
        Cut() {
            super("cut short by the test");
        }
    }

    @AfterEach
    void removeHooks() {
        InevitabilityToken.faultAfterJoin = null;
        InevitabilityToken.faultBeforeWakingNext = null;
    }

    /**
     * A hook that throws on {@code thread} only: the hooks are static, and the engine's own token
     * runs them too, so another thread's transaction must not meet them.
     */
    static Runnable cutOn(Thread thread) {
        return () -> {
            if (Thread.currentThread() == thread) {
                throw new Cut();
            }
        };
    }

    private static void acquire(InevitabilityToken token) throws InterruptedException {
        Thread me = Thread.currentThread();
        if (!token.tryAcquire(me)) {
            token.acquire(new InevitabilityToken.Waiter(me));
        }
        assertSame(me, token.owner());
    }

    /** Starts a daemon thread that waits in line for {@code token}, then runs {@code then} holding it. */
    private static Thread startWaiter(String name, InevitabilityToken token, Runnable then) {
        return StmTestSupport.startDaemon(name, () -> {
            try {
                acquire(token);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            then.run();
        });
    }

    /**
     * Joins {@code token}'s line as this thread and is cut short right there (an Error thrown by the
     * hook): returns the waiter, left in line without a thread waiting for it.
     */
    private static InevitabilityToken.Waiter cutShortInLine(InevitabilityToken token) {
        InevitabilityToken.Waiter w = new InevitabilityToken.Waiter(Thread.currentThread());
        InevitabilityToken.faultAfterJoin = cutOn(Thread.currentThread());
        assertThrows(Cut.class, () -> token.acquire(w));
        InevitabilityToken.faultAfterJoin = null;
        return w;
    }

    private static void awaitLine(InevitabilityToken token, int length) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (token.lineLength() < length) {
            assertTrue(System.nanoTime() < until, "line of " + token.lineLength() + ", waiting for " + length);
            Thread.sleep(1);
        }
    }

    @Test
    void oneHolderAtATimeAndEveryAcquireServed() throws Exception {
        InevitabilityToken token = new InevitabilityToken();
        int threads = 4;
        int rounds = 3_000;
        AtomicBoolean inside = new AtomicBoolean();
        AtomicReference<String> broken = new AtomicReference<>();
        long[] count = {0};
        StmTestSupport.runWorkers("holder", threads, 50_000, t -> {
            for (int i = 0; i < rounds; i++) {
                acquire(token);
                if (!inside.compareAndSet(false, true)) {
                    broken.set("two holders at once");
                }
                count[0]++; // plain: only the holder writes it
                inside.set(false);
                token.release(Thread.currentThread());
            }
        });
        assertNull(broken.get());
        assertEquals((long) threads * rounds, count[0]);
        assertFalse(token.isLocked());
        assertEquals(0, token.lineLength());
    }

    @Test
    void waitersAreServedInArrivalOrder() throws Exception {
        // No eviction however long a waiter is descheduled on a loaded machine: the order is exact.
        InevitabilityToken token = new InevitabilityToken(InevitabilityToken.PARK_NANOS, TimeUnit.MINUTES.toNanos(10));
        acquire(token);
        List<Integer> served = Collections.synchronizedList(new ArrayList<>());
        List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int n = i;
            waiters.add(startWaiter("waiter-" + i, token, () -> {
                served.add(n);
                token.release(Thread.currentThread());
            }));
            awaitLine(token, i + 1); // the next one arrives after this one is in line
        }
        token.release(Thread.currentThread());
        for (Thread w : waiters) {
            w.join(20_000);
            assertFalse(w.isAlive());
        }
        assertEquals(List.of(0, 1, 2, 3), served);
    }

    @Test
    void anInterruptedWaiterLeavesTheLine() throws Exception {
        InevitabilityToken token = new InevitabilityToken();
        acquire(token);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread waiter = StmTestSupport.startDaemon("waiter", () -> {
            try {
                acquire(token);
                outcome.set(new AssertionError("acquired"));
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        awaitLine(token, 1);
        waiter.interrupt();
        waiter.join(20_000);
        assertTrue(outcome.get() instanceof InterruptedException, "outcome: " + outcome.get());
        assertEquals(0, token.lineLength());
        token.release(Thread.currentThread());
        assertTrue(token.tryAcquire(Thread.currentThread()), "free, and nobody in line");
    }

    /**
     * A release cut short after letting go of the token and before waking the next waiter: the
     * waiter's timed park finds the token free (here parks of 50 ms), and a release called again (the
     * engine's clean-up) wakes it at once (here parks of a minute, so only that can).
     */
    @Test
    void aReleaseCutShortBeforeWakingTheNextWaiterLosesNoWaiter() throws Exception {
        for (long park : new long[] {TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.MINUTES.toNanos(1)}) {
            InevitabilityToken token = new InevitabilityToken(park, TimeUnit.SECONDS.toNanos(10));
            acquire(token);
            CountDownLatch got = new CountDownLatch(1);
            Thread waiter = startWaiter("waiter", token, got::countDown);
            awaitLine(token, 1);
            Thread.sleep(20); // let it park
            InevitabilityToken.faultBeforeWakingNext = cutOn(Thread.currentThread());
            assertThrows(Cut.class, () -> token.release(Thread.currentThread()));
            InevitabilityToken.faultBeforeWakingNext = null;
            assertFalse(token.owner() == Thread.currentThread(), "the token was let go before the Error");
            if (park > TimeUnit.SECONDS.toNanos(1)) {
                token.release(Thread.currentThread()); // the clean-up: not the holder, so it only wakes the next
            }
            assertTrue(got.await(20, TimeUnit.SECONDS), "the waiter was never woken (park " + park + " ns)");
            waiter.join(20_000);
            assertSame(waiter, token.owner(), "the waiter holds it (it never gave it back)");
        }
    }

    /**
     * An acquire cut short right after its thread joined the line leaves that thread first in line
     * without waiting. A waiter behind it gets the free token once the stale front has been seen for
     * staleNanos (here 100 ms), even if the cut-short thread never comes back; and if it does come
     * back, leaving the line is harmless.
     */
    @Test
    void aWaiterCutShortAtTheFrontOfTheLineIsEvicted() throws Exception {
        InevitabilityToken token = new InevitabilityToken(TimeUnit.MILLISECONDS.toNanos(5),
                TimeUnit.MILLISECONDS.toNanos(100));
        acquire(token);
        InevitabilityToken.Waiter zombie = cutShortInLine(token);
        token.release(Thread.currentThread()); // free now, with the cut-short waiter first in line
        assertFalse(token.tryAcquire(Thread.currentThread()), "the line is not empty: no barging");
        CountDownLatch got = new CountDownLatch(1);
        Thread waiter = startWaiter("waiter", token, () -> {
            got.countDown();
            token.release(Thread.currentThread());
        });
        assertTrue(got.await(20, TimeUnit.SECONDS), "the waiter behind the cut-short one never got the token");
        waiter.join(20_000);
        token.leave(zombie); // the cut-short thread's clean-up, late
        assertEquals(0, token.lineLength());
        assertTrue(token.tryAcquire(Thread.currentThread()));
    }

    /**
     * A waiter evicted by a thread that an Error then cut short before it removed the waiter from the
     * line, and whose own thread is gone: the next waiter removes it (evictions are otherwise off here).
     */
    @Test
    void anEvictedWaiterLeftAtTheFrontIsRemovedByTheNext() throws Exception {
        InevitabilityToken token = new InevitabilityToken(TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.MINUTES.toNanos(10));
        acquire(token);
        InevitabilityToken.Waiter gone = cutShortInLine(token);
        assertTrue(gone.compareAndSetState(InevitabilityToken.Waiter.WAITING, InevitabilityToken.Waiter.EVICTED),
                "marked evicted, not removed: the evicting thread was cut short");
        token.release(Thread.currentThread());
        CountDownLatch got = new CountDownLatch(1);
        Thread waiter = startWaiter("waiter", token, got::countDown);
        assertTrue(got.await(20, TimeUnit.SECONDS), "the waiter behind an evicted one never got the token");
        waiter.join(20_000);
        assertSame(waiter, token.owner());
        assertEquals(0, token.lineLength());
    }

    /** The same cut-short waiter, but its thread cleans up at once: the next waiter needs no eviction. */
    @Test
    void aWaiterThatLeavesAtOnceHoldsNobodyUp() throws Exception {
        InevitabilityToken token = new InevitabilityToken(TimeUnit.MINUTES.toNanos(1), TimeUnit.MINUTES.toNanos(10));
        acquire(token);
        CountDownLatch got = new CountDownLatch(1);
        InevitabilityToken.Waiter cut = cutShortInLine(token);
        Thread waiter = startWaiter("waiter", token, got::countDown);
        awaitLine(token, 2);
        token.leave(cut);
        token.release(Thread.currentThread()); // wakes the waiter, now first; with minute-long parks, only that can
        assertTrue(got.await(20, TimeUnit.SECONDS), "the waiter was not woken");
        waiter.join(20_000);
        assertSame(waiter, token.owner());
    }
}
