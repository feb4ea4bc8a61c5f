package io.stmactors.bench;

import io.stmactors.bench.CollectionMaps.Cursor;
import io.stmactors.bench.CollectionMaps.RandomKeyMaps;
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
 * {@link MapGetBench} with keys whose hash codes are random ({@link RandomKeyMaps}): the lookups of
 * a map keyed by strings or UUIDs, where no hash function can fill the trie evenly.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class MapGetRandomKeysBench {

    @Benchmark
    public Integer ours(RandomKeyMaps m, Cursor c, StmCounters stm) {
        return m.ours.get(c.sharedKey(m));
    }

    @Benchmark
    public Integer concurrent(RandomKeyMaps m, Cursor c) {
        return m.concurrent.get(c.sharedKey(m));
    }

    @Benchmark
    public Integer scalaStm(RandomKeyMaps m, Cursor c) {
        return m.scalaStm.get(c.sharedKey(m));
    }
}
