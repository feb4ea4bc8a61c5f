package io.stmactors.bench;

import io.stmactors.bench.CollectionMaps.Cursor;
import io.stmactors.bench.CollectionMaps.FixedMaps;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Puts into one shared map, each thread replacing the values of its own key range: the
 * conflict-free case the hash trie is built for. The harness runs it with 1 and with 2 threads on
 * the same map ({@link FixedMaps}: the key ranges of both threads are in it from the start, and it
 * is in the old generation); scaling = throughput(2) / throughput(1), both totals over all threads.
 * Contenders: {@code ours} (our {@code TMap}), {@code concurrent} ({@code ConcurrentHashMap}),
 * {@code scalaStm} (ScalaSTM's {@code TMap}); see {@link CollectionMaps}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class MapDisjointPutBench {

    @Benchmark
    public Integer ours(FixedMaps m, Cursor c, StmCounters stm) {
        Integer k = c.ownKey();
        return m.ours.put(k, c.ownValue());
    }

    @Benchmark
    public Integer concurrent(FixedMaps m, Cursor c) {
        Integer k = c.ownKey();
        return m.concurrent.put(k, c.ownValue());
    }

    @Benchmark
    public Integer scalaStm(FixedMaps m, Cursor c) {
        Integer k = c.ownKey();
        return m.scalaStm.put(k, c.ownValue());
    }
}
