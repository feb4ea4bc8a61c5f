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
 * One thread builds maps: every put inserts a key that is not there yet, and after
 * {@value CollectionMaps#SIZE} insertions the map is dropped and a new empty one is started (its
 * creation is part of the measured time, spread over those insertions). So this row measures what
 * the put rows do not: a new entry's leaf copy (and now and then a split), cell and size count. The maps are young, as a map being built is. Contenders: {@code ours} (our
 * {@code TMap}), {@code concurrent} ({@code ConcurrentHashMap}), {@code scalaStm} (ScalaSTM's
 * {@code TMap}); see {@link CollectionMaps}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class MapInsertBench {

    /** The keys, boxed once, and the map of each contender being built (only the measured one is used). */
    @State(Scope.Thread)
    public static class Building {
        final Integer[] keys = new Integer[CollectionMaps.SIZE];
        int next;
        TMap<Integer, Integer> ours;
        Map<Integer, Integer> concurrent;
        Map<Integer, Integer> scalaStm;

        @Setup
        public void keys() {
            for (int i = 0; i < keys.length; i++) {
                keys[i] = i;
            }
        }

        /** The index of the next key to insert; 0 means the caller starts a new map first. */
        int take() {
            int i = next;
            next = i + 1 == keys.length ? 0 : i + 1;
            return i;
        }
    }

    @Benchmark
    public Integer ours(Building b, StmCounters stm) {
        int i = b.take();
        if (i == 0) {
            b.ours = new TMap<>();
        }
        return b.ours.put(b.keys[i], b.keys[i]);
    }

    @Benchmark
    public Integer concurrent(Building b) {
        int i = b.take();
        if (i == 0) {
            b.concurrent = new ConcurrentHashMap<>();
        }
        return b.concurrent.put(b.keys[i], b.keys[i]);
    }

    @Benchmark
    public Integer scalaStm(Building b) {
        int i = b.take();
        if (i == 0) {
            b.scalaStm = STM.newMap();
        }
        return b.scalaStm.put(b.keys[i], b.keys[i]);
    }
}
