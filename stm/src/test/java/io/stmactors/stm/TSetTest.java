package io.stmactors.stm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Iterator;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class TSetTest {

    @ParameterizedTest
    @EnumSource(Mode.class)
    void randomOperationsAgreeWithHashSet(Mode mode) {
        TSet<Integer> set = TSet.named("s");
        Set<Integer> model = new HashSet<>();
        Random rnd = new Random(11);
        for (int step = 0; step < 4000; step++) {
            int x = rnd.nextInt(300);
            switch (rnd.nextInt(3)) {
                case 0 -> assertEquals(model.add(x), mode.call(() -> set.add(x)));
                case 1 -> assertEquals(model.remove(x), mode.call(() -> set.remove(x)));
                default -> assertEquals(model.contains(x), mode.call(() -> set.contains(x)));
            }
        }
        assertEquals(model.size(), set.size());
        assertEquals(model, set);
        assertEquals(set, model);
        assertEquals(model.hashCode(), set.hashCode());
        assertEquals(model, set.snapshot());
    }

    @Test
    void bulkOperationsAndIteratorRemove() {
        TSet<Integer> set = new TSet<>();
        assertTrue(set.addAll(Set.of(1, 2, 3, 4, 5, 6)));
        assertTrue(set.removeAll(Set.of(1, 2)));
        assertTrue(set.retainAll(Set.of(3, 4, 5)));
        assertEquals(Set.of(3, 4, 5), set);
        assertTrue(set.removeIf(x -> x == 4));
        for (Iterator<Integer> it = set.iterator(); it.hasNext(); ) {
            if (it.next() == 3) {
                it.remove();
            }
        }
        assertEquals(Set.of(5), set);
        assertEquals("[5]", set.toString());
        assertThrows(UnsupportedOperationException.class, () -> set.snapshot().add(1));
    }

    /**
     * removeAll of a collection holding a null: nothing equal to null is in the set, so the null
     * removes nothing (Collection.removeAll may throw only for nulls of this set). It threw
     * NullPointerException when the set was larger than the argument (AbstractSet then calls
     * remove(null)) and not when it was smaller.
     */
    @Test
    void removeAllSkipsANullInTheArgument() {
        TSet<String> set = new TSet<>();
        set.addAll(List.of("a", "b", "c"));
        assertTrue(set.removeAll(Arrays.asList("a", null)));
        assertEquals(Set.of("b", "c"), set);
        assertFalse(set.removeAll(Arrays.asList(null, "zz", "yy", "xx")));
        assertEquals(Set.of("b", "c"), set);
    }
}
