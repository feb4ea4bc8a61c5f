package io.stmactors.stm;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regression: an afterRollback hook of a rolled-back nested scope used to run on the same
 * descriptor while the outer transaction was still running; a hook that started a transaction
 * erased the outer write set. Found while building the collections.
 */
class NestedRollbackHookTest {
    /**
     * An afterRollback hook registered in a nested scope runs (TxnDescriptor.rollbackTo) with
     * depth set to 0 on the same descriptor while the outer transaction is still running. If the
     * hook starts a transaction (Stm.atomic), runTop/begin() clears the outer transaction's read
     * and write sets: the outer transaction then commits without its earlier writes, silently.
     */
    @Test
    void rollbackHookOfNestedScopeThatUsesStmDoesNotEraseOuterWrites() {
        TLong outerWrite = TLong.of(0);
        TLong hookWrite = TLong.of(0);
        Stm.atomic(() -> {
            outerWrite.set(1);
            try {
                Stm.atomic(() -> {
                    Stm.afterRollback(() -> Stm.atomic(() -> hookWrite.set(5)));
                    throw new IllegalStateException("inner block fails");
                });
            } catch (IllegalStateException expected) {
                // closed nesting: only the inner block rolls back
            }
        });
        assertEquals(5, hookWrite.get(), "the rollback hook ran");
        assertEquals(1, outerWrite.get(), "the outer transaction's write must survive the inner rollback");
    }
    /**
     * In an inevitable transaction the rollback hooks of a rolled-back nested scope run when it
     * commits. One of them failing must not cost the committed transaction its after-commit hooks
     * ("afterCommit hooks run once after commit"; "if a hook throws, the other hooks still run"):
     * before the fix the after-commit hook below never ran.
     */
    @Test
    void failingDeferredRollbackHookOfAnInevitableTransactionDoesNotSkipItsAfterCommitHooks() {
        TLong written = TLong.of(0);
        AtomicInteger afterCommitRuns = new AtomicInteger();
        IllegalStateException hookFailure = new IllegalStateException("rollback hook failed");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Stm.atomic(() -> {
            Stm.inevitable();
            written.set(1);
            try {
                Stm.atomic(() -> {
                    Stm.afterRollback(() -> {
                        throw hookFailure;
                    });
                    throw new IllegalArgumentException("inner block fails");
                });
            } catch (IllegalArgumentException expected) {
                // closed nesting: only the inner block rolls back
            }
            Stm.afterCommit(afterCommitRuns::incrementAndGet);
        }));
        assertSame(hookFailure, thrown);
        assertEquals(1, written.get(), "the transaction committed");
        assertEquals(1, afterCommitRuns.get(), "the after-commit hook of the committed transaction ran");
    }

    /**
     * The rollback path too: a failing deferred rollback hook of a nested scope of an inevitable
     * transaction must not skip the transaction's own afterRollback hooks (the runtime releases a
     * spawned actor's name in one), and the body's exception still reaches the caller.
     */
    @Test
    void failingDeferredScopeHookOfAnInevitableTransactionDoesNotSkipItsOwnRollbackHooks() {
        java.util.concurrent.atomic.AtomicBoolean topLevelHookRan = new java.util.concurrent.atomic.AtomicBoolean();
        TLong x = TLong.of(0);
        RuntimeException body = new RuntimeException("body");
        Throwable thrown = assertThrows(Throwable.class, () -> Stm.atomic(() -> {
            x.get();
            Stm.afterRollback(() -> topLevelHookRan.set(true));
            Stm.inevitable();
            try {
                Stm.atomic(() -> {
                    Stm.afterRollback(() -> {
                        throw new IllegalStateException("scope hook");
                    });
                    throw new IllegalArgumentException("inner");
                });
            } catch (IllegalArgumentException expected) {
                // the scope rolled back; its hook is deferred to the end of the inevitable transaction
            }
            throw body;
        }));
        assertSame(body, thrown);
        assertTrue(topLevelHookRan.get(), "the transaction's own afterRollback hook ran");
    }
}
