package io.stmactors.bench;

import io.stmactors.stm.TMap;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import scala.concurrent.stm.japi.STM;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The maps the collection benchmarks compare: our {@link TMap}, {@link ConcurrentHashMap}, and
 * ScalaSTM's {@code TMap} through its {@code java.util.Map} view ({@code japi.STM.newMap()}), each
 * prefilled with the keys {@code 0 .. SIZE-1}. A call on either STM map outside a transaction is
 * one transaction.
 */
public final class CollectionMaps {
    static final int SIZE = 1 << 14;

    private CollectionMaps() {
    }

    /** One map of each kind, shared by the benchmark's threads, with the keys as boxed objects made once. */
    @State(Scope.Benchmark)
    public static class Maps {
        final TMap<Integer, Integer> ours = new TMap<>();
        final Map<Integer, Integer> concurrent = new ConcurrentHashMap<>();
        final Map<Integer, Integer> scalaStm = STM.newMap();
        final Integer[] keys = new Integer[SIZE];
        final AtomicInteger threadIds = new AtomicInteger();

        @Setup
        public void fill() {
            for (int i = 0; i < SIZE; i++) {
                keys[i] = i;
                ours.put(keys[i], i);
                concurrent.put(keys[i], i);
                scalaStm.put(keys[i], i);
            }
        }
    }

    /**
     * One benchmark thread's walk over keys: {@link #sharedKey} cycles through the prefilled keys;
     * {@link #ownKey} through a range of {@value #RANGE} keys no other thread uses (so threads never
     * write the same entry), inserted on the first lap and replaced afterwards. {@link #value} and {@link #ownValue}
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
        public void assign(Maps maps) {
            int base = (maps.threadIds.getAndIncrement() + 1) * 10_000_000;
            own = new Integer[RANGE];
            for (int i = 0; i < RANGE; i++) {
                own[i] = base + i;
            }
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
