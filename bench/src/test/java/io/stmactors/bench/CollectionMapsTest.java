package io.stmactors.bench;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

/** The put benchmarks really write: a key gets a different value object on each lap of its cycle. */
class CollectionMapsTest {

    @Test
    void everyPutOfASharedKeyAfterTheFirstLapReplacesTheValue() {
        CollectionMaps.Maps maps = new CollectionMaps.Maps();
        maps.fill();
        CollectionMaps.Cursor cursor = new CollectionMaps.Cursor();
        cursor.assign(maps);
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
        cursor.assign(maps);
        assertEveryLapChangesTheValue(CollectionMaps.Cursor.RANGE, () -> {
            Integer k = cursor.ownKey();
            return new Object[] {k, cursor.ownValue()};
        });
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
}
