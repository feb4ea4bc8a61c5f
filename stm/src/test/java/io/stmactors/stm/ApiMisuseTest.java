package io.stmactors.stm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets a clear exception naming what was wrong, and leaves the engine usable. */
class ApiMisuseTest {

    private static void assertNpeNaming(String argument, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertNotNull(e.getMessage(), "NPE without a message");
        assertTrue(e.getMessage().contains(argument), "NPE message '" + e.getMessage() + "' does not name " + argument);
        assertFalse(Stm.inTransaction());
    }

    @Test
    void nullBodiesAreRejectedNamingTheArgument() {
        assertNpeNaming("body", () -> Stm.atomic((TxnCallable<Object>) null));
        assertNpeNaming("body", () -> Stm.atomic((TxnRunnable) null));
        assertNpeNaming("body", () -> Stm.atomic("name", (TxnCallable<Object>) null));
        assertNpeNaming("body", () -> Stm.atomic("name", (TxnRunnable) null));
        assertNpeNaming("name", () -> Stm.atomic((String) null, () -> 1));
        assertNpeNaming("body", () -> Stm.tryAtomic("name", null, () -> { }));
        assertNpeNaming("onChange", () -> Stm.tryAtomic("name", () -> { }, null));
        assertNpeNaming("hook", () -> Stm.afterCommit(null));
        assertNpeNaming("hook", () -> Stm.afterCommitIfActive(null));
        assertNpeNaming("hook", () -> Stm.afterRollback(null));
        assertNpeNaming("name", () -> TRef.named(null, 1));
        assertNpeNaming("name", () -> TLong.named(null, 1));
        assertNpeNaming("update", () -> TRef.of(1).updateAndGet(null));
        assertNpeNaming("update", () -> TRef.of(1).getAndUpdate(null));
    }

    @Test
    void nullBodyInsideATransactionRollsBackTheEnclosingOneIfUncaught() {
        TLong x = TLong.of(0);
        assertThrows(NullPointerException.class, () -> Stm.atomic(() -> {
            x.set(1);
            Stm.atomic((TxnRunnable) null);
        }));
        assertEquals(0, x.get());
    }

    @Test
    void transactionOnlyOperationsOutsideATransactionAreIllegalStates() {
        for (Executable call : new Executable[] {
                Stm::retry,
                Stm::inevitable,
                () -> Stm.afterCommit(() -> { }),
                () -> Stm.afterRollback(() -> { })}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call);
            assertTrue(e.getMessage().contains("outside a transaction"), e.getMessage());
        }
        assertFalse(Stm.inTransaction());
        assertFalse(Stm.isInevitable());
    }

    @Test
    void inTransactionReflectsNesting() {
        assertFalse(Stm.inTransaction());
        Stm.atomic(() -> {
            assertTrue(Stm.inTransaction());
            Stm.atomic(() -> assertTrue(Stm.inTransaction()));
            assertTrue(Stm.inTransaction());
        });
        assertFalse(Stm.inTransaction());
    }

    @Test
    void singleOperationsOutsideTransactionsAreAtomicOnTheirOwn() {
        TLong n = TLong.of(3);
        assertEquals(4, n.incrementAndGet());
        assertEquals(9, n.addAndGet(5));
        n.add(1);
        n.increment();
        assertEquals(11, n.get());
        n.set(-1);
        assertEquals(-1, n.get());
        TRef<String> s = TRef.of(null);
        assertEquals(null, s.get());
        assertEquals(null, s.getAndSet("a"));
        assertEquals("ab", s.updateAndGet(v -> v + "b"));
        assertEquals("ab", s.getAndUpdate(v -> v + "c"));
        assertEquals("abc", s.get());
        TRef<Integer> named = TRef.named("n", 1);
        named.set(2);
        assertEquals(2, named.get());
        assertTrue(named.toString().contains("'n'"), named.toString());
    }

    @Test
    void theEngineIsUsableAfterEveryKindOfMisuse() {
        assertThrows(IllegalStateException.class, Stm::retry);
        assertThrows(IllegalStateException.class, () -> Stm.atomic(() -> Stm.retry())); // read nothing
        assertThrows(IllegalStateException.class, () -> Stm.atomic(() -> Stm.tryAtomic("x", () -> { }, () -> { })));
        TLong x = TLong.of(0);
        Stm.atomic(() -> x.increment());
        Stm.atomic(() -> {
            Stm.inevitable();
            x.increment();
        });
        assertEquals(2, x.get());
        assertFalse(Stm.inTransaction());
    }
}
