package io.stmactors.bench;

import io.stmactors.actors.Mode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Pekko's own actor workload, echo pairs, on both systems: {@value #PAIRS} pairs ({@value #ACTORS}
 * actors, as Pekko's {@code TypedActorBenchmark}); in each invocation every pair makes
 * {@value #ROUND_TRIPS} round trips, the sender keeping {@value #BATCH} pings in flight (it sends the
 * next batch when the last reply of the previous one is back, Pekko's {@code batchSize}). Score:
 * messages (pings plus replies) per second, {@code @OperationsPerInvocation} = {@value #MESSAGES}.
 *
 * <p>Systems and actors are created once per trial, never inside the measurement. An invocation
 * sends one {@code Go} to each sender and returns when every sender has had its last reply (a
 * {@code CountDownLatch}, counted down after commit in stm-actors), so every message of the
 * invocation has been handled before it ends. Dispatchers: {@code workers} threads (default 2),
 * throughput 50, for all three contenders.
 */
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class EchoPairsBench {
    static final int PAIRS = 256;
    static final int ACTORS = 2 * PAIRS;
    static final int ROUND_TRIPS = 1_000;
    static final int BATCH = 50;
    static final int MESSAGES = 2 * PAIRS * ROUND_TRIPS;

    /** The senders of an stm-actors system in one mode (each spawns its echo child when it starts). */
    @State(Scope.Benchmark)
    public abstract static class StmActorsPairs {
        @Param("2")
        public int workers;
        StmActorsWorkloads.Started pairs;

        abstract Mode mode();

        @Setup(Level.Trial)
        public void start() {
            pairs = StmActorsWorkloads.start(mode(), workers, "pair", PAIRS,
                    i -> StmActorsWorkloads.echoSender(ROUND_TRIPS, BATCH));
        }

        @TearDown(Level.Trial)
        public void stop() {
            pairs.close();
        }
    }

    @State(Scope.Benchmark)
    public static class SharedStm extends StmActorsPairs {
        @Override
        Mode mode() {
            return Mode.SHARED_STM;
        }
    }

    @State(Scope.Benchmark)
    public static class GlobalLock extends StmActorsPairs {
        @Override
        Mode mode() {
            return Mode.GLOBAL_LOCK;
        }
    }

    @State(Scope.Benchmark)
    public static class Pekko {
        @Param("2")
        public int workers;
        PekkoWorkloads.Started pairs;

        @Setup(Level.Trial)
        public void start() {
            pairs = PekkoWorkloads.start(workers, "pair", PAIRS, i -> PekkoWorkloads.echoSender(ROUND_TRIPS, BATCH));
        }

        @TearDown(Level.Trial)
        public void stop() {
            pairs.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void sharedStm(SharedStm s, ActorCounters counters) {
        Workloads.round(s.pairs, PAIRS, "echo round (SHARED_STM)");
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void globalLock(GlobalLock s, ActorCounters counters) {
        Workloads.round(s.pairs, PAIRS, "echo round (GLOBAL_LOCK)");
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void pekko(Pekko s) {
        Workloads.round(s.pairs, PAIRS, "echo round (Pekko)");
    }
}
