package io.stmactors.stm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The {@link Map} contract of {@link TMap}, each call made outside or inside a transaction. */
class TMapTest {

    /** A key whose hash is fixed, to force collisions (same leaf at every trie level). */
    record Colliding(int id) {
        @Override
        public int hashCode() {
            return 42;
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void randomOperationsAgreeWithHashMap(Mode mode) {
        TMap<Integer, Integer> map = TMap.named("random");
        Map<Integer, Integer> model = new HashMap<>();
        Random rnd = new Random(7);
        for (int step = 0; step < 6000; step++) {
            int k = rnd.nextInt(400);
            int v = rnd.nextInt(1000);
            int op = rnd.nextInt(9);
            Object expected;
            Object actual;
            switch (op) {
                case 0, 1 -> { expected = model.put(k, v); actual = mode.call(() -> map.put(k, v)); }
                case 2 -> { expected = model.get(k); actual = mode.call(() -> map.get(k)); }
                case 3 -> { expected = model.remove(k); actual = mode.call(() -> map.remove(k)); }
                case 4 -> { expected = model.putIfAbsent(k, v); actual = mode.call(() -> map.putIfAbsent(k, v)); }
                case 5 -> { expected = model.merge(k, v, Integer::sum); actual = mode.call(() -> map.merge(k, v, Integer::sum)); }
                case 6 -> {
                    expected = model.compute(k, (key, old) -> old == null ? Integer.valueOf(v) : (old % 3 == 0 ? null : Integer.valueOf(old + 1)));
                    actual = mode.call(() -> map.compute(k, (key, old) -> old == null ? Integer.valueOf(v) : (old % 3 == 0 ? null : Integer.valueOf(old + 1))));
                }
                case 7 -> { expected = model.containsKey(k); actual = mode.call(() -> map.containsKey(k)); }
                default -> { expected = model.replace(k, v); actual = mode.call(() -> map.replace(k, v)); }
            }
            assertEquals(expected, actual, "step " + step + " op " + op + " key " + k);
            if (step % 500 == 0) {
                assertEquals(model.size(), (int) mode.call(map::size));
                assertEquals(model, map);
            }
        }
        assertEquals(model, map);
        assertEquals(map, model);
        assertEquals(model.hashCode(), map.hashCode());
        assertEquals(model, map.snapshot());
        assertEquals(model.keySet(), map.keySet());
        assertEquals(model.entrySet(), map.entrySet());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void singleKeyOperations(Mode mode) {
        TMap<String, Integer> map = new TMap<>();
        assertNull(mode.call(() -> map.put("a", 1)));
        assertEquals(1, mode.call(() -> map.put("a", 2)));
        assertEquals(2, mode.call(() -> map.putIfAbsent("a", 3)));
        assertNull(mode.call(() -> map.putIfAbsent("b", 3)));
        assertEquals(3, mode.call(() -> map.computeIfAbsent("b", k -> 99)));
        assertEquals(4, mode.call(() -> map.computeIfPresent("b", (k, v) -> v + 1)));
        assertNull(mode.call(() -> map.computeIfPresent("zz", (k, v) -> v + 1)));
        assertEquals(5, mode.call(() -> map.merge("b", 1, Integer::sum)));
        assertNull(mode.call(() -> map.merge("b", 1, (x, y) -> null)), "merge to null removes");
        assertFalse(mode.call(() -> map.containsKey("b")));
        assertTrue(mode.call(() -> map.replace("a", 2, 7)));
        assertFalse(mode.call(() -> map.replace("a", 2, 8)));
        assertFalse(mode.call(() -> map.remove("a", 8)));
        assertTrue(mode.call(() -> map.remove("a", 7)));
        assertTrue(mode.call(map::isEmpty));
        assertEquals(-1, mode.call(() -> map.getOrDefault("a", -1)));
        mode.call(() -> { map.putAll(Map.of("x", 1, "y", 2, "z", 3)); return null; });
        assertEquals(3, mode.call(map::size));
        assertTrue(mode.call(() -> map.containsValue(2)));
        mode.call(() -> { map.replaceAll((k, v) -> v * 10); return null; });
        assertEquals(Map.of("x", 10, "y", 20, "z", 30), map);
        mode.call(() -> { map.clear(); return null; });
        assertEquals(0, map.size());
        assertEquals("{}", map.toString());
        map.put("k", 1);
        assertEquals("{k=1}", map.toString());
    }

    @Test
    void nullsAreRejected() {
        TMap<String, String> map = new TMap<>();
        assertThrows(NullPointerException.class, () -> map.put(null, "v"));
        assertThrows(NullPointerException.class, () -> map.put("k", null));
        assertThrows(NullPointerException.class, () -> map.get(null));
        assertThrows(NullPointerException.class, () -> map.containsKey(null));
        assertThrows(NullPointerException.class, () -> map.remove(null));
        assertTrue(map.isEmpty());
    }

    @Test
    void collidingHashesExhaustTheTrieAndStillWork() {
        TMap<Colliding, Integer> map = new TMap<>();
        for (int i = 0; i < 40; i++) {
            map.put(new Colliding(i), i);
        }
        assertEquals(40, map.size());
        for (int i = 0; i < 40; i++) {
            assertEquals(i, map.get(new Colliding(i)));
        }
        for (int i = 0; i < 40; i += 2) {
            assertEquals(i, map.remove(new Colliding(i)));
        }
        assertEquals(20, map.size());
        assertNull(map.get(new Colliding(0)));
        assertEquals(1, map.get(new Colliding(1)));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void viewsWorkAndWriteThrough(Mode mode) {
        TMap<Integer, String> map = new TMap<>();
        for (int i = 0; i < 100; i++) {
            map.put(i, "v" + i);
        }
        mode.call(() -> {
            Set<Integer> keys = map.keySet();
            assertEquals(100, keys.size());
            assertTrue(keys.contains(42));
            assertTrue(keys.remove(42));
            assertFalse(map.containsKey(42));
            assertTrue(keys.removeIf(k -> k >= 90));
            assertEquals(89, map.size());
            int seen = 0;
            for (Iterator<Integer> it = keys.iterator(); it.hasNext(); ) {
                int k = it.next();
                seen++;
                if (k < 10) {
                    it.remove();
                }
            }
            assertEquals(89, seen);
            assertEquals(79, map.size());
            for (Map.Entry<Integer, String> e : map.entrySet()) {
                e.setValue(e.getValue() + "!");
            }
            assertEquals("v11!", map.get(11));
            assertTrue(map.values().contains("v12!"));
            assertTrue(map.values().remove("v12!"));
            assertFalse(map.containsKey(12));
            assertTrue(map.entrySet().contains(Map.entry(13, "v13!")));
            assertTrue(map.entrySet().remove(Map.entry(13, "v13!")));
            assertEquals(77, map.values().size());
            assertEquals(77, map.keySet().toArray().length);
            return null;
        });
        assertEquals(77, map.size());
    }

    @Test
    void iteratorIsASnapshotThatIgnoresLaterWrites() {
        TMap<Integer, Integer> map = new TMap<>();
        for (int i = 0; i < 50; i++) {
            map.put(i, i);
        }
        Iterator<Map.Entry<Integer, Integer>> it = map.entrySet().iterator();
        map.put(1000, 1000);
        map.remove(0);
        List<Integer> keys = new ArrayList<>();
        it.forEachRemaining(e -> keys.add(e.getKey()));
        assertEquals(50, keys.size());
        assertTrue(keys.contains(0));
        assertFalse(keys.contains(1000));
    }

    @Test
    void exceptionRollsBackEveryChange() {
        TMap<String, Integer> map = new TMap<>();
        for (int i = 0; i < 30; i++) {
            map.put("k" + i, i);
        }
        Map<String, Integer> before = map.snapshot();
        assertThrows(IllegalStateException.class, () -> Stm.atomic(() -> {
            for (int i = 0; i < 200; i++) {
                map.put("new" + i, i); // forces leaf splits too
            }
            map.remove("k3");
            map.clear();
            throw new IllegalStateException("boom");
        }));
        assertEquals(before, map);
        assertEquals(30, map.size());

        // Closed nesting: the inner block's writes go, the outer ones stay.
        Stm.atomic(() -> {
            map.put("outer", 1);
            try {
                Stm.atomic(() -> {
                    map.put("inner", 2);
                    map.remove("k1");
                    throw new IllegalArgumentException("inner");
                });
            } catch (IllegalArgumentException expected) {
                // go on
            }
        });
        assertEquals(1, map.get("outer"));
        assertNull(map.get("inner"));
        assertEquals(1, map.get("k1"));
        assertEquals(31, map.size());

        // A failing remapping function changes nothing, and a failing putAll is all or nothing.
        assertThrows(ArithmeticException.class, () -> map.compute("k2", (k, v) -> v / 0));
        assertEquals(2, map.get("k2"));
        Map<String, Integer> bad = new HashMap<>();
        bad.put("p1", 1);
        bad.put("p2", null);
        assertThrows(NullPointerException.class, () -> map.putAll(bad));
        assertNull(map.get("p1"));
    }

    @Test
    void equalsAndHashCodeFollowTheMapContract() {
        TMap<String, Integer> a = new TMap<>();
        TMap<String, Integer> b = TMap.named("b");
        assertEquals(a, b);
        assertEquals(a, Map.of());
        a.put("x", 1);
        assertNotEquals(a, b);
        b.put("x", 1);
        assertEquals(a, b);
        assertEquals(Map.of("x", 1), a);
        assertEquals(a, Map.of("x", 1));
        assertEquals(Map.of("x", 1).hashCode(), a.hashCode());
        assertNotEquals(a, Map.of("x", 2));
        assertNotEquals(a, Map.of("y", 1));
        assertNotEquals(a, Set.of("x"));
        assertEquals("b", b.name());
    }

    @Test
    void snapshotIsImmutableAndDetached() {
        TMap<Integer, Integer> map = new TMap<>();
        map.put(1, 1);
        Map<Integer, Integer> snap = map.snapshot();
        map.put(2, 2);
        assertEquals(Map.of(1, 1), snap);
        assertThrows(UnsupportedOperationException.class, () -> snap.put(3, 3));
    }

    @Test
    void sizeIsExactInsideATransaction() {
        TMap<Integer, Integer> map = new TMap<>();
        Stm.atomic(() -> {
            for (int i = 0; i < 100; i++) {
                map.put(i, i);
                assertEquals(i + 1, map.size());
            }
            map.remove(5);
            assertEquals(99, map.size());
        });
        assertEquals(99, map.size());
    }

    /**
     * A named map names each entry's cell after its key for diagnostics, but only when a report
     * shows it: a put never calls the key's toString (HashMap never does; a throwing one made put fail).
     */
    @Test
    void aNamedMapNeverCallsTheKeysToStringOnPut() {
        record Key(int id) {
            @Override
            public String toString() {
                throw new IllegalStateException("toString must not be called by put");
            }
        }
        TMap<Key, Integer> named = TMap.named("keys");
        named.put(new Key(1), 1);
        Stm.atomic(() -> named.put(new Key(2), 2));
        named.putIfAbsent(new Key(3), 3);
        assertEquals(3, named.size());
        String description = named.cellOf(new Key(1)).describe();
        assertTrue(description.startsWith("TRef 'keys{Key@"), description);
        TMap<String, Integer> plain = TMap.named("ids");
        plain.put("abc", 1);
        assertTrue(plain.cellOf("abc").describe().startsWith("TRef 'ids{abc}'"), plain.cellOf("abc").describe());
    }

    /**
     * keySet().removeAll of a collection holding a null removes the other keys: it threw
     * NullPointerException when the map was larger than the argument (AbstractSet then calls
     * remove(null)), which Collection.removeAll allows only for nulls of this collection.
     */
    @Test
    void keySetRemoveAllSkipsANullInTheArgument() {
        TMap<String, Integer> map = new TMap<>();
        map.putAll(Map.of("a", 1, "b", 2, "c", 3));
        assertTrue(map.keySet().removeAll(Arrays.asList("a", null)));
        assertEquals(Map.of("b", 2, "c", 3), map);
        assertFalse(map.keySet().removeAll(Arrays.asList(null, "zz", "yy", "xx")));
        assertEquals(Map.of("b", 2, "c", 3), map);
    }
}
