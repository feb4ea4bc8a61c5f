package io.stmactors.stm;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code TMap.put} of a key present, outside a transaction, is one compare-and-set of the key's
 * slot, not a transaction. Transactions must still see it atomically: a transaction that reads a
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
}
