package io.stmactors.bench;

import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import org.multiverse.api.StmUtils;
import org.multiverse.api.callables.TxnVoidCallable;
import org.multiverse.api.references.TxnLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import scala.concurrent.stm.Ref;
import scala.concurrent.stm.japi.STM;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Row 3: move one unit between two counters (read and write two references) — the transaction of
 * the reference table in {@code shared/BENCHMARKING.md}.
 *
 * <p>Every state is {@link Scope#Thread}: each benchmark thread gets its own pair, created by
 * that thread (JMH runs thread-scoped set-up on the benchmark thread), so with {@code -t 2} the
 * two threads work on disjoint data and the run measures how the engine itself scales (global
 * clock, shared counters, false sharing). The harness runs this class with 1 and with 2 threads;
 * scaling = throughput(2) / throughput(1), both totals over all threads.
 *
 * <p>The lock variants guard the pair with one lock of their own (a {@code synchronized} block
 * over both counters), so they scale freely: this is the ceiling the STMs are compared with.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class TransferBench {

    @State(Scope.Thread)
    public static class Ours {
        final TLong from = TLong.of(1_000_000);
        final TLong to = TLong.of(0);
    }

    @State(Scope.Thread)
    public static class Locked {
        final Object monitor = new Object();
        final ReentrantLock lock = new ReentrantLock();
        long from = 1_000_000;
        long to;
    }

    @State(Scope.Thread)
    public static class ScalaStm {
        final Ref.View<Long> from = STM.newRef(1_000_000L);
        final Ref.View<Long> to = STM.newRef(0L);
    }

    @State(Scope.Thread)
    public static class Multiverse {
        final TxnLong from = StmUtils.newTxnLong(1_000_000);
        final TxnLong to = StmUtils.newTxnLong(0);
    }

    @State(Scope.Thread)
    public static class Bare {
        final BareTl2.Ref from = new BareTl2.Ref(1_000_000);
        final BareTl2.Ref to = new BareTl2.Ref(0);
    }

    @Benchmark
    public void ours(Ours s, StmCounters stm) {
        TLong from = s.from;
        TLong to = s.to;
        Stm.atomic(() -> {
            from.set(from.get() - 1);
            to.set(to.get() + 1);
        });
    }

    @Benchmark
    public void synchronizedBlock(Locked s) {
        synchronized (s.monitor) {
            s.from = s.from - 1;
            s.to = s.to + 1;
        }
    }

    @Benchmark
    public void reentrantLock(Locked s) {
        ReentrantLock lock = s.lock;
        lock.lock();
        try {
            s.from = s.from - 1;
            s.to = s.to + 1;
        } finally {
            lock.unlock();
        }
    }

    @Benchmark
    public void scalaStm(ScalaStm s) {
        Ref.View<Long> from = s.from;
        Ref.View<Long> to = s.to;
        STM.atomic(() -> {
            from.set(from.get() - 1);
            to.set(to.get() + 1);
        });
    }

    @Benchmark
    public void multiverse(Multiverse s) {
        TxnLong from = s.from;
        TxnLong to = s.to;
        StmUtils.atomic((TxnVoidCallable) txn -> {
            from.set(txn, from.get(txn) - 1);
            to.set(txn, to.get(txn) + 1);
        });
    }

    /** The reference floor (see {@link BareTl2}): our algorithm without the features. */
    @Benchmark
    public long bareTl2(Bare s) {
        BareTl2.Ref from = s.from;
        BareTl2.Ref to = s.to;
        return BareTl2.atomic(() -> {
            from.set(from.get() - 1);
            to.set(to.get() + 1);
            return 0;
        });
    }
}
