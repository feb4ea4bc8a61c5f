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
 * Issue 5 (c): message round-trip latency between two actors in different processes, against the
 * same pair in {@code SHARED_STM}. Measured in JMH's sample-time mode: every call is timed and the
 * harness reports p50, p90, p99, p99.9 and the maximum over all samples.
 *
 * <p>Actor {@code pp-0} (A, worker 0) and actor {@code pp-1} (B, worker 1) of a 2-worker system. A
 * call asks A for a {@link Go} with {@code rounds} round trips and waits for the answer:
 * <ul>
 *   <li>{@code rounds=1}: A sends {@link Ping} to B, B answers {@link Pong} to A, A answers the ask —
 *       the path coordinator → A → B → A → coordinator;</li>
 *   <li>{@code rounds=0}: A answers at once — coordinator → A → coordinator, the ask's own cost.</li>
 * </ul>
 * The A ↔ B round trip proper is about p50(rounds=1) − p50(rounds=0) (an estimate: percentiles do
 * not subtract exactly). In the isolated mode every hop between actors goes through the
 * coordinator (a worker's commit carries its sends; the coordinator forwards them), so A → B is
 * worker 0 → coordinator → worker 1 over the shared-memory rings. Both actors are stateless and
 * touch no shared reference, so nothing else travels with the messages.
 */
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
        "-Xms1g", "-Xmx1g", "-Djava.util.logging.config.class=io.stmactors.bench.harness.QuietLogging",
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/java.lang.invoke=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.util=ALL-UNNAMED"})
@Threads(1)
public class IsoLatencyBench {

    /** Do {@code rounds} round trips with B, then answer {@code replyTo}. */
    public record Go(ActorRef<Long> replyTo, int rounds) {
    }

    /** A → B; {@code left} round trips remain including this one. */
    public record Ping(ActorRef<Object> from, ActorRef<Long> replyTo, int left) {
    }

    /** B → A. */
    public record Pong(ActorRef<Long> replyTo, int left) {
    }

    @State(Scope.Benchmark)
    public abstract static class Fixture {
        /** Round trips A ↔ B per call (0: the ask alone). */
        @Param({"1"})
        public int rounds;

        ActorSystem system;
        ActorRef<Object> a;

        abstract Mode mode();

        @Setup(Level.Trial)
        public void start() throws Exception {
            system = IsoSystems.create(mode(), 2, "latency-bench", Go.class, Ping.class, Pong.class);
            ActorRef<Object> b = system.spawn(ponger(), "pp-1");
            a = system.spawn(pinger(b), "pp-0");
            IsoSystems.warmUp(1, this::roundTrip); // the worker JVMs start cold
        }

        @TearDown(Level.Trial)
        public void stop() {
            IsoSystems.closeChecked(system);
        }

        long roundTrip() throws Exception {
            int n = rounds;
            return system.<Object, Long>ask(a, r -> new Go(r, n), IsoSystems.TIMEOUT)
                    .get(IsoSystems.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
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

    /** A: captures B's address only. */
    static Behavior<Object> pinger(ActorRef<Object> b) {
        return Behaviors.receive((ctx, msg) -> {
            if (msg instanceof Go g) {
                if (g.rounds() == 0) {
                    g.replyTo().tell(0L);
                } else {
                    b.tell(new Ping(ctx.self(), g.replyTo(), g.rounds()));
                }
            } else if (msg instanceof Pong p) {
                if (p.left() > 1) {
                    b.tell(new Ping(ctx.self(), p.replyTo(), p.left() - 1));
                } else {
                    p.replyTo().tell((long) p.left());
                }
            }
            return Behaviors.same();
        });
    }

    /** B: answers every ping to its sender. */
    static Behavior<Object> ponger() {
        return Behaviors.receive((ctx, msg) -> {
            Ping p = (Ping) msg;
            p.from().tell(new Pong(p.replyTo(), p.left()));
            return Behaviors.same();
        });
    }

    @Benchmark
    public long shared(Shared s, ActorCounters counters) throws Exception {
        return s.roundTrip();
    }

    @Benchmark
    public long isolated(Isolated s, ActorCounters counters) throws Exception {
        return s.roundTrip();
    }
}
