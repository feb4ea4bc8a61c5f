package io.stmactors.bench;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The put benchmarks really write: a key gets a different value object on each lap of its cycle. */
class CollectionMapsTest {

    @Test
    void everyPutOfASharedKeyAfterTheFirstLapReplacesTheValue() {
        CollectionMaps.Maps maps = new CollectionMaps.Maps();
        maps.fill();
        CollectionMaps.Cursor cursor = new CollectionMaps.Cursor();
        cursor.assign(0);
        assertEveryLapChangesTheValue(CollectionMaps.SIZE, () -> {
            Integer k = cursor.sharedKey(maps);
            return new Object[] {k, cursor.value()};
        });
    }

    @Test
    void everyPutOfAnOwnKeyAfterTheFirstLapReplacesTheValue() {
        CollectionMaps.Maps maps = new CollectionMaps.Maps();
        maps.fill();
        CollectionMaps.Cursor cursor = new CollectionMaps.Cursor();
        cursor.assign(0);
        assertEveryLapChangesTheValue(CollectionMaps.Cursor.RANGE, () -> {
            Integer k = cursor.ownKey();
            return new Object[] {k, cursor.ownValue()};
        });
    }

    @Test
    void theScalingRowsMapHoldsEveryThreadsRangeSoBothThreadCountsMeasureTheSameMap() {
        CollectionMaps.FixedMaps maps = new CollectionMaps.FixedMaps();
        maps.fill();
        int expected = CollectionMaps.SIZE + CollectionMaps.MAX_THREADS * CollectionMaps.Cursor.RANGE;
        assertEquals(expected, maps.ours.size());
        assertEquals(expected, maps.concurrent.size());
        assertEquals(expected, maps.scalaStm.size());
        for (int t = 0; t < CollectionMaps.MAX_THREADS; t++) {
            CollectionMaps.Cursor cursor = new CollectionMaps.Cursor();
            cursor.assign(t);
            for (int i = 0; i < CollectionMaps.Cursor.RANGE; i++) {
                Integer k = cursor.ownKey();
                assertEquals(i, maps.ours.get(k), "thread " + t + "'s key " + k);
            }
        }
    }

    @Test
    void threadsWalkDisjointKeyRanges() {
        Set<Integer> a = new HashSet<>(Arrays.asList(CollectionMaps.Cursor.ownKeys(0)));
        List<Integer> b = Arrays.asList(CollectionMaps.Cursor.ownKeys(1));
        assertEquals(CollectionMaps.Cursor.RANGE, a.size());
        assertTrue(b.stream().noneMatch(a::contains), "the two threads' ranges overlap");
        List<Integer> c = Arrays.asList(CollectionMaps.Cursor.ownKeys(CollectionMaps.MAX_THREADS));
        assertEquals(CollectionMaps.Cursor.RANGE, new HashSet<>(c).size());
        assertTrue(c.stream().noneMatch(a::contains), "a thread beyond MAX_THREADS walks another's range");
    }

    @Test
    void aShuffledWalkPutsTheSameKeyObjectsOncePerLapInAnotherOrder() {
        Integer[] own = CollectionMaps.Cursor.ownKeys(0);
        Integer[] walk = CollectionMaps.Cursor.shuffled(own, 0);
        Map<Integer, Integer> position = new java.util.IdentityHashMap<>();
        for (int i = 0; i < own.length; i++) {
            position.put(own[i], i);
        }
        Set<Integer> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        int inPlace = 0;
        for (int i = 0; i < walk.length; i++) {
            assertTrue(position.containsKey(walk[i]), "not one of the range's key objects: " + walk[i]);
            assertTrue(seen.add(walk[i]), "walked twice in a lap: " + walk[i]);
            if (position.get(walk[i]) == i) {
                inPlace++;
            }
        }
        assertEquals(own.length, seen.size());
        assertTrue(inPlace < 100, inPlace + " of " + own.length + " keys kept their place");
        assertEquals(Arrays.asList(walk), Arrays.asList(CollectionMaps.Cursor.shuffled(own, 0)), "not the same order on every run");
    }

    private static void assertEveryLapChangesTheValue(int cycle, java.util.function.Supplier<Object[]> put) {
        Map<Object, Object> last = new HashMap<>();
        for (int i = 0; i < 3 * cycle; i++) {
            Object[] kv = put.get();
            Object previous = last.put(kv[0], kv[1]);
            if (i >= cycle) {
                assertNotSame(previous, kv[1], "put #" + i + " of key " + kv[0] + " writes the value already there");
            }
        }
        assertEquals(cycle, last.size());
    }
    @Test
    void everyPutOfTheInsertRowInsertsAndEachMapIsBuiltToItsFullSize() {
        MapInsertBench bench = new MapInsertBench();
        MapInsertBench.Building a = new MapInsertBench.Building();
        MapInsertBench.Building b = new MapInsertBench.Building();
        MapInsertBench.Building c = new MapInsertBench.Building(); // one per contender, as JMH gives each method its own run
        a.keys();
        b.keys();
        c.keys();
        for (int lap = 0; lap < 2; lap++) {
            for (int i = 0; i < CollectionMaps.SIZE; i++) {
                assertEquals(null, bench.ours(a, null), "key " + i + " was not there yet");
                assertEquals(null, bench.concurrent(b), "key " + i);
                assertEquals(null, bench.scalaStm(c), "key " + i);
            }
            assertEquals(CollectionMaps.SIZE, a.ours.size());
            assertEquals(CollectionMaps.SIZE, b.concurrent.size());
            assertEquals(CollectionMaps.SIZE, c.scalaStm.size());
        }
    }
}
