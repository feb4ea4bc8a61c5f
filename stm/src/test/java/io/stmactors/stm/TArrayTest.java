package io.stmactors.stm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TArrayTest {

    @ParameterizedTest
    @EnumSource(Mode.class)
    void getSetLength(Mode mode) {
        TArray<String> a = new TArray<>(5);
        assertEquals(5, a.length());
        assertNull(mode.call(() -> a.get(3)));
        mode.call(() -> { a.set(3, "x"); return null; });
        assertEquals("x", mode.call(() -> a.get(3)));
        assertEquals("x", mode.call(() -> a.getAndSet(3, "y")));
        assertEquals("y!", mode.call(() -> a.updateAndGet(3, s -> s + "!")));
        assertEquals(Arrays.asList(null, null, null, "y!", null), a.snapshot());
        TArray<Integer> b = TArray.of(1, 2, 3);
        assertEquals(List.of(1, 2, 3), mode.call(b::snapshot));
        assertEquals("[1, 2, 3]", b.toString());
    }

    @Test
    void boundsAreCheckedWithAClearMessage() {
        TArray<Integer> a = TArray.named("seats", 3);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> a.get(3));
        assertEquals("TArray 'seats': index 3 out of bounds for length 3", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> a.set(-1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Stm.atomic(() -> a.get(7)));
        assertThrows(IllegalArgumentException.class, () -> new TArray<>(-1));
        assertEquals(0, new TArray<>(0).length());
    }

    @Test
    void rollbackLeavesElementsUnchanged() {
        TArray<Integer> a = TArray.of(0, 0, 0);
        assertThrows(IllegalStateException.class, () -> Stm.atomic(() -> {
            a.set(0, 1);
            a.set(2, 1);
            throw new IllegalStateException("roll back");
        }));
        assertEquals(List.of(0, 0, 0), a.snapshot());
    }

    @Test
    void anArrayThatHoldsItselfPrintsWithoutEndlessRecursion() {
        TArray<Object> a = TArray.of("x", null, "z");
        a.set(1, a);
        assertEquals("[x, (this TArray), z]", a.toString());
    }
}
