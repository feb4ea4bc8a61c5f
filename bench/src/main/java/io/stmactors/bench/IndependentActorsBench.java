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
 * Scaling on independent actors: {@value #ACTORS} actors that share nothing; per invocation each
 * handles {@value #STEPS} messages it sends itself one at a time, each message doing a few hundred
 * nanoseconds of arithmetic ({@link Workloads#work}), so the dispatcher's work is measurable and
 * spread over all workers. Score: messages per second; run at {@code workers=1} and
 * {@code workers=2} (the suite's two rows), the ratio is the scaling of each system. In
 * {@code GLOBAL_LOCK} every handler holds the global lock, so it should not scale.
 *
 * <p>Systems are created once per trial; an invocation sends one {@code Go} per actor and returns
 * when every actor has handled its last step (latch counted down after commit in stm-actors).
 */
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class IndependentActorsBench {
    static final int ACTORS = 16;
    static final int STEPS = 2_000;
    static final int MESSAGES = ACTORS * STEPS;

    /** The independent actors of an stm-actors system in one mode. */
    @State(Scope.Benchmark)
    public abstract static class StmActorsChains {
        @Param({"1", "2"})
        public int workers;
        StmActorsWorkloads.Started chains;

        abstract Mode mode();

        @Setup(Level.Trial)
        public void start() {
            chains = StmActorsWorkloads.start(mode(), workers, "chain", ACTORS, i -> StmActorsWorkloads.chain(i, STEPS));
        }

        @TearDown(Level.Trial)
        public void stop() {
            chains.close();
        }
    }

    @State(Scope.Benchmark)
    public static class SharedStm extends StmActorsChains {
        @Override
        Mode mode() {
            return Mode.SHARED_STM;
        }
    }

    @State(Scope.Benchmark)
    public static class GlobalLock extends StmActorsChains {
        @Override
        Mode mode() {
            return Mode.GLOBAL_LOCK;
        }
    }

    @State(Scope.Benchmark)
    public static class Pekko {
        @Param({"1", "2"})
        public int workers;
        PekkoWorkloads.Started chains;

        @Setup(Level.Trial)
        public void start() {
            chains = PekkoWorkloads.start(workers, "chain", ACTORS, i -> PekkoWorkloads.chain(i, STEPS));
        }

        @TearDown(Level.Trial)
        public void stop() {
            chains.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void sharedStm(SharedStm s, ActorCounters counters) {
        Workloads.round(s.chains, ACTORS, "independent actors (SHARED_STM)");
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void globalLock(GlobalLock s, ActorCounters counters) {
        Workloads.round(s.chains, ACTORS, "independent actors (GLOBAL_LOCK)");
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void pekko(Pekko s) {
        Workloads.round(s.chains, ACTORS, "independent actors (Pekko)");
    }
}
