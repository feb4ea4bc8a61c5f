package io.stmactors.bench;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import io.stmactors.stm.TMap;
import io.stmactors.stm.TRef;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Issue 5 (b): handlers that read a large shared structure — the cost of copying. The coordinator
 * (the benchmark thread) builds a {@link TMap} of {@code entries} (100,000) {@code Integer → Long}
 * entries; {@link #ACTORS} actors {@code map-0 … map-7} (in the isolated mode on worker
 * {@code N mod workers}) each handle {@link Read} messages by reading {@code reads} (K = 8) random
 * keys of it in their handler transaction and, with {@code update=true}, replacing the value of one
 * more random key. One call sends {@link #MESSAGES} messages round-robin and waits until every actor
 * handled its share (an ask per actor, answered after its earlier messages); the score is messages
 * per second.
 *
 * <h2>Steady state and first pass</h2>
 * <ul>
 *   <li>{@code fresh=false} (throughput mode): the map is built once per trial and, before the first
 *       iteration, one actor per worker reads every key ({@link Scan}), so in the isolated mode each
 *       worker JVM holds a full replica: the iterations measure reads of replicated data, and with
 *       {@code update=true} the commits that ship a write (and its read versions) to the owner and
 *       the updates the owner pushes to the other replica.</li>
 *   <li>{@code fresh=true} (run it in JMH's single-shot mode, one call per iteration): before each
 *       iteration, untimed, the coordinator builds a new map and swaps it into the {@link TRef} the
 *       actors read it through, and waits until every actor sees the new generation; the timed call is
 *       then the first pass over that map, in which every worker JVM fetches each trie slot it reads
 *       from the owner on first touch (about 8 × 1,024 keys of 100,000: nearly every read is cold).
 *       The trial set-up's untimed passes (below) run over a throw-away map, so the JIT of the workers
 *       and of the coordinator has compiled the read and fetch paths before the first timed pass.</li>
 * </ul>
 *
 * <p>Both kinds of row end their trial set-up with 2 s of untimed passes (at least 3;
 * {@link IsoSystems#TRIAL_WARMUP_NANOS}: the worker JVMs start cold).
 *
 * <p>The actors capture only transactional references ({@code TRef}, {@code TLong}) and boxed
 * values, so the same behavior runs in both modes. {@code SHARED_STM} reads the coordinator's map in
 * place: its first pass differs from its steady state only by cache misses.
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
public class IsoMapBench {
    /** Reader actors. */
    static final int ACTORS = 8;
    /** Messages per benchmark call. */
    static final int MESSAGES = 1024;
    /** Keys per {@link Scan} message of the trial set-up. */
    static final int SCAN_CHUNK = 5_000;
    /** Untimed passes at the end of the trial set-up (JIT warm-up), at least; see {@link IsoSystems#warmUp}. */
    static final int WARMUP_PASSES = 3;

    /** Read {@code reads} random keys (and update one, if so configured); the seed picks them. */
    public record Read(long seed) {
    }

    /** Read every key in {@code [from, to)} (fills a worker's replica). */
    public record Scan(int from, int to) {
    }

    /** Answered with the map generation this actor sees. */
    public record Probe(ActorRef<Long> replyTo) {
    }

    /** Answered once the actor handled everything this sender sent before. */
    public record Done(ActorRef<Long> replyTo) {
    }

    @State(Scope.Benchmark)
    public abstract static class Fixture {
        /** Worker threads or worker JVMs. */
        @Param({"2"})
        public int workers;
        /** Entries of the shared map. */
        @Param({"100000"})
        public int entries;
        /** Random keys each handler reads (K). */
        @Param({"8"})
        public int reads;
        /** Whether each handler also replaces the value of one random key. */
        @Param({"false"})
        public boolean update;
        /** {@code true}: a new map before each iteration, measured in single-shot mode (the first pass). */
        @Param({"false"})
        public boolean fresh;

        ActorSystem system;
        final List<ActorRef<Object>> actors = new ArrayList<>();
        TRef<TMap<Integer, Long>> current;
        TLong generation;
        long seed = 1;

        abstract Mode mode();

        @Setup(Level.Trial)
        public void start() throws Exception {
            system = IsoSystems.create(mode(), workers, "map-bench", Read.class, Scan.class, Probe.class, Done.class);
            current = TRef.of(build(entries, 0));
            generation = TLong.of(0);
            for (int i = 0; i < ACTORS; i++) {
                actors.add(system.spawn(reader(current, generation, entries, reads, update), "map-" + i));
            }
            if (!fresh) {
                // one actor per worker (map-w lives on worker w) reads every key: full replicas
                List<CompletableFuture<Long>> scanned = new ArrayList<>();
                for (int w = 0; w < Math.min(workers, ACTORS); w++) {
                    ActorRef<Object> a = actors.get(w);
                    for (int from = 0; from < entries; from += SCAN_CHUNK) {
                        a.tell(new Scan(from, Math.min(entries, from + SCAN_CHUNK)));
                    }
                    scanned.add(system.ask(a, Done::new, IsoSystems.TIMEOUT));
                }
                IsoSystems.awaitAll(scanned);
            }
            IsoSystems.warmUp(WARMUP_PASSES, () -> {
                pass();
                return null;
            });
        }

        /** First-pass rows: a new map, seen by every actor, before each (single-shot) iteration. */
        @Setup(Level.Iteration)
        public void freshMap() throws Exception {
            if (!fresh) {
                return;
            }
            TMap<Integer, Long> map = build(entries, generation.get() + 1);
            long g = Stm.atomic(() -> {
                current.set(map);
                return generation.incrementAndGet();
            });
            long deadline = System.nanoTime() + IsoSystems.TIMEOUT.toNanos();
            for (ActorRef<Object> a : actors) {
                while (system.<Object, Long>ask(a, Probe::new, IsoSystems.TIMEOUT).get() != g) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(a.name() + " does not see map generation " + g);
                    }
                    Thread.sleep(1);
                }
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            IsoSystems.closeChecked(system);
        }

        /** {@link #MESSAGES} reads, then a {@link Done} round trip to every actor. */
        void pass() throws Exception {
            for (int m = 0; m < MESSAGES; m++) {
                seed = IsoSystems.next(seed);
                actors.get(m % ACTORS).tell(new Read(seed));
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

    /** A map of {@code entries} keys {@code 0 … entries-1}, values {@code key + salt}. */
    static TMap<Integer, Long> build(int entries, long salt) {
        TMap<Integer, Long> map = new TMap<>();
        for (int k = 0; k < entries; k++) {
            map.put(k, k + salt);
        }
        return map;
    }

    /** The reader actor: captures two transactional references and three boxed values. */
    static Behavior<Object> reader(TRef<TMap<Integer, Long>> current, TLong generation, int entries, int reads,
                                   boolean update) {
        return Behaviors.receive((ctx, msg) -> {
            if (msg instanceof Read r) {
                TMap<Integer, Long> map = current.get();
                long x = r.seed();
                long sum = 0;
                for (int i = 0; i < reads; i++) {
                    x = IsoSystems.next(x);
                    Long v = map.get((int) Long.remainderUnsigned(x, entries));
                    sum += v == null ? 0 : v;
                }
                if (update) {
                    x = IsoSystems.next(x);
                    map.put((int) Long.remainderUnsigned(x, entries), sum);
                } else if (sum == 0x5DEECE66DL) { // practically never; keeps the reads alive
                    ctx.log().info("unlikely sum {}", sum);
                }
            } else if (msg instanceof Scan s) {
                TMap<Integer, Long> map = current.get();
                long sum = 0;
                for (int k = s.from(); k < s.to(); k++) {
                    Long v = map.get(k);
                    sum += v == null ? 0 : v;
                }
                if (sum == 0x5DEECE66DL) {
                    ctx.log().info("unlikely sum {}", sum);
                }
            } else if (msg instanceof Probe p) {
                p.replyTo().tell(generation.get());
            } else if (msg instanceof Done d) {
                d.replyTo().tell(0L);
            }
            return Behaviors.same();
        });
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void shared(Shared s, ActorCounters counters) throws Exception {
        s.pass();
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void isolated(Isolated s, ActorCounters counters, OwnerCounters owner) throws Exception {
        s.pass();
    }
}
