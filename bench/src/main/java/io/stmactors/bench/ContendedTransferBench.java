package io.stmactors.bench;

import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import org.multiverse.api.StmUtils;
import org.multiverse.api.callables.TxnVoidCallable;
import org.multiverse.api.references.TxnLong;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;
import scala.concurrent.stm.Ref;
import scala.concurrent.stm.japi.STM;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Row 4: transfers between random pairs of a small shared set of {@value #ACCOUNTS} accounts, on
 * two threads — real conflicts. Report throughput together with the abort rate.
 *
 * <p>Every variant counts how often its transaction body ran ({@code bodyRuns}, a plain field of
 * the thread's own state) and how many transfers completed ({@code completed}); JMH reports both
 * as secondary results, so {@code (bodyRuns - completed) / bodyRuns} is the share of wasted
 * attempts for every STM alike (Multiverse also re-runs a body once when it learns that a
 * transaction writes; that counts here too). Ours additionally reports its own diagnostics
 * ({@link StmCounters}).
 *
 * <p>The lock variants lock both accounts in index order (fine-grained locking, deadlock-free),
 * the design a careful programmer would write without an STM.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(2)
public class ContendedTransferBench {
    static final int ACCOUNTS = 4;
    static final long INITIAL = 1_000_000;

    /** The thread's pair picker and its attempt counters. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Picker {
        /** Times a transaction body started (includes re-runs after aborts). */
        public long bodyRuns;
        /** Transactions (transfers) completed. */
        public long completed;
        private int seed;
        int from;
        int to;

        @Setup(Level.Trial)
        public void seed(ThreadParams thread) {
            seed = 0x9E3779B9 * (thread.getThreadIndex() + 1);
        }

        @Setup(Level.Iteration)
        public void clear() {
            bodyRuns = 0;
            completed = 0;
        }

        /** Picks two distinct accounts (xorshift: cheap, no shared state). */
        void pick() {
            int x = seed;
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            seed = x;
            from = x & (ACCOUNTS - 1);
            to = (from + 1 + (x >>> 2) % (ACCOUNTS - 1)) & (ACCOUNTS - 1);
        }
    }

    @State(Scope.Benchmark)
    public static class Ours {
        final TLong[] accounts = new TLong[ACCOUNTS];

        public Ours() {
            for (int i = 0; i < ACCOUNTS; i++) {
                accounts[i] = TLong.of(INITIAL);
            }
        }
    }

    @State(Scope.Benchmark)
    public static class Locked {
        final Object[] monitors = new Object[ACCOUNTS];
        final ReentrantLock[] locks = new ReentrantLock[ACCOUNTS];
        final long[] balances = new long[ACCOUNTS];

        public Locked() {
            for (int i = 0; i < ACCOUNTS; i++) {
                monitors[i] = new Object();
                locks[i] = new ReentrantLock();
                balances[i] = INITIAL;
            }
        }
    }

    @State(Scope.Benchmark)
    public static class ScalaStm {
        @SuppressWarnings("unchecked")
        final Ref.View<Long>[] accounts = new Ref.View[ACCOUNTS];

        public ScalaStm() {
            for (int i = 0; i < ACCOUNTS; i++) {
                accounts[i] = STM.newRef(INITIAL);
            }
        }
    }

    @State(Scope.Benchmark)
    public static class Multiverse {
        final TxnLong[] accounts = new TxnLong[ACCOUNTS];

        public Multiverse() {
            for (int i = 0; i < ACCOUNTS; i++) {
                accounts[i] = StmUtils.newTxnLong(INITIAL);
            }
        }
    }

    @Benchmark
    public void ours(Ours s, Picker p, StmCounters stm) {
        p.pick();
        TLong from = s.accounts[p.from];
        TLong to = s.accounts[p.to];
        Stm.atomic(() -> {
            p.bodyRuns++;
            from.set(from.get() - 1);
            to.set(to.get() + 1);
        });
        p.completed++;
    }

    @Benchmark
    public void synchronizedBlock(Locked s, Picker p) {
        p.pick();
        int from = p.from;
        int to = p.to;
        long[] b = s.balances;
        synchronized (s.monitors[Math.min(from, to)]) {
            synchronized (s.monitors[Math.max(from, to)]) {
                p.bodyRuns++;
                b[from] = b[from] - 1;
                b[to] = b[to] + 1;
            }
        }
        p.completed++;
    }

    @Benchmark
    public void reentrantLock(Locked s, Picker p) {
        p.pick();
        int from = p.from;
        int to = p.to;
        long[] b = s.balances;
        ReentrantLock first = s.locks[Math.min(from, to)];
        ReentrantLock second = s.locks[Math.max(from, to)];
        first.lock();
        try {
            second.lock();
            try {
                p.bodyRuns++;
                b[from] = b[from] - 1;
                b[to] = b[to] + 1;
            } finally {
                second.unlock();
            }
        } finally {
            first.unlock();
        }
        p.completed++;
    }

    @Benchmark
    public void scalaStm(ScalaStm s, Picker p) {
        p.pick();
        Ref.View<Long> from = s.accounts[p.from];
        Ref.View<Long> to = s.accounts[p.to];
        STM.atomic(() -> {
            p.bodyRuns++;
            from.set(from.get() - 1);
            to.set(to.get() + 1);
        });
        p.completed++;
    }

    @Benchmark
    public void multiverse(Multiverse s, Picker p) {
        p.pick();
        TxnLong from = s.accounts[p.from];
        TxnLong to = s.accounts[p.to];
        StmUtils.atomic((TxnVoidCallable) txn -> {
            p.bodyRuns++;
            from.set(txn, from.get(txn) - 1);
            to.set(txn, to.get(txn) + 1);
        });
        p.completed++;
    }
}
