package io.stmactors.stm;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trie's hash ({@link MapTrie#spread}): a bijection that fills the trie evenly with consecutive
 * keys and still spreads keys whose hash codes differ only in their high bits.
 */
class MapTrieSpreadTest {
    private static final int ROOT_MASK = MapTrie.ROOT_SIZE - 1;
    /** Root slot and first branch level together: the slots under which a leaf holds keys. */
    private static final int TWO_LEVEL_MASK = (1 << (MapTrie.ROOT_BITS + MapTrie.BRANCH_BITS)) - 1;

    private static int[] counts(int[] hashCodes, int mask) {
        int[] counts = new int[mask + 1];
        for (int h : hashCodes) {
            counts[MapTrie.spread(h) & mask]++;
        }
        return counts;
    }

    private static int min(int[] xs) {
        int m = Integer.MAX_VALUE;
        for (int x : xs) {
            m = Math.min(m, x);
        }
        return m;
    }

    private static int max(int[] xs) {
        int m = Integer.MIN_VALUE;
        for (int x : xs) {
            m = Math.max(m, x);
        }
        return m;
    }

    @Test
    void distinctHashCodesKeepDistinctTrieHashes() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            // consecutive codes, codes that differ only in high bits, and their negatives
            for (int h : new int[] {i, i << 15, -i - 1}) {
                seen.add(h);
            }
        }
        Set<Integer> spread = new HashSet<>();
        for (int h : seen) {
            spread.add(MapTrie.spread(h));
        }
        assertEquals(seen.size(), spread.size(), "spread must be a bijection: two hash codes collided");
    }

    @Test
    void consecutiveKeysFillTheSlotsEvenly() {
        int n = 1 << 14;
        int[] codes = new int[n];
        for (int i = 0; i < n; i++) {
            codes[i] = Integer.valueOf(i).hashCode();
        }
        int[] root = counts(codes, ROOT_MASK);
        int[] two = counts(codes, TWO_LEVEL_MASK);
        int perRoot = n / MapTrie.ROOT_SIZE;
        int perTwo = n / (TWO_LEVEL_MASK + 1);
        assertTrue(min(root) >= perRoot - 2 && max(root) <= perRoot + 2,
                "root slots hold " + min(root) + ".." + max(root) + " of " + n + " consecutive keys");
        assertTrue(min(two) >= perTwo - 2 && max(two) <= perTwo + 2,
                "second-level slots hold " + min(two) + ".." + max(two) + " of " + n + " consecutive keys");
    }

    @Test
    void hashCodesThatDifferOnlyInHighBitsStillSpread() {
        // 256 hash codes differing only in their top 8 bits: every root slot gets some
        int[] highOnly = new int[256];
        for (int i = 0; i < highOnly.length; i++) {
            highOnly[i] = i << 24;
        }
        int[] root = counts(highOnly, ROOT_MASK);
        assertTrue(min(root) > 0 && max(root) <= 3 * highOnly.length / MapTrie.ROOT_SIZE,
                "root slots hold " + min(root) + ".." + max(root) + " of 256 high-bit-only hash codes");

        // Double keys 1.0 .. 4096.0: their hash codes have many low zero bits
        int[] doubles = new int[4096];
        for (int i = 0; i < doubles.length; i++) {
            doubles[i] = Double.valueOf(i + 1).hashCode();
        }
        int[] rootOfDoubles = counts(doubles, ROOT_MASK);
        int mean = doubles.length / MapTrie.ROOT_SIZE;
        assertTrue(min(rootOfDoubles) >= mean / 2 && max(rootOfDoubles) <= 2 * mean,
                "root slots hold " + min(rootOfDoubles) + ".." + max(rootOfDoubles) + " of 4096 Double keys");
    }

    @Test
    void aMapOfConsecutiveKeysFindsEveryKey() {
        TMap<Integer, Integer> map = new TMap<>();
        int n = 1 << 14;
        for (int i = 0; i < n; i++) {
            map.put(i, -i);
        }
        assertEquals(n, map.size());
        for (int i = 0; i < n; i++) {
            assertEquals(-i, map.get(i));
        }
        assertEquals(null, map.get(n));
    }
}
