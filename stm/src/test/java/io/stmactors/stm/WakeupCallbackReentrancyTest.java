package io.stmactors.stm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.stmactors.stm.StmTestSupport.parkUntilNonZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regression: a {@code Stm.tryAtomic} wake-up callback that runs a transaction of its own.
 *
 * <p>A commit fires the waiters it collected ({@code fireCollectedWaiters}) on the committing
 * thread, at depth 0, before running its after-commit hooks, so a callback may start a transaction
 * on the very descriptor that is still finishing that commit ({@code TryAtomicTest} already expects
 * callbacks to use the heap: "a dispatcher might count or enqueue in the heap"). That transaction's
 * {@code begin()} resets {@code toWakeSize} and clears the hook lists, which the finishing commit
 * used to still iterate: the waiters of the commit's other references were never fired (a lost
 * wake-up) and its after-commit hooks never ran. Both tests failed before the commit detached its
 * wake-up list and hooks before firing the first callback.
 */
class WakeupCallbackReentrancyTest {

    /**
     * A quick, non-blocking callback that uses the heap: a dispatcher's "this one is ready again"
     * ({@code TQueue.offer} is a short transaction of its own).
     */
    private static Runnable callbackRunningATransaction(TQueue<String> ready, AtomicInteger calls) {
        return () -> {
            calls.incrementAndGet();
            ready.offer("woken");
        };
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aCallbackThatRunsATransactionDoesNotLoseTheOtherWakeUpsOfTheSameCommit() throws Exception {
        TLong a = TLong.of(0);
        TLong b = TLong.of(0);
        TQueue<String> ready = new TQueue<>();
        AtomicLong parkedSaw = new AtomicLong(-1);
        Thread parked = parkUntilNonZero("parked-on-b", b, parkedSaw);
        AtomicInteger calls = new AtomicInteger();
        assertFalse(Stm.tryAtomic("waits-for-a", () -> {
            if (a.get() == 0) {
                Stm.retry();
            }
        }, callbackRunningATransaction(ready, calls)));

        Stm.atomic(() -> { // a is written first: its waiters are collected, and fired, first
            a.set(1);
            b.set(1);
        });

        assertEquals(1, calls.get(), "the callback on a ran");
        assertEquals("woken", ready.poll(), "the callback's offer committed");
        parked.join(2_000); // a wake-up takes microseconds; a lost one never comes
        boolean lost = parked.isAlive();
        boolean stillParked = false;
        if (lost) {
            b.set(2); // the lost list was taken off b: not even a later commit of b wakes it
            parked.join(2_000);
            stillParked = parked.isAlive();
        }
        assertFalse(lost, "the thread waiting for b was never woken by the commit that set b to 1"
                + (stillParked ? ", nor by a later write of b (its waiter was taken off b and dropped)" : ""));
        assertEquals(1, parkedSaw.get());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aCallbackThatRunsATransactionDoesNotDropTheCommitsAfterCommitHooks() {
        TLong a = TLong.of(0);
        TQueue<String> ready = new TQueue<>();
        AtomicInteger calls = new AtomicInteger();
        assertFalse(Stm.tryAtomic("waits-for-a", () -> {
            if (a.get() == 0) {
                Stm.retry();
            }
        }, callbackRunningATransaction(ready, calls)));

        AtomicBoolean hookRan = new AtomicBoolean();
        Stm.atomic(() -> {
            a.set(1);
            Stm.afterCommit(() -> hookRan.set(true)); // an actor's send is such a hook
        });

        assertEquals(1, calls.get(), "the callback ran");
        assertEquals("woken", ready.poll(), "the callback's offer committed");
        assertTrue(hookRan.get(), "the committed transaction's after-commit hook never ran");
    }
}
