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
import scala.concurrent.stm.japi.STM;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The control of {@link MapDisjointPutBench}: the same puts (a prefilled map of
 * {@value CollectionMaps#SIZE} keys, then a key range of {@value CollectionMaps.Cursor#RANGE}
 * inserted on the first lap and replaced afterwards), but each thread into a map of its own. The
 * threads then share no memory they write, so comparing the two benchmarks' scaling separates what
 * one shared map costs (cache lines both threads write) from what the machine's memory allows.
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
        final Integer[] own = new Integer[CollectionMaps.Cursor.RANGE];
        final Integer[] values = {-1, -2};
        int next;

        @Setup
        public void fill() {
            for (int i = 0; i < CollectionMaps.SIZE; i++) {
                Integer k = i;
                ours.put(k, i);
                concurrent.put(k, i);
                scalaStm.put(k, i);
            }
            for (int i = 0; i < own.length; i++) {
                own[i] = 10_000_000 + i;
            }
        }

        Integer key() {
            return own[next++ & (own.length - 1)];
        }

        /** Changes every lap of the key range, so that every put after the first lap replaces. */
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
