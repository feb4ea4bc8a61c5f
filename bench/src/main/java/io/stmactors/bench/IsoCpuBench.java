package io.stmactors.bench;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issue 5 (a): independent CPU-bound handlers in {@code SHARED_STM} and {@code ISOLATED_PROCESSES},
 * with 1 and 2 workers (threads, or worker JVMs).
 *
 * <p>{@link #ACTORS} actors {@code cpu-0 … cpu-7}, each handling {@link Work} messages that spin
 * {@code spins} rounds of a xorshift chain (7,000 rounds are about 30 µs on the 2-core reference
 * machine, so process overheads do not dominate) and touch nothing shared: no transactional
 * reference, no state (a stateless {@code Behaviors.receive}), no reply. One call sends
 * {@link #MESSAGES} messages round-robin over the actors, then asks each actor for a {@link Done}
 * (answered after its earlier messages, mailboxes being FIFO per sender) and waits for all answers:
 * the score is messages handled per second ({@code @OperationsPerInvocation}). In the isolated mode
 * actor {@code cpu-N} lives on worker {@code N mod workers}, so each worker gets half of them with
 * 2 workers; the shared mode's dispatcher spreads them over its threads.
 *
 * <p>The systems are created once per trial (starting worker JVMs takes 1–2 s), and the trial
 * set-up then runs the workload untimed for 2 s ({@link IsoSystems#TRIAL_WARMUP_NANOS}: the worker
 * JVMs' JIT), before JMH's own warm-up iterations.
 */
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
        "-Xms1g", "-Xmx1g", "-Djava.util.logging.config.class=io.stmactors.bench.harness.QuietLogging",
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/java.lang.invoke=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.util=ALL-UNNAMED"})
@Threads(1)
public class IsoCpuBench {
    /** Actors receiving the work. */
    static final int ACTORS = 8;
    /** Messages per benchmark call. */
    static final int MESSAGES = 256;

    /** One unit of CPU work; the seed keeps the JIT from folding it. */
    public record Work(long seed) {
    }

    /** Answered once the actor handled everything this sender sent before. */
    public record Done(ActorRef<Long> replyTo) {
    }

    /** A system of {@code workers} workers with the {@link #ACTORS} actors. */
    @State(Scope.Benchmark)
    public abstract static class Fixture {
        /** Worker threads ({@code SHARED_STM}) or worker JVMs ({@code ISOLATED_PROCESSES}). */
        @Param({"1"})
        public int workers;
        /** Rounds of the xorshift chain per message (about 30 µs for 12,000 on the reference machine). */
        @Param({"12000"})
        public int spins;

        ActorSystem system;
        final List<ActorRef<Object>> actors = new ArrayList<>();
        long seed = 1;

        abstract Mode mode();

        @Setup(Level.Trial)
        public void start() throws Exception {
            system = IsoSystems.create(mode(), workers, "cpu-bench", Work.class, Done.class);
            for (int i = 0; i < ACTORS; i++) {
                actors.add(system.spawn(cruncher(spins), "cpu-" + i));
            }
            IsoSystems.warmUp(1, () -> {
                round();
                return null;
            });
        }

        @TearDown(Level.Trial)
        public void stop() {
            IsoSystems.closeChecked(system);
        }

        /** Sends {@link #MESSAGES} work messages and waits until every actor handled its share. */
        void round() throws Exception {
            for (int m = 0; m < MESSAGES; m++) {
                seed = IsoSystems.next(seed);
                actors.get(m % ACTORS).tell(new Work(seed));
            }
            IsoSystems.askAllAndWait(system, actors, Done::new);
        }
    }

    @State(Scope.Benchmark)
    public static class Shared extends Fixture {
        @Override
        Mode mode() {
            return Mode.SHARED_STM;
        }
    }

    @State(Scope.Benchmark)
    public static class Isolated extends Fixture {
        @Override
        Mode mode() {
            return Mode.ISOLATED_PROCESSES;
        }
    }

    /** The CPU-bound actor: captures only an {@code int} (a registered value). */
    static Behavior<Object> cruncher(int spins) {
        return Behaviors.receive((ctx, msg) -> {
            if (msg instanceof Work w) {
                long x = w.seed();
                for (int i = 0; i < spins; i++) {
                    x = IsoSystems.next(x);
                }
                if (x == 0x5DEECE66DL) { // practically never; keeps the loop's result alive
                    ctx.log().info("unlikely value {}", x);
                }
            } else if (msg instanceof Done d) {
                d.replyTo().tell(0L);
            }
            return Behaviors.same();
        });
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void shared(Shared s, ActorCounters counters) throws Exception {
        s.round();
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void isolated(Isolated s, ActorCounters counters) throws Exception {
        s.round();
    }
}
