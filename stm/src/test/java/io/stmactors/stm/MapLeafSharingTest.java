package io.stmactors.stm;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leaves grown outside a transaction share their arrays of hashes and of keys and cells
 * ({@code MapTrie.Leaf.plusLocked}): each leaf must still see exactly its own entries, a
 * transaction's insertion must never write into an array another leaf uses, and concurrent insertions (with and without a transaction) and removals
 * into the same leaves must lose nothing.
 */
class MapLeafSharingTest {

    private static TRef<Object> cell() {
        return new TRef<>(null);
    }

    @Test
    void aGrownLeafSharesTheArraysAndEachLeafSeesOnlyItsOwnEntries() {
        List<MapTrie.Leaf> leaves = new ArrayList<>();
        List<TRef<Object>> cells = new ArrayList<>();
        MapTrie.Leaf leaf = MapTrie.Leaf.empty(MapTrie.ROOT_BITS);
        leaves.add(leaf);
        int shared = 0;
        for (int k = 0; k < MapTrie.LEAF_MAX; k++) {
            cells.add(cell());
            MapTrie.Leaf next = MapTrie.Leaf.plusLocked(leaf, MapTrie.spread(k), k, cells.get(k));
            if (MapTrie.Leaf.meta(next) == MapTrie.Leaf.meta(leaf)) {
                assertSame(leaf.kv, next.kv, "the two arrays are shared together");
                shared++;
            } else {
                assertNotSame(leaf.kv, next.kv, "the two arrays are copied together");
            }
            assertTrue(MapTrie.Leaf.meta(next).length <= 1 + MapTrie.LEAF_MAX, "room past LEAF_MAX");
            assertEquals(2 * (MapTrie.Leaf.meta(next).length - 1), next.kv.length, "as much room for keys as for hashes");
            leaf = next;
            leaves.add(leaf);
        }
        assertTrue(shared >= MapTrie.LEAF_MAX / 2, "most insertions should share the arrays, shared " + shared);
        for (int n = 0; n < leaves.size(); n++) {
            MapTrie.Leaf l = leaves.get(n);
            assertEquals(n, MapTrie.Leaf.size(l));
            assertEquals(MapTrie.ROOT_BITS, MapTrie.Leaf.shift(l));
            for (int k = 0; k < MapTrie.LEAF_MAX; k++) {
                int found = MapTrie.Leaf.find(l, MapTrie.spread(k), k);
                // the hashes of later entries may be in the shared array, past this leaf's own
                assertEquals(k < n ? k : -1, found, "leaf of " + n + " entries, key " + k);
                if (k < n) {
                    assertEquals(k, MapTrie.Leaf.key(l, k));
                    assertSame(cells.get(k), MapTrie.Leaf.cell(l, k));
                }
            }
        }
    }

