package io.stmactors.stm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@link Collection} behaviour every transactional collection shares, parameterized over the
 * implementations and over where the calls are made (outside or inside a transaction).
 */
class CollectionSanityTest {

    static Stream<Arguments> collections() {
        List<Arguments> out = new ArrayList<>();
        List<Supplier<Collection<Integer>>> factories = List.of(
                named("TSet", TSet::new),
                named("TSet.named", () -> TSet.named("set")),
                named("TQueue", TQueue::new),
                named("TQueue.bounded", () -> TQueue.bounded(1000)),
                named("TQueue.named", () -> TQueue.named("q", 500)));
        for (Supplier<Collection<Integer>> f : factories) {
            for (Mode mode : Mode.values()) {
                out.add(Arguments.of(f, mode));
            }
        }
        return out.stream();
    }

    private static Supplier<Collection<Integer>> named(String name, Supplier<Collection<Integer>> f) {
        return new Supplier<>() {
            @Override
            public Collection<Integer> get() {
                return f.get();
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("collections")
    void addContainsSizeIterateClear(Supplier<Collection<Integer>> factory, Mode mode) {
        Collection<Integer> c = factory.get();
        assertTrue(mode.call(c::isEmpty));
        for (int i = 0; i < 300; i++) {
            int x = i;
            assertTrue(mode.call(() -> c.add(x)));
            assertEquals(i + 1, mode.call(c::size));
        }
        assertTrue(mode.call(() -> c.contains(150)));
        assertFalse(mode.call(() -> c.contains(1000)));
        Set<Integer> seen = mode.call(() -> new HashSet<>(c));
        assertEquals(300, seen.size());
        assertTrue(mode.call(() -> c.containsAll(List.of(0, 1, 299))));
        assertEquals(300, mode.call(c::toArray).length);
        mode.call(() -> { c.clear(); return null; });
        assertEquals(0, mode.call(c::size));
        assertTrue(mode.call(c::isEmpty));
        assertThrows(NullPointerException.class, () -> c.add(null));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("collections")
    void addAllIsAllOrNothingAndExceptionsRollBack(Supplier<Collection<Integer>> factory, Mode mode) {
        Collection<Integer> c = factory.get();
        c.addAll(List.of(1, 2, 3));
        List<Integer> withNull = new ArrayList<>(List.of(10, 11));
        withNull.add(null);
        assertThrows(NullPointerException.class, () -> mode.call(() -> c.addAll(withNull)));
        assertEquals(3, c.size());
        assertFalse(c.contains(10));
        assertThrows(IllegalStateException.class, () -> Stm.atomic(() -> {
            c.add(20);
            c.add(21);
            assertEquals(5, c.size());
            throw new IllegalStateException("roll back");
        }));
        assertEquals(3, c.size());
        assertFalse(c.contains(20));
        assertEquals(Set.of(1, 2, 3), new HashSet<>(c));
    }
}
