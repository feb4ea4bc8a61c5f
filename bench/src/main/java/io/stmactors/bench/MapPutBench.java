package io.stmactors.bench;

import io.stmactors.bench.CollectionMaps.Cursor;
import io.stmactors.bench.CollectionMaps.Maps;
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
 * One thread replaces the value of existing keys with another object (the size stays constant).
 * Contenders: {@code ours} (our {@code TMap}), {@code concurrent} ({@code ConcurrentHashMap}),
 * {@code scalaStm} (ScalaSTM's {@code TMap}); see {@link CollectionMaps}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class MapPutBench {

    @Benchmark
    public Integer ours(Maps m, Cursor c, StmCounters stm) {
        Integer k = c.sharedKey(m);
        return m.ours.put(k, c.value());
    }

    @Benchmark
    public Integer concurrent(Maps m, Cursor c) {
        Integer k = c.sharedKey(m);
        return m.concurrent.put(k, c.value());
    }

    @Benchmark
    public Integer scalaStm(Maps m, Cursor c) {
        Integer k = c.sharedKey(m);
        return m.scalaStm.put(k, c.value());
    }
}