    @Test
    void aTransactionsInsertionCopiesTheArrays() {
        MapTrie.Leaf leaf = MapTrie.Leaf.empty(MapTrie.ROOT_BITS);
        for (int k = 0; k < 5; k++) {
            leaf = MapTrie.Leaf.plusLocked(leaf, MapTrie.spread(k), k, cell());
        }
        int[] meta = MapTrie.Leaf.meta(leaf);
        int[] before = meta.clone();
        Object[] kvBefore = leaf.kv.clone();
        MapTrie.Leaf grown = MapTrie.Leaf.plus(leaf, MapTrie.spread(99), 99, cell());
        assertNotSame(meta, MapTrie.Leaf.meta(grown), "built before any lock is held: must not share");
        assertNotSame(leaf.kv, grown.kv, "built before any lock is held: must not share");
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(meta), "the old array changed");
        assertEquals(java.util.Arrays.toString(kvBefore), java.util.Arrays.toString(leaf.kv), "the old array changed");
        assertEquals(5, MapTrie.Leaf.find(grown, MapTrie.spread(99), 99));
        MapTrie.Leaf shrunk = MapTrie.Leaf.minus(leaf, 2);
        assertNotSame(meta, MapTrie.Leaf.meta(shrunk));
        assertEquals(-1, MapTrie.Leaf.find(shrunk, MapTrie.spread(2), 2));
        assertEquals(3, MapTrie.Leaf.find(shrunk, MapTrie.spread(4), 4));
        // a leaf grown from the shrunk one outside a transaction copies (the array has no room) ...
        MapTrie.Leaf regrown = MapTrie.Leaf.plusLocked(shrunk, MapTrie.spread(7), 7, cell());
        assertNotSame(MapTrie.Leaf.meta(shrunk), MapTrie.Leaf.meta(regrown));
        // ... and the next one shares
        assertSame(MapTrie.Leaf.meta(regrown),
                MapTrie.Leaf.meta(MapTrie.Leaf.plusLocked(regrown, MapTrie.spread(8), 8, cell())));
    }

    @Test
    void aLeafIsShippedWithItsOwnEntriesOnly() {
        MapTrie.Leaf leaf = MapTrie.Leaf.empty(MapTrie.ROOT_BITS);
        for (int k = 0; k < 5; k++) {
            leaf = MapTrie.Leaf.plusLocked(leaf, MapTrie.spread(k), k, cell());
        }
        MapTrie.Leaf.plusLocked(leaf, MapTrie.spread(5), 5, cell()); // a later leaf fills the shared room
        assertTrue(leaf.kv.length > 10, "the arrays keep room past the leaf");
        Object[] arrays = Replication.leafArrays(leaf);
        int[] hashes = (int[]) arrays[0];
        Object[] kv = (Object[]) arrays[1];
        assertEquals(6, hashes.length);
        assertEquals(10, kv.length);
        MapTrie.Leaf copy = (MapTrie.Leaf) Replication.leaf(hashes, kv);
        assertEquals(5, MapTrie.Leaf.size(copy));
        assertEquals(MapTrie.ROOT_BITS, MapTrie.Leaf.shift(copy));
        for (int k = 0; k < 6; k++) {
            assertEquals(k < 5 ? k : -1, MapTrie.Leaf.find(copy, MapTrie.spread(k), k));
        }
        assertSame(MapTrie.Leaf.empty(9), Replication.leaf(new int[] {9}, new Object[0]));
    }

    @Test
    void arraysThatAreNotALeafAreRefused() {
        TRef<Object> cell = cell();
        Object[][] badKv = {{1, cell}, {1}, {null, cell}, {1, "not a cell"}};
        int[][] badHashes = {{5}, {5, 7}, {5, 7}, {5, 7}};
        for (int i = 0; i < badKv.length; i++) {
            int[] h = badHashes[i];
            Object[] kv = badKv[i];
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Replication.leaf(h, kv));
            assertTrue(e.getMessage().contains("leaf") || e.getMessage().contains("cell"), e.getMessage());
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Replication.leaf(new int[] {99}, new Object[0]), "a depth out of range");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Replication.leaf(null, new Object[0]));
    }

    /**
     * Three threads (on two cores) insert and remove keys of their own in a small map, so that most
     * operations land in leaves another thread is growing, half of the insertions outside a
     * transaction (sharing hash arrays) and half inside one (copying them), while a reader checks
     * that every key a writer has announced as present, and not begun to remove, is there. In the end the
     * map holds exactly the keys each writer left in it. Bounded: a fixed number of rounds. With
     * the transactional insertion sharing arrays too (unsafe), it failed in most runs.
     */
    @RepeatedTest(5)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void mixedInsertionsAndRemovalsIntoSharedLeavesLoseNothing() throws Exception {
        int writers = 3;
        int keysPerWriter = 150; // 450 keys: about 14 per root slot, many leaves shared by all writers
        int rounds = 200;
        TMap<Integer, Integer> map = new TMap<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        // gen[w * keysPerWriter + i]: changes of writer w's key i, odd while it is in the map; a
        // writer makes it odd after its put and even before its removal (only w writes it)
        AtomicIntegerArray gen = new AtomicIntegerArray(writers * keysPerWriter);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int id = w;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    for (int r = 0; r < rounds && failures.isEmpty(); r++) {
                        for (int i = 0; i < keysPerWriter; i++) {
                            int key = i * writers + id; // interleaved: neighbours belong to others
                            int slot = id * keysPerWriter + i;
                            if (gen.get(slot) % 2 == 0) {
                                int value = r * 1000 + i;
                                if ((r + i) % 2 == 0) {
                                    map.put(key, value);
                                } else {
                                    Stm.atomic(() -> map.put(key, value));
                                }
                                Integer seen = map.get(key);
                                if (seen == null || seen != value) {
                                    failures.add("writer " + id + " put " + key + "=" + value + " and read " + seen);
                                }
                                gen.incrementAndGet(slot);
                            } else if ((r * 7 + i) % 3 == 0) {
                                gen.incrementAndGet(slot); // before the removal: the reader must not expect it
                                if (map.remove(key) == null) {
                                    failures.add("writer " + id + " removed " + key + " and found nothing");
                                }
                            }
                        }
                    }
                } catch (Throwable t) {
                    failures.add("writer " + id + ": " + t);
                }
            }, "leaf-sharing-writer-" + w));
        }
        Thread reader = new Thread(() -> {
            try {
                start.await();
                while (threads.stream().anyMatch(Thread::isAlive) && failures.isEmpty()) {
                    for (int s = 0; s < gen.length(); s++) {
                        int before = gen.get(s);
                        if (before % 2 == 1) {
                            int key = (s % keysPerWriter) * writers + s / keysPerWriter;
                            if (map.get(key) == null && gen.get(s) == before) {
                                failures.add("key " + key
                                        + " was in the map and no removal had begun, but get found nothing");
                            }
                        }
                    }
                }
            } catch (Throwable t) {
                failures.add("reader: " + t);
            }
        }, "leaf-sharing-reader");
        threads.forEach(Thread::start);
        reader.start();
        start.countDown();
        for (Thread t : threads) {
            t.join(20_000);
            assertFalse(t.isAlive(), t.getName() + " did not finish its rounds in 20 s");
        }
        reader.join(10_000);
        assertFalse(reader.isAlive(), "the reader did not stop");
        assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
        Map<Integer, Integer> snapshot = map.snapshot();
        int expectedSize = 0;
        for (int s = 0; s < gen.length(); s++) {
            int key = (s % keysPerWriter) * writers + s / keysPerWriter;
            boolean in = gen.get(s) % 2 == 1;
            expectedSize += in ? 1 : 0;
            assertEquals(in, snapshot.containsKey(key), "key " + key);
        }
        assertEquals(expectedSize, snapshot.size());
        assertEquals(expectedSize, map.size());
    }
}
