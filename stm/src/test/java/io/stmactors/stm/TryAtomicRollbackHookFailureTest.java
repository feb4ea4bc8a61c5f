package io.stmactors.stm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Regression: {@code Stm.tryAtomic} whose retry fails in a rollback hook.
 *
 * <p>On a retry, {@code deferUntilChange} registers the callback's waiter on the read set, then
 * rolls back and runs the attempt's after-rollback hooks. When a hook throws, the exception leaves
 * {@code tryAtomic} (the caller treats the call as failed: an actor's message counts as failed and
 * supervision drops or retries it). The waiter used to stay registered, so the next commit of a
 * reference the body read ran the callback anyway, for a call that never returned {@code false}
 * (a concurrent actor's callback re-queues the message: the failed message was handled again).
 * Now the failure disarms the waiter.
 */
class TryAtomicRollbackHookFailureTest {

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aTryAtomicThatFailedInARollbackHookOfItsRetryNeverCallsBack() {
        TLong x = TLong.of(0);
        AtomicInteger callbacks = new AtomicInteger();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Stm.tryAtomic("hook-fails",
                () -> {
                    Stm.afterRollback(() -> {
                        throw new IllegalStateException("rollback hook failed");
                    });
                    if (x.get() == 0) {
                        Stm.retry();
                    }
                }, callbacks::incrementAndGet));
        assertEquals("rollback hook failed", thrown.getMessage());

        x.set(1); // a change of what the failed call read

        assertEquals(0, callbacks.get(), "tryAtomic threw (it did not return false), yet its callback ran");
    }
}
