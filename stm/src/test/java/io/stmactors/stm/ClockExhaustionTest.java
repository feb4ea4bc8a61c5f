package io.stmactors.stm;

import io.stmactors.stm.internal.GlobalClock;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the version clock is exhausted (2^51 advances) a commit fails with an
 * IllegalStateException. A single write outside a transaction must fail the same way: before the
 * fix it went through and stamped the version 2^51, which does not fit in the lock word and wrapped
 * to version 0, a word every snapshot accepts, so a running transaction could read the reference's
 * old and new values side by side (no opacity).
 *
 * <p>The clock is set near its end for a moment and then put back; only references created here
 * are touched meanwhile.
 */
class ClockExhaustionTest {

    @Test
    void singleWritesOutsideATransactionFailLikeCommitsWhenTheClockIsExhausted() throws Exception {
        TLong counter = TLong.of(7);
        TRef<String> ref = TRef.of("old");
        Field value = Class.forName("io.stmactors.stm.internal.GlobalClockValue").getDeclaredField("value");
        value.setAccessible(true);
        long saved = value.getLong(GlobalClock.INSTANCE);
        try {
            value.setLong(GlobalClock.INSTANCE, GlobalClock.MAX_VERSION);
            IllegalStateException commit = assertThrows(IllegalStateException.class, () -> Stm.atomic(() -> counter.add(1)));
            assertTrue(commit.getMessage().contains("exhausted"), commit.getMessage());
            assertThrows(IllegalStateException.class, () -> counter.set(1));
            assertThrows(IllegalStateException.class, () -> counter.add(1));
            assertThrows(IllegalStateException.class, () -> ref.set("new"));
        } finally {
            value.setLong(GlobalClock.INSTANCE, saved);
        }
        assertEquals(7, counter.get(), "a failed write changed the counter");
        assertEquals("old", ref.get(), "a failed write changed the reference");
        assertEquals(0, (long) TVar.LOCK.getVolatile(counter) & TVar.LOCKED, "left locked");
        assertEquals(0, (long) TVar.LOCK.getVolatile(ref) & TVar.LOCKED, "left locked");
        Stm.atomic(() -> counter.add(1)); // the clock is back: everything works again
        assertEquals(8, counter.get());
    }
}
