package io.stmactors.bench;

import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import org.multiverse.api.StmUtils;
import org.multiverse.api.callables.TxnLongCallable;
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
 * Row 2: a read-only transaction that sums ten {@code long} references and returns the sum
 * (returned, so JMH consumes it and the reads cannot be dropped). One thread.
 *
 * <p>The values are 0..9: the sum (45) is small enough that the STMs whose Java API boxes results
 * ({@code Long}) hit the JDK's small-value cache, so this row measures reads, not allocation.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class ReadOnlySumBench {
    static final int REFS = 10;

    @State(Scope.Thread)
    public static class Ours {
        final TLong[] refs = new TLong[REFS];

        public Ours() {
            for (int i = 0; i < REFS; i++) {
                refs[i] = TLong.of(i);
            }
        }
    }

    @State(Scope.Thread)
    public static class Locked {
        final Object monitor = new Object();
        final ReentrantLock lock = new ReentrantLock();
        final long[] values = new long[REFS];

        public Locked() {
            for (int i = 0; i < REFS; i++) {
                values[i] = i;
            }
        }
    }

    @State(Scope.Thread)
    public static class ScalaStm {
        @SuppressWarnings("unchecked")
        final Ref.View<Long>[] refs = new Ref.View[REFS];

        public ScalaStm() {
            for (int i = 0; i < REFS; i++) {
                refs[i] = STM.newRef((long) i);
            }
        }
    }

    @State(Scope.Thread)
    public static class Multiverse {
        final TxnLong[] refs = new TxnLong[REFS];

        public Multiverse() {
            for (int i = 0; i < REFS; i++) {
                refs[i] = StmUtils.newTxnLong(i);
            }
        }
    }

    @State(Scope.Thread)
    public static class Bare {
        final BareTl2.Ref[] refs = new BareTl2.Ref[REFS];

        public Bare() {
            for (int i = 0; i < REFS; i++) {
                refs[i] = new BareTl2.Ref(i);
            }
        }
    }

    @Benchmark
    public long ours(Ours s, StmCounters stm) {
        TLong[] refs = s.refs;
        return Stm.atomic(() -> {
            long sum = 0;
            for (TLong r : refs) {
                sum += r.get();
            }
            return sum;
        });
    }

    @Benchmark
    public long synchronizedBlock(Locked s) {
        synchronized (s.monitor) {
            long sum = 0;
            for (long v : s.values) {
                sum += v;
            }
            return sum;
        }
    }

    @Benchmark
    public long reentrantLock(Locked s) {
        ReentrantLock lock = s.lock;
        lock.lock();
        try {
            long sum = 0;
            for (long v : s.values) {
                sum += v;
            }
            return sum;
        } finally {
            lock.unlock();
        }
    }

    @Benchmark
    public long scalaStm(ScalaStm s) {
        Ref.View<Long>[] refs = s.refs;
        return STM.atomic(() -> {
            long sum = 0;
            for (Ref.View<Long> r : refs) {
                sum += r.get();
            }
            return sum;
        });
    }

    @Benchmark
    public long multiverse(Multiverse s) {
        TxnLong[] refs = s.refs;
        return StmUtils.atomic((TxnLongCallable) txn -> {
            long sum = 0;
            for (TxnLong r : refs) {
                sum += r.get(txn);
            }
            return sum;
        });
    }

    /** The reference floor (see {@link BareTl2}): our algorithm without the features. */
    @Benchmark
    public long bareTl2(Bare s) {
        BareTl2.Ref[] refs = s.refs;
        return BareTl2.atomic(() -> {
            long sum = 0;
            for (BareTl2.Ref r : refs) {
                sum += r.get();
            }
            return sum;
        });
    }
}
