package io.stmactors.stm;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code TMap.put} of a key present, outside a transaction, is one locked write of the key's value
 * cell (after checking that its leaf still lists the cell), not a transaction. Transactions must still see it atomically: a transaction that reads a
 * key twice never sees two values (opacity), and no replacement is lost to a concurrent
 * transactional write or split of the same leaf.
 */
@Tag("stress")
class TMapSingleWriteStressTest {

    @Test
    void transactionsNeverSeeAReplacementHalfWayAndNoneIsLost() throws Exception {
        int keys = 64; // few keys, a few leaves: writers and readers meet on the same slots
        TMap<Integer, Long> map = new TMap<>();
        for (int k = 0; k < keys; k++) {
            map.put(k, 0L);
        }
        int rounds = 40_000;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> torn = new AtomicReference<>();
        AtomicLong checks = new AtomicLong();
        // Replacer: key k gets 1, 2, 3, ... outside any transaction (each put replaces).
        Thread replacer = new Thread(() -> {
            for (long r = 1; r <= rounds; r++) {
                for (int k = 0; k < keys; k += 2) {
                    Long previous = map.put(k, r);
                    if (previous == null || previous != r - 1) {
                        torn.compareAndSet(null, "put of key " + k + " round " + r + " replaced " + previous);
                    }
                }
            }
        });
        // Transactional writer on the other keys, with inserts and removals that split and rewrite
        // the same leaves as the replacer's slots.
        Thread txnWriter = new Thread(() -> {
            int extra = 1000;
            while (!stop.get()) {
                int e = extra++;
                Stm.atomic(() -> {
                    for (int k = 1; k < keys; k += 2) {
                        map.put(k, map.get(k) + 1);
                    }
                    map.put(e, 1L);
                    if (e % 2 == 0) {
                        map.remove(e - 1);
                    }
                });
            }
        });
        // Reader: reads each replaced key twice in one transaction; the two reads must agree.
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                Stm.atomic(() -> {
                    for (int k = 0; k < keys; k += 2) {
                        Long a = map.get(k);
                        Thread.onSpinWait();
                        Long b = map.get(k);
                        if (!a.equals(b)) {
                            torn.compareAndSet(null, "a transaction read key " + k + " as " + a + " then " + b);
                        }
                    }
                });
                checks.incrementAndGet();
            }
        });
        txnWriter.start();
        reader.start();
        replacer.start();
        replacer.join(120_000);
        stop.set(true);
        txnWriter.join(30_000);
        reader.join(30_000);
        assertNull(torn.get());
        assertTrue(checks.get() > 0, "the reader ran");
        for (int k = 0; k < keys; k += 2) {
            assertEquals(rounds, map.get(k), "key " + k + ": every replacement applied, in order");
        }
        long txnValue = map.get(1);
        for (int k = 1; k < keys; k += 2) {
            assertEquals(txnValue, map.get(k), "the transactional writer's keys moved together");
        }
    }

    @Test
    void aReplacementRacingClearIsNeverLost() throws Exception {
        // Each round: the map holds the key; one thread replaces its value, another clears the map.
        // Whichever order they linearize in, afterwards the key is either absent (clear last) or
        // maps to the new value (put last): never the old value, never a write into a detached part.
        TMap<Integer, String> map = new TMap<>();
        for (int k = 0; k < 2_000; k++) {
            map.put(k, "filler"); // deep trie: the key's slot is well below the root
        }
        for (int round = 0; round < 3_000; round++) {
            int key = round % 2_000;
            map.put(key, "old");
            String fresh = "new-" + round;
            Thread put = new Thread(() -> map.put(key, fresh));
            Thread clear = new Thread(map::clear);
            put.start();
            clear.start();
            put.join();
            clear.join();
            String now = map.get(key);
            assertTrue(now == null || now.equals(fresh), "round " + round + ": key maps to " + now);
            assertEquals(now == null ? 0 : 1, map.size(), "size agrees with the content");
            if (now == null) {
                for (int k = 0; k < 2_000; k++) {
                    map.put(k, "filler");
                }
            } else {
                map.remove(key);
                for (int k = 0; k < 2_000; k++) {
                    map.putIfAbsent(k, "filler");
                }
            }
        }
    }

    @Test
    void everyValuePutLeavesTheMapExactlyOnceDespiteRemovalsAndLeafRewrites() throws Exception {
        // A writer puts 1, 2, 3, ... into one key outside transactions (replacing in place when the
        // key is present, inserting otherwise); a remover takes the key out; a churner inserts and
        // removes keys of the same leaf, so that leaf is rewritten (and split once) under the
        // writer. Every value must leave the map exactly once: as the previous value returned by
        // the writer's next put, as a removed value, or as the final value. A replacement written
        // into a cell its leaf no longer lists would be lost (count 0); one seen twice, duplicated.
        TMap<Integer, Integer> map = new TMap<>();
        int key = 7;
        int mask = (1 << (MapTrie.ROOT_BITS + 2 * MapTrie.BRANCH_BITS)) - 1;
        int path = MapTrie.spread(Integer.hashCode(key)) & mask;
        List<Integer> neighbours = new ArrayList<>();
        for (int k = 1_000; neighbours.size() < MapTrie.LEAF_MAX + 2; k++) {
            if ((MapTrie.spread(Integer.hashCode(k)) & mask) == path) {
                neighbours.add(k);
            }
        }
        int limit = 150_000;
        AtomicIntegerArray left = new AtomicIntegerArray(limit + 1);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong removals = new AtomicLong();
        AtomicLong written = new AtomicLong();
        long deadline = System.nanoTime() + 30_000_000_000L;
        Thread writer = new Thread(() -> {
            for (int v = 1; v <= limit && System.nanoTime() < deadline; v++) {
                Integer previous = map.put(key, v);
                if (previous != null) {
                    left.incrementAndGet(previous);
                }
                written.set(v);
            }
            done.set(true);
        });
        Thread remover = new Thread(() -> {
            while (!done.get()) {
                Integer removed = map.remove(key);
                if (removed != null) {
                    left.incrementAndGet(removed);
                    removals.incrementAndGet();
                }
                for (int spin = 0; spin < 200; spin++) {
                    Thread.onSpinWait(); // let the writer replace in place a few times in between
                }
            }
        });
        Thread churner = new Thread(() -> {
            for (int round = 0; !done.get(); round++) {
                for (int k : neighbours) {
                    if ((round & 1) == 0) {
                        map.put(k, round);
                    } else {
                        map.remove(k);
                    }
                }
            }
        });
        churner.start();
        remover.start();
        writer.start();
        writer.join(60_000);
        remover.join(30_000);
        churner.join(30_000);
        assertTrue(done.get(), "the writer finished");
        Integer last = map.remove(key);
        if (last != null) {
            left.incrementAndGet(last);
        }
        long n = written.get();
        assertTrue(n >= 10_000, "the writer made progress: " + n);
        assertTrue(removals.get() > 0, "removals raced the writer");
        for (int v = 1; v <= n; v++) {
            assertEquals(1, left.get(v), "value " + v + " left the map this many times");
        }
    }
}
