package io.stmactors.bench;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.actors.isolated.BenchWire;
import io.stmactors.stm.TLong;
import org.openjdk.jmh.annotations.AuxCounters;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Issue 5 (d): Kryo bytes and nanoseconds per message in the isolated mode, through the runtime's
 * own codec ({@link BenchWire}: the codec, serializers and wire context of a live
 * {@code ISOLATED_PROCESSES} system with one worker; the worker stays idle). One call is one
 * coordinator → worker delivery's codec work: encode the message (the payload), wrap it in the
 * {@code Tell} frame and encode that, then decode the frame and the payload — average time per call.
 * The report adds the payload's and the frame's size in bytes (gauges; the ring buffer adds its own
 * 8-byte record header, and a message between two workers rides in the sender's commit frame before
 * the coordinator re-frames it).
 *
 * <p>Messages ({@code message} parameter): {@code small} — a record of an {@code int} and a
 * {@code long}; {@code list100} — a record holding a {@code List} of 100 short strings
 * ({@code "item-0"} … {@code "item-99"}); {@code refs} — a record holding an {@code ActorRef} and a
 * {@code TLong} (both travel as identities: the actor's name, the reference's id). The shared mode
 * passes the same messages by reference (no bytes, no codec), so these rows have no shared
 * contender.
 */
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
        "-Xms1g", "-Xmx1g", "-Djava.util.logging.config.class=io.stmactors.bench.harness.QuietLogging",
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/java.lang.invoke=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.util=ALL-UNNAMED"})
@Threads(1)
public class IsoWireBench {
    /** Target of the frames (an idle actor on the worker). */
    static final String TARGET = "sink-0";

    /** A small record. */
    public record Small(int seq, long amount) {
    }

    /** A record holding a list of strings. */
    public record Batch(List<String> items) {
    }

    /** A record holding an actor address and a transactional reference. */
    public record WithRefs(ActorRef<Object> replyTo, TLong counter) {
    }

    @State(Scope.Benchmark)
    public static class Isolated {
        /** Which message: {@code small}, {@code list100} or {@code refs}. */
        @Param({"small"})
        public String message;

        ActorSystem system;
        BenchWire wire;
        Object value;
        static volatile int payloadBytes;
        static volatile int frameBytes;

        @Setup(Level.Trial)
        public void start() {
            system = IsoSystems.create(Mode.ISOLATED_PROCESSES, 1, "wire-bench", Small.class, Batch.class,
                    WithRefs.class);
            ActorRef<Object> sink = system.spawn(Behaviors.receive((ctx, msg) -> Behaviors.same()), TARGET);
            value = switch (message) {
                case "small" -> new Small(42, 1_000_000L);
                case "list100" -> {
                    List<String> items = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        items.add("item-" + i);
                    }
                    yield new Batch(List.copyOf(items));
                }
                case "refs" -> new WithRefs(sink, TLong.of(7));
                default -> throw new IllegalArgumentException("unknown message " + message);
            };
            wire = new BenchWire(system);
            byte[] frame = wire.encodeTell(TARGET, value);
            if (!Objects.equals(wire.decodeTell(frame), value)) {
                throw new IllegalStateException("round trip changed " + value + " into " + wire.decodeTell(frame));
            }
            payloadBytes = wire.encodePayload(value).length;
            frameBytes = frame.length;
        }

        @TearDown(Level.Trial)
        public void stop() {
            IsoSystems.closeChecked(system);
        }
    }

    /** The sizes of the measured message, as gauges of the report. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Sizes {
        /** Bytes of the encoded message alone. */
        public long payloadBytesGauge;
        /** Bytes of the {@code Tell} frame that carries it to a worker (target name included). */
        public long frameBytesGauge;

        @TearDown(Level.Iteration)
        public void read() { // JMH collects aux counters after the iteration's tear-downs
            payloadBytesGauge = Isolated.payloadBytes;
            frameBytesGauge = Isolated.frameBytes;
        }
    }

    @Benchmark
    public Object isolated(Isolated s, Sizes sizes) {
        return s.wire.decodeTell(s.wire.encodeTell(TARGET, s.value));
    }
}
