package io.stmactors.bench;

import io.stmactors.actors.Mode;
import io.stmactors.bench.Workloads.Flush;
import io.stmactors.bench.Workloads.Tick;
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
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.ThreadParams;

import java.util.concurrent.TimeUnit;

/**
 * Tell-only throughput: each JMH thread is an external sender with its own receiver actor; per
 * invocation it tells {@value #MESSAGES} ticks, then a {@link Flush}, and waits for the receiver to
 * report its count (mailboxes are FIFO per sender, so the flush is handled after every tick). The
 * invocation fails unless the receiver counted exactly {@value #MESSAGES}: every message is handled
 * before it ends. Score: ticks per second, summed over the sender threads.
 *
 * <p>The receivers run on {@code workers} dispatcher threads (default 2) next to the JMH sender
 * threads, so on a 2-core machine senders and workers share the cores: this measures the whole
 * pipeline (enqueue, schedule, handle), not a dispatcher alone.
 */
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(2)
public class TellOnlyBench {
    static final int MESSAGES = 10_000;

    /** One receiver per JMH thread, in an stm-actors system of one mode. */
    @State(Scope.Benchmark)
    public abstract static class StmActorsReceivers {
        @Param("2")
        public int workers;
        StmActorsWorkloads.Started receivers;

        abstract Mode mode();

        @Setup(Level.Trial)
        public void start(BenchmarkParams params) {
            receivers = StmActorsWorkloads.start(mode(), workers, "receiver", params.getThreads(),
                    i -> StmActorsWorkloads.countingReceiver());
        }

        @TearDown(Level.Trial)
        public void stop() {
            receivers.close();
        }
    }

    @State(Scope.Benchmark)
    public static class SharedStm extends StmActorsReceivers {
        @Override
        Mode mode() {
            return Mode.SHARED_STM;
        }
    }

    @State(Scope.Benchmark)
    public static class GlobalLock extends StmActorsReceivers {
        @Override
        Mode mode() {
            return Mode.GLOBAL_LOCK;
        }
    }

    @State(Scope.Benchmark)
    public static class Pekko {
        @Param("2")
        public int workers;
        PekkoWorkloads.Started receivers;

        @Setup(Level.Trial)
        public void start(BenchmarkParams params) {
            receivers = PekkoWorkloads.start(workers, "receiver", params.getThreads(),
                    i -> PekkoWorkloads.countingReceiver());
        }

        @TearDown(Level.Trial)
        public void stop() {
            receivers.close();
        }
    }

    /** Which receiver this JMH thread sends to. */
    @State(Scope.Thread)
    public static class Sender {
        int receiver;

        @Setup(Level.Trial)
        public void pick(ThreadParams thread) {
            receiver = thread.getThreadIndex();
        }
    }

    static void send(Workloads.Actors receivers, int receiver, String what) {
        for (int i = 0; i < MESSAGES; i++) {
            receivers.tell(receiver, Tick.INSTANCE);
        }
        Flush flush = new Flush();
        receivers.tell(receiver, flush);
        flush.awaitCount(MESSAGES, what);
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void sharedStm(SharedStm s, Sender me, ActorCounters counters) {
        send(s.receivers, me.receiver, "tell-only (SHARED_STM)");
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void globalLock(GlobalLock s, Sender me, ActorCounters counters) {
        send(s.receivers, me.receiver, "tell-only (GLOBAL_LOCK)");
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void pekko(Pekko s, Sender me) {
        send(s.receivers, me.receiver, "tell-only (Pekko)");
    }
}
