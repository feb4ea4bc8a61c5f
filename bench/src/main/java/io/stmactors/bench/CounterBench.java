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
 * Row 1: the smallest useful transaction — read one {@code long} counter and write it back plus
 * one — on one thread, nobody else touching it. Each STM does an explicit read then write (no
 * commuting increment), the lock variants do the same under a real, heap-allocated lock.
 *
 * <p>The counter and the lock live in a {@link Scope#Thread} state, so they escape to the heap
 * and the JIT cannot elide the lock or fold the value.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class CounterBench {

    @State(Scope.Thread)
    public static class Ours {
        final TLong counter = TLong.of(0);
    }

    @State(Scope.Thread)
    public static class Locked {
        final Object monitor = new Object();
        final ReentrantLock lock = new ReentrantLock();
        long counter;
    }

    @State(Scope.Thread)
    public static class ScalaStm {
        final Ref.View<Long> counter = STM.newRef(0L);
    }

    @State(Scope.Thread)
    public static class Multiverse {
        final TxnLong counter = StmUtils.newTxnLong(0);
    }

    @State(Scope.Thread)
    public static class Bare {
        final BareTl2.Ref counter = new BareTl2.Ref(0);
    }

    @Benchmark
    public void ours(Ours s, StmCounters stm) {
        TLong c = s.counter;
        Stm.atomic(() -> c.set(c.get() + 1));
    }

    @Benchmark
    public void synchronizedBlock(Locked s) {
        synchronized (s.monitor) {
            s.counter = s.counter + 1;
        }
    }

    @Benchmark
    public void reentrantLock(Locked s) {
        ReentrantLock lock = s.lock;
        lock.lock();
        try {
            s.counter = s.counter + 1;
        } finally {
            lock.unlock();
        }
    }

    @Benchmark
    public void scalaStm(ScalaStm s) {
        Ref.View<Long> c = s.counter;
        STM.atomic(() -> c.set(c.get() + 1));
    }

    @Benchmark
    public void multiverse(Multiverse s) {
        TxnLong c = s.counter;
        StmUtils.atomic((TxnVoidCallable) txn -> c.set(txn, c.get(txn) + 1));
    }

    /** The reference floor (see {@link BareTl2}): our algorithm without the features. */
    @Benchmark
    public long bareTl2(Bare s) {
        BareTl2.Ref c = s.counter;
        return BareTl2.atomic(() -> {
            c.set(c.get() + 1);
            return 0;
        });
    }
}
