package io.stmactors.stm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The value cells of {@link TMap} entries ({@link MapCell}): values kept in shared blocks, one slot
 * per cell, never shared, also when threads insert concurrently or insertions abort.
 */
class MapCellTest {

    @Test
    void entriesInsertedByOneThreadShareBlocks() {
        TMap<Integer, String> map = new TMap<>();
        int n = 3 * MapCell.Blocks.SIZE;
        for (int i = 0; i < n; i++) {
            map.put(i, "v" + i);
        }
        List<Integer> sizes = new ArrayList<>();
        Object[] last = null;
        for (int i = 0; i < n; i++) {
            MapCell<?> cell = assertInstanceOf(MapCell.class, map.cellOf(i));
            if (cell.block() != last) {
                last = cell.block();
                sizes.add(last.length);
                assertEquals(0, cell.index(), "a new block is taken from its first slot");
            }
            assertEquals("v" + i, cell.get());
        }
        // One thread takes the slots of its stripe's blocks in order; blocks double up to SIZE.
        assertEquals(List.of(8, 16, 32, 64, 128, 128, 128), sizes);
    }

    @Test
    void replacingAValueWritesOnlyItsSlot() {
        TMap<Integer, Integer> map = new TMap<>();
        for (int i = 0; i < 200; i++) {
            map.put(i, i);
        }
        map.put(7, 700);                                 // outside a transaction
        Stm.atomic(() -> map.put(8, 800));               // inside one
        for (int i = 0; i < 200; i++) {
            assertEquals(i == 7 ? 700 : i == 8 ? 800 : i, map.get(i), "key " + i);
        }
    }

    @Test
    void anAbortedInsertionLeavesNoEntryAndItsSlotIsNotReused() {
        TMap<String, String> map = new TMap<>();
        map.put("a", "1");
        MapCell<?> first = (MapCell<?>) map.cellOf("a");
        RuntimeException boom = new RuntimeException("boom");
        java.util.concurrent.atomic.AtomicReference<MapCell<?>> rolledBack = new java.util.concurrent.atomic.AtomicReference<>();
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> Stm.atomic(() -> {
            map.put("b", "2");
            rolledBack.set((MapCell<?>) map.cellOf("b"));
            assertEquals("2", map.get("b"), "the transaction sees its own insertion");
            throw boom;
        }));
        assertEquals(boom, thrown);
        assertNull(map.get("b"));
        MapCell<?> b = rolledBack.get();
        assertNull(b.block()[b.index()], "the rolled-back value is not kept reachable by the block");
        assertEquals(1, map.size());
        map.put("c", "3");
        MapCell<?> third = (MapCell<?>) map.cellOf("c");
        assertTrue(third.block() == first.block(), "same thread, same block");
        // Slot 1 went to the rolled-back insertion of "b" and is not handed out again.
        assertEquals(b.index() + 1, third.index());
        assertEquals(first.index() + 2, third.index());
        assertEquals("1", map.get("a"));
        assertEquals("3", map.get("c"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentInsertersNeverShareASlotNorLoseAValue() throws Exception {
        int threads = 4;
        int perThread = 5_000;
        TMap<Integer, Integer> map = new TMap<>();
        CyclicBarrier start = new CyclicBarrier(threads);
        StmTestSupport.runWorkers("inserter", threads, 60_000, t -> {
            int base = t * perThread;
            start.await();
            for (int i = 0; i < perThread; i++) {
                int k = base + i;
                if ((i & 1) == 0) {
                    map.put(k, -k);
                } else {
                    Stm.atomic(() -> map.put(k, -k));
                }
            }
            for (int i = 0; i < perThread; i++) {
                map.put(base + i, base + i); // replace, outside a transaction
            }
        });
        assertEquals(threads * perThread, map.size());
        Map<Object[], Set<Integer>> slots = new IdentityHashMap<>();
        for (int k = 0; k < threads * perThread; k++) {
            assertEquals(k, map.get(k), "key " + k);
            MapCell<?> cell = (MapCell<?>) map.cellOf(k);
            assertTrue(slots.computeIfAbsent(cell.block(), b -> new HashSet<>()).add(cell.index()),
                    "two entries share a slot (key " + k + ")");
        }
        assertFalse(slots.isEmpty());
    }

    @Test
    void everySlotOfAFullBlockIsKeptInTheCellsHashAndOneTransactionCanWriteThemAll() {
        assertTrue(MapCell.Blocks.SIZE <= 1 << (Integer.SIZE - MapCell.INDEX_SHIFT),
                "a block's slots fit in the bits of the hash above INDEX_SHIFT");
        TMap<Integer, Integer> map = new TMap<>();
        int n = 8 + 16 + 32 + 64 + MapCell.Blocks.SIZE; // the fifth block is the first of full size
        for (int i = 0; i < n; i++) {
            map.put(i, i);
        }
        Object[] block = ((MapCell<?>) map.cellOf(n - 1)).block();
        assertEquals(MapCell.Blocks.SIZE, block.length);
        List<Integer> keys = new ArrayList<>();
        Set<Integer> lowBits = new HashSet<>();
        int lowBitsAreTheSlot = 0;
        for (int i = 0; i < n; i++) {
            MapCell<?> cell = (MapCell<?>) map.cellOf(i);
            if (cell.block() == block) {
                assertEquals(keys.size(), cell.index(), "slots are handed out in order, the last one too");
                lowBits.add(cell.hash & 63);
                if ((cell.hash & 63) == (cell.index() & 63)) {
                    lowBitsAreTheSlot++;
                }
                keys.add(i);
            }
        }
        assertEquals(MapCell.Blocks.SIZE, keys.size());
        // The engine hashes a write set on the low bits of each cell's hash: they must stay random,
        // not follow the slot (random: about 55 distinct values of 64, and 2 equal to the slot's).
        assertTrue(lowBits.size() > 32, "low hash bits of one block's cells: " + lowBits.size() + " distinct");
        assertTrue(lowBitsAreTheSlot < 32, lowBitsAreTheSlot + " cells have the slot in their low hash bits");
        Stm.atomic(() -> {
            for (int k : keys) {
                map.put(k, -k);
            }
            for (int k : keys) {
                assertEquals(-k, map.get(k), "the transaction reads its own write of key " + k);
            }
        });
        for (int i = 0; i < n; i++) {
            assertEquals(keys.contains(i) ? -i : i, map.get(i), "key " + i);
            if (keys.contains(i)) {
                assertEquals(-i, block[((MapCell<?>) map.cellOf(i)).index()], "key " + i + "'s slot");
            }
        }
    }

    @Test
    void aSetsEntriesShareOneConstantCell() {
        TSet<String> set = new TSet<>();
        set.add("x");
        set.add("y");
        TMap<String, Boolean> map = TMap.forSet(null);
        map.put("x", Boolean.TRUE);
        map.put("y", Boolean.TRUE);
        assertTrue(map.cellOf("x") == map.cellOf("y"));
        assertNotEquals(MapCell.class, map.cellOf("x").getClass());
        assertTrue(set.contains("x") && set.contains("y"));
    }
}
