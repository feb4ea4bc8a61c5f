package io.stmactors.bench;

import io.stmactors.stm.TMap;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;
import scala.concurrent.stm.japi.STM;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The maps the collection benchmarks compare: our {@link TMap}, {@link ConcurrentHashMap}, and
 * ScalaSTM's {@code TMap} through its {@code java.util.Map} view ({@code japi.STM.newMap()}), each
 * prefilled with the keys {@code 0 .. SIZE-1}. A call on either STM map outside a transaction is
 * one transaction.
 *
 * <p>The setup ends with a full GC, which moves every map into the old generation, where a
 * long-lived map lives. Without it, whether a map is still young when measured depends on the
 * garbage its own setup made (ScalaSTM's map allocates on every put, ours and
 * {@code ConcurrentHashMap} only on insertions), and a young map skips the costly part of G1's
 * write barrier: one run measured our puts at 21 M/s and the next at 4 M/s.
 */
public final class CollectionMaps {
    static final int SIZE = 1 << 14;

    /** System property that makes {@link Maps} prefill random keys instead of {@code 0 .. SIZE-1}. */
    static final String RANDOM_KEYS_PROPERTY = "stmactors.bench.randomKeys";

    private static final int[] RANDOM_KEYS = Boolean.getBoolean(RANDOM_KEYS_PROPERTY) ? randomKeys(SIZE) : null;

    /**
     * System property that makes {@link Cursor#ownKey()} walk the thread's key range in a shuffled
     * order (a fixed seed per thread) instead of key order ({@link MapDisjointPutShuffledBench}).
     */
    static final String SHUFFLED_WALK_PROPERTY = "stmactors.bench.shuffledWalk";

    /** {@code n} distinct random integers, the same on every call (a fixed seed). */
    static int[] randomKeys(int n) {
        return new java.util.SplittableRandom(20261202).ints().distinct().limit(n).toArray();
    }

    private CollectionMaps() {
    }

    /** One map of each kind, shared by the benchmark's threads, with the keys as boxed objects made once. */
    @State(Scope.Benchmark)
    public static class Maps {
        final TMap<Integer, Integer> ours = new TMap<>();
        final Map<Integer, Integer> concurrent = new ConcurrentHashMap<>();
        final Map<Integer, Integer> scalaStm = STM.newMap();
        final Integer[] keys = new Integer[SIZE];

        @Setup
        public void fill() {
            for (int i = 0; i < SIZE; i++) {
                keys[i] = key(i);
                ours.put(keys[i], i);
                concurrent.put(keys[i], i);
                scalaStm.put(keys[i], i);
            }
            afterFill();
            System.gc(); // into the old generation: see the class comment
        }

        /**
         * The {@code i}-th prefilled key: {@code i} itself (consecutive hash codes), or in a fork run
         * with {@value #RANDOM_KEYS_PROPERTY}{@code =true} ({@link MapGetRandomKeysBench}) the
         * {@code i}-th of {@value #SIZE} distinct random integers drawn once with a fixed seed, as a
         * map keyed by strings or UUIDs sees them (no trie can spread those evenly over its slots).
         */
        Integer key(int i) {
            return RANDOM_KEYS != null ? RANDOM_KEYS[i] : i;
        }

        /** More setup for a subclass, once the prefilled keys are in. */
        void afterFill() {
        }
    }

    /**
     * The most threads a row of the disjoint-key benchmarks runs: their maps hold the key ranges of
     * this many threads whichever thread count is measured.
     */
    static final int MAX_THREADS = 2;

    /**
     * The maps of the scaling rows ({@link MapDisjointPutBench}): besides the {@value #SIZE}
     * prefilled keys, each already holds the own key range of all {@value #MAX_THREADS} threads
     * (the keys {@link Cursor#ownKey()} walks). So the 1-thread and the 2-thread run measure the same
     * map (same size, same memory, same puts: every put replaces), and their ratio is what a second
     * thread costs or gains, not what a larger map costs.
     */
    @State(Scope.Benchmark)
    public static class FixedMaps extends Maps {
        @Override
        void afterFill() {
            for (int t = 0; t < MAX_THREADS; t++) {
                Integer[] own = Cursor.ownKeys(t);
                for (int i = 0; i < own.length; i++) {
                    Integer k = own[i];
                    ours.put(k, i);
                    concurrent.put(k, i);
                    scalaStm.put(k, i);
                }
            }
        }
    }

    /**
     * One benchmark thread's walk over keys: {@link #sharedKey} cycles through the prefilled keys;
     * {@link #ownKey} through a range of {@value #RANGE} keys no other thread uses (so threads never
     * write the same entry), already in a {@link FixedMaps} map, else inserted on the first lap and replaced
     * afterwards. {@link #value} and {@link #ownValue}
     * alternate between two objects from one lap of their key cycle to the next, so that every put really replaces
     * the value (a put of the value already there writes nothing, in every map).
     */
    @State(Scope.Thread)
    public static class Cursor {
        static final int RANGE = 1 << 16;
        int next;
        Integer[] own;
        final Integer[] values = {-1, -2};

        @Setup
        public void assign(ThreadParams thread) {
            assign(thread.getThreadIndex());
        }

        void assign(int threadIndex) {
            own = ownKeys(threadIndex);
            if (Boolean.getBoolean(SHUFFLED_WALK_PROPERTY)) {
                own = shuffled(own, threadIndex);
            }
        }

        /** A copy of {@code keys} (the same objects) in an order drawn with a fixed seed per thread. */
        static Integer[] shuffled(Integer[] keys, int threadIndex) {
            Integer[] walk = keys.clone();
            java.util.Collections.shuffle(java.util.Arrays.asList(walk), new java.util.Random(20261203L + threadIndex));
            return walk;
        }

        /**
         * The boxed keys of the range of the benchmark thread with index {@code thread}, made once
         * per JVM for the first {@value #MAX_THREADS} threads, so that a prefilled map
         * ({@link FixedMaps}) holds the very objects the thread then puts.
         */
        static Integer[] ownKeys(int thread) {
            return thread < MAX_THREADS ? OWN_KEYS[thread] : makeOwnKeys(thread);
        }

        private static final Integer[][] OWN_KEYS = new Integer[MAX_THREADS][];

        static {
            for (int t = 0; t < MAX_THREADS; t++) {
                OWN_KEYS[t] = makeOwnKeys(t);
            }
        }

        private static Integer[] makeOwnKeys(int thread) {
            Integer[] keys = new Integer[RANGE];
            for (int i = 0; i < RANGE; i++) {
                keys[i] = (thread + 1) * 10_000_000 + i;
            }
            return keys;
        }

        Integer sharedKey(Maps maps) {
            return maps.keys[next++ & (SIZE - 1)];
        }

        Integer ownKey() {
            return own[next++ & (RANGE - 1)];
        }

        /** The value for the key just taken by {@link #sharedKey}: changes every lap of the prefilled keys. */
        Integer value() {
            return values[((next - 1) / SIZE) & 1];
        }

        /**
         * The value for the key just taken by {@link #ownKey}: changes every lap of the thread's own range
         * (a lap of {@link #value()}'s length would give each own key the same value on every lap, so that
         * after the first lap no put would write).
         */
        Integer ownValue() {
            return values[((next - 1) / RANGE) & 1];
        }
    }
}
