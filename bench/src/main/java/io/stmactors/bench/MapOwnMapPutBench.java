package io.stmactors.bench;

import io.stmactors.stm.TMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;
import scala.concurrent.stm.japi.STM;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The control of {@link MapDisjointPutBench}: the same puts (values replaced in a thread's own key
 * range of {@value CollectionMaps.Cursor#RANGE} keys, in a map that also holds
 * {@value CollectionMaps#SIZE} other keys and was moved into the old generation), but each thread
 * into a map of its own. The threads then share no memory they write, so comparing the two
 * benchmarks' scaling separates what one shared map costs (cache lines both threads use) from what
 * the machine allows. Each thread's map is smaller than the shared one, which holds both ranges.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class MapOwnMapPutBench {

    /** One thread's maps (one of each kind) and its walk over its own key range. */
    @State(Scope.Thread)
    public static class Own {
        final TMap<Integer, Integer> ours = new TMap<>();
        final Map<Integer, Integer> concurrent = new ConcurrentHashMap<>();
        final Map<Integer, Integer> scalaStm = STM.newMap();
        Integer[] own;
        final Integer[] values = {-1, -2};
        int next;

        @Setup
        public void fill(ThreadParams thread) {
            own = CollectionMaps.Cursor.ownKeys(thread.getThreadIndex());
            for (int i = 0; i < CollectionMaps.SIZE; i++) {
                Integer k = i;
                ours.put(k, i);
                concurrent.put(k, i);
                scalaStm.put(k, i);
            }
            for (int i = 0; i < own.length; i++) {
                ours.put(own[i], i);
                concurrent.put(own[i], i);
                scalaStm.put(own[i], i);
            }
            System.gc(); // into the old generation, as in CollectionMaps.Maps
        }

        Integer key() {
            return own[next++ & (own.length - 1)];
        }

        /** Changes every lap of the key range, so that every put writes a new value. */
        Integer value() {
            return values[((next - 1) / own.length) & 1];
        }
    }

    @Benchmark
    public Integer ours(Own s) {
        Integer k = s.key();
        return s.ours.put(k, s.value());
    }

    @Benchmark
    public Integer concurrent(Own s) {
        Integer k = s.key();
        return s.concurrent.put(k, s.value());
    }

    @Benchmark
    public Integer scalaStm(Own s) {
        Integer k = s.key();
        return s.scalaStm.put(k, s.value());
    }
}
