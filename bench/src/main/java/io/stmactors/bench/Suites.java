package io.stmactors.bench;

import io.stmactors.bench.harness.Contender;
import io.stmactors.bench.harness.QuietLogging;
import io.stmactors.bench.harness.Row;
import io.stmactors.bench.harness.Scaling;
import io.stmactors.bench.harness.Suite;
import io.stmactors.bench.harness.Target;

import org.openjdk.jmh.annotations.Mode;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Every suite the harness knows, by the name {@code --suite} takes. To add one: write its JMH classes in this module with
 * one {@code @Benchmark} method per contender (same method names in every class), then add a
 * method here that names the classes as rows, the contenders, the scaling pairs and the targets of
 * its issue, and register it in {@link #ALL}.
 */
public final class Suites {
    /** Suite name → definition. */
    static final Map<String, Supplier<Suite>> ALL = new TreeMap<>(Map.of(
            "stm", Suites::stm,
            "collections", Suites::collections,
            "actors", Suites::actors,
            "isolated", Suites::isolated));

    private Suites() {
    }

    /** The suite called {@code name}. */
    public static Suite named(String name) {
        Supplier<Suite> s = ALL.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown suite '" + name + "'; known: " + String.join(", ", ALL.keySet()));
        }
        return s.get();
    }

    /** Names of all suites. */
    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    /** Small transactions of our STM against locks, ScalaSTM and Multiverse. */
    static Suite stm() {
        List<Contender> contenders = List.of(
                new Contender("ours", "stm-actors", true),
                new Contender("synchronizedBlock", "synchronized", false),
                new Contender("reentrantLock", "ReentrantLock", false),
                new Contender("scalaStm", "ScalaSTM 0.11.1", false),
                new Contender("multiverse", "Multiverse 0.7.0", false),
                new Contender("bareTl2", "bare TL2 (reference floor)", false));
        List<Row> rows = List.of(
                new Row("counter-1t", "read and write one long counter, uncontended", CounterBench.class, 1),
                new Row("readsum-1t", "read-only transaction summing 10 refs", ReadOnlySumBench.class, 1),
                new Row("transfer-1t", "transfer between two counters (read+write 2 refs)", TransferBench.class, 1),
                new Row("transfer-2t", "transfer, 2 threads on disjoint pairs (each thread its own pair)",
                        TransferBench.class, 2),
                new Row("contended-2t", "transfers between random pairs of 4 shared accounts, 2 threads",
                        ContendedTransferBench.class, 2)
                        .only("ours", "synchronizedBlock", "reentrantLock", "scalaStm", "multiverse"));
        List<Scaling> scalings = List.of(
                new Scaling("transfer", "transfer, 1 → 2 threads on disjoint pairs", "transfer-1t", "transfer-2t"));
        List<Target> targets = List.of(
                new Target.AheadOf("ahead of both ScalaSTM and Multiverse on every row",
                        List.of("scalaStm", "multiverse")),
                new Target.WithinFactor("within 3× of an uncontended `synchronized` block (single-thread rows)",
                        "synchronizedBlock", 3.0, List.of("counter-1t", "readsum-1t", "transfer-1t")),
                new Target.MinScaling("≥ 1.8× speedup from 1 to 2 threads on disjoint work",
                        "transfer", "ours", 1.8));
        List<String> notes = List.of(
                "Every STM runs its transaction body as a lambda created per call, through its public Java API: "
                        + "ours `Stm.atomic`; ScalaSTM `japi.STM.atomic` over `Ref.View<Long>` (boxed values: that "
                        + "API has no primitive refs); Multiverse `StmUtils.atomic` with `TxnLong.get(txn)`/`set(txn, v)`. "
                        + "Each does an explicit read then write, no commuting increments.",
                "Lock rows use one real heap lock per counter pair (`synchronized` on a field, or a "
                        + "`ReentrantLock`); the contended row locks both accounts in index order.",
                "On 2 cores the physical ceiling of 2-thread scaling is 2.0×; the JMH harness threads and the "
                        + "OS share those cores, and other users' jobs show in the load average above.",
                "`bare TL2 (reference floor)` is `BareTl2` in `bench`: our engine's algorithm (TL2, invisible "
                        + "reads, redo log, commit-time locking, lazy GV5 clock, a per-thread descriptor found from "
                        + "the thread id, the same implicit `atomic(body)` / `ref.get()` API) with none of its "
                        + "features (no diagnostics, hooks, nesting, retry/orElse, inevitability, escalation, "
                        + "snapshot extension or replication). Not a product and not a target: it shows how much "
                        + "of our time is the algorithm and how much the features. It runs only on the rows "
                        + "without conflicts.",
                "`contended-2t` \"body runs wasted\" counts transaction bodies that ran without completing a "
                        + "transfer (aborted attempts, and Multiverse's re-run when it learns a transaction writes).");
        return new Suite("stm", "STM micro-benchmarks: ours against locks, ScalaSTM and Multiverse",
                "Small transactions on `long` counters, each row side by side for our STM (`io.stmactors.stm`), "
                        + "a `synchronized` block, a `ReentrantLock`, ScalaSTM and Multiverse. Every run is "
                        + "a separate JVM.",
                contenders, rows, scalings, targets, List.of("-Xms1g", "-Xmx1g",
                        "-Djava.util.logging.config.class=" + QuietLogging.class.getName()), notes);
    }

    /**
     * Transactional collections (issue 3): {@code TMap} against {@code ConcurrentHashMap} and
     * ScalaSTM's {@code TMap}, its scaling on disjoint keys, and {@code TQueue} against
     * {@code LinkedBlockingQueue}.
     */
    static Suite collections() {
        List<Contender> contenders = List.of(
                new Contender("ours", "stm-actors", true),
                new Contender("concurrent", "java.util.concurrent", false),
                new Contender("scalaStm", "ScalaSTM 0.11.1", false));
        List<Row> rows = List.of(
                new Row("map-get-1t", "map get of an existing key, 1 thread (16,384 entries)", MapGetBench.class, 1),
                new Row("map-get-random-1t", "the map-get-1t row with keys whose hash codes are random",
                        MapGetRandomKeysBench.class, 1),
                new Row("map-put-1t", "map put replacing an existing key, 1 thread (16,384 entries)",
                        MapPutBench.class, 1),
                new Row("map-put-pgc-1t", "the map-put-1t row under the parallel GC (not G1)",
                        MapPutParallelGcBench.class, 1),
                new Row("map-insert-1t", "map put of a new key, 1 thread (maps of 16,384 entries, built again "
                        + "and again)", MapInsertBench.class, 1),
                new Row("disjoint-put-1t", "map put, 1 thread in its own key range (147,456 entries)",
                        MapDisjointPutBench.class, 1),
                new Row("disjoint-put-2t", "map put, 2 threads into the same map, each in its own key range",
                        MapDisjointPutBench.class, 2),
                new Row("disjoint-put-pgc-1t", "the disjoint-put-1t row under the parallel GC (not G1)",
                        MapDisjointPutParallelGcBench.class, 1),
                new Row("disjoint-put-pgc-2t", "the disjoint-put-2t row under the parallel GC (not G1)",
                        MapDisjointPutParallelGcBench.class, 2),
                new Row("disjoint-put-shuffled-1t", "the disjoint-put-1t row walking its key range in a shuffled "
                        + "order", MapDisjointPutShuffledBench.class, 1),
                new Row("disjoint-put-shuffled-2t", "the disjoint-put-2t row walking each key range in a "
                        + "shuffled order", MapDisjointPutShuffledBench.class, 2),
                new Row("own-map-put-1t", "control: the same puts, 1 thread into a map of its own",
                        MapOwnMapPutBench.class, 1),
                new Row("own-map-put-2t", "control: the same puts, 2 threads, each into a map of its own",
                        MapOwnMapPutBench.class, 2),
                new Row("queue-2t", "bounded queue (1,024): 1 producer offering, 1 consumer polling",
                        QueueBench.class.getName(), 2, List.of("ours", "concurrent")));
        List<Scaling> scalings = List.of(
                new Scaling("disjoint-put", "map put, 1 → 2 threads on disjoint keys", "disjoint-put-1t",
                        "disjoint-put-2t"),
                new Scaling("disjoint-put-pgc", "map put, 1 → 2 threads on disjoint keys, parallel GC",
                        "disjoint-put-pgc-1t", "disjoint-put-pgc-2t"),
                new Scaling("disjoint-put-shuffled", "map put, 1 → 2 threads on disjoint keys, shuffled walk",
                        "disjoint-put-shuffled-1t", "disjoint-put-shuffled-2t"),
                new Scaling("own-map-put", "control: map put, 1 → 2 threads, each into a map of its own",
                        "own-map-put-1t", "own-map-put-2t"));
        List<Target> targets = List.of(
                new Target.MinScaling("≥ 1.8× speedup from 1 to 2 threads on disjoint keys", "disjoint-put", "ours", 1.8),
                new Target.AheadOf("ahead of ScalaSTM's `TMap` on every map row", List.of("scalaStm")));
        List<String> notes = List.of(
                "`java.util.concurrent` is `ConcurrentHashMap` in the map rows and `LinkedBlockingQueue` in the "
                        + "queue row: the non-transactional ceiling, not a peer (it cannot compose two operations "
                        + "atomically).",
                "Each call on either STM's map, outside a transaction, is one transaction; ScalaSTM's map is "
                        + "its `japi.STM.newMap()` `java.util.Map` view. Keys are boxed `Integer`s made once, "
                        + "values the key itself.",
                "The keys of the map rows are consecutive integers, except in `map-get-random-1t`, whose "
                        + "16,384 keys are random integers (a fixed seed): a map keyed by strings or UUIDs. Both "
                        + "tries spread consecutive hash codes evenly over their slots (ScalaSTM by its bit mixing, "
                        + "ours by Fibonacci hashing), so those maps are shallower and smaller than with random "
                        + "keys.",
                "The queue row's score is offers plus polls per second; a call on a full or empty queue "
                        + "returns at once and counts as an operation (the queue starts half full, so both "
                        + "sides mostly succeed).",
                "Every map row's setup ends with a full GC, which moves the maps into the old generation, "
                        + "where a long-lived map lives (a map left young skips the costly part of G1's write "
                        + "barrier, and whether it is still young otherwise depends on its setup's garbage).",
                "The `disjoint-put` rows run 1 and 2 threads on the same map: it holds the key ranges of "
                        + "both threads from the start (16,384 + 2 × 65,536 entries) and every put replaces a value.",
                "The `-pgc` rows are the same benchmarks in a JVM with `-XX:+UseParallelGC`. G1 "
                        + "queues the card (512 bytes) of a store of a reference into an old object, unless "
                        + "the card is dirty already, for its concurrent refinement threads, which on 2 cores "
                        + "take CPU from the second benchmark thread; the parallel collector has no such "
                        + "threads. The two scalings side by side separate the map's scaling from G1's. (Our "
                        + "map keeps its values in shared blocks of 128 so that its puts dirty few cards.)",
                "The `disjoint-put-shuffled` rows are the `disjoint-put` rows with each thread walking its "
                        + "key range in a shuffled order (a fixed seed per thread). In key order, much of a put's "
                        + "cost is whether the entries of consecutive keys lie next to each other in memory, which "
                        + "depends on how the collector moved the map while it was built (young collections copy "
                        + "it in trie order, not creation order); in a shuffled order every put misses the cache "
                        + "whatever the layout, so these rows measure the length of each map's path to a value.",
                "The `own-map-put` rows are the control of the `disjoint-put` rows: the same puts, but each "
                        + "thread into a map of its own (16,384 + 65,536 entries), so the threads write no memory "
                        + "in common. The gap between the two scalings is what sharing one map costs.",
                "On 2 cores the physical ceiling of 2-thread scaling is 2.0×; the JMH harness threads and the "
                        + "OS share those cores.");
        return new Suite("collections", "Transactional collections: `TMap` and `TQueue` against their usual peers",
                "Our transactional map (a hash trie of transactional references) and bounded queue, side by side "
                        + "with `ConcurrentHashMap` / `LinkedBlockingQueue` and ScalaSTM's `TMap`. Every run is a "
                        + "separate JVM.",
                contenders, rows, scalings, targets, List.of("-Xms1g", "-Xmx1g",
                        "-Djava.util.logging.config.class=" + QuietLogging.class.getName()), notes);
    }

    /**
     * Actors (issue 4): stm-actors in {@code SHARED_STM} and {@code GLOBAL_LOCK} against Pekko typed,
     * on Pekko's own echo-pairs workload, tell-only throughput, and scaling on independent actors.
     */
    static Suite actors() {
        List<Contender> contenders = List.of(
                new Contender("sharedStm", "stm-actors SHARED_STM", true),
                new Contender("globalLock", "stm-actors GLOBAL_LOCK", false),
                new Contender("pekko", "Pekko typed 1.7.0", false));
        List<Row> rows = List.of(
                new Row("echo", "echo pairs: 256 pairs (512 actors) × 1,000 round trips, 50 in flight per pair",
                        EchoPairsBench.class, 1).with("workers", "2"),
                new Row("tell-2t", "tell-only: 2 sender threads, 10,000 messages each to its own counting receiver",
                        TellOnlyBench.class, 2).with("workers", "2"),
                new Row("independent-1w", "16 independent actors, ~300 ns of arithmetic per message, 1 worker",
                        IndependentActorsBench.class, 1).with("workers", "1"),
                new Row("independent-2w", "16 independent actors, ~300 ns of arithmetic per message, 2 workers",
                        IndependentActorsBench.class, 1).with("workers", "2"));
        List<Scaling> scalings = List.of(
                new Scaling("independent", "independent actors, 1 → 2 workers (dispatcher threads)",
                        "independent-1w", "independent-2w"));
        List<Target> targets = List.of(
                new Target.WithinFactor("`SHARED_STM` at least as fast as Pekko typed on echo pairs, on this "
                        + "machine (a stretch goal)", "pekko", 1.0, List.of("echo")),
                new Target.MinScaling("`SHARED_STM` with 2 workers ≥ 1.8× its 1-worker throughput on independent "
                        + "actors", "independent", "sharedStm", 1.8),
                new Target.MaxScaling("`GLOBAL_LOCK` shows no scaling on independent actors (2 workers at most "
                        + "1.10× of 1 worker)", "independent", "globalLock", 1.10));
        List<String> notes = List.of(
                "Scores are messages per second (`@OperationsPerInvocation` = messages handled per invocation); "
                        + "systems and actors are created once per trial, and an invocation returns only when "
                        + "every message it caused was handled (a latch counted down by the actors, after "
                        + "commit in stm-actors; the tell-only row also checks the receiver's count).",
                "Echo pairs follow Pekko's `TypedActorBenchmark`: 512 actors, a sender keeping a batch of 50 "
                        + "pings in flight, dispatcher throughput 50, fork-join dispatcher, single-consumer "
                        + "mailboxes. Differences: 2 dispatcher threads (this machine has 2 cores; Pekko's uses 8) "
                        + "and 1,000 round trips per pair per invocation (Pekko's: 500,000) so that one "
                        + "invocation lasts about 0.1 s. `shared/BENCHMARKING.md`'s ~11 M msg/s for Pekko is "
                        + "64 pairs × 20,000 round trips: compare ratios, not that figure.",
                "Each system is written in its own idiom, doing the same thing message for message: stm-actors "
                        + "with `Behaviors.withState` (an immutable state value per message, rolled back with "
                        + "the handler; the latch in `Stm.afterCommit`), Pekko with counters in variables "
                        + "captured by `Behaviors.setup`, as Pekko's own benchmark does. Messages without "
                        + "payload are singletons in both.",
                "Dispatchers: stm-actors `workers` threads (its ForkJoinPool), throughput 50; Pekko a "
                        + "fork-join dispatcher with parallelism-min = parallelism-max = workers, throughput 50, "
                        + "set by a `Config` string (`PekkoWorkloads`). Pekko's logging is limited to warnings.",
                "The tell-only senders are JMH threads next to the 2 dispatcher threads: on 2 cores they share "
                        + "the CPUs, so the row measures the whole pipeline (enqueue, schedule, handle).",
                "Pekko also runs the independent-actor rows as a control: it shows what 1 → 2 threads can give "
                        + "on this machine at the time of the run. On 2 cores the physical ceiling is 2.0×.",
                "Handler aborts come from `ActorSystem.diagnostics()` (commits, aborts, messages), captured per "
                        + "iteration by the `ActorCounters` aux-counter state; none of these workloads shares "
                        + "state between actors, so any abort is the runtime's own.");
        return new Suite("actors", "Actors: stm-actors against Pekko typed",
                "Actor workloads on stm-actors (`io.stmactors.actors`, modes `SHARED_STM` and `GLOBAL_LOCK`) and "
                        + "Apache Pekko typed in the same run: Pekko's echo pairs, tell-only throughput, and "
                        + "scaling of independent actors from 1 to 2 workers. Every run is a separate JVM.",
                contenders, rows, scalings, targets, List.of("-Xms1g", "-Xmx1g",
                        "-Djava.util.logging.config.class=" + QuietLogging.class.getName(),
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"), notes);
    }

    /**
     * Issue 5: the same actor workloads in {@code SHARED_STM} (ours: one heap, zero-copy) and
     * {@code ISOLATED_PROCESSES} (worker JVMs, Kryo over shared-memory rings, the coordinator owns
     * the heap), so every ratio "ours ÷ this" is shared ÷ isolated.
     */
    static Suite isolated() {
        List<Contender> contenders = List.of(
                new Contender("shared", "SHARED_STM", true),
                new Contender("isolated", "ISOLATED_PROCESSES", false));
        String cpu = IsoCpuBench.class.getName();
        String map = IsoMapBench.class.getName();
        String lat = IsoLatencyBench.class.getName();
        String wire = IsoWireBench.class.getName();
        List<Row> rows = List.of(
                new Row("cpu-1w", "(a) 8 independent actors, ~30 µs of CPU per message, 1 worker", cpu, 1, List.of())
                        .with("workers", "1"),
                new Row("cpu-2w", "(a) the same, 2 workers (threads / worker JVMs)", cpu, 1, List.of())
                        .with("workers", "2"),
                new Row("map-read-first", "(b) first pass: 8 random reads of a fresh 100k-entry TMap per message",
                        map, 1, List.of()).with("fresh", "true").in(Mode.SingleShotTime),
                new Row("map-read", "(b) steady state: 8 random reads of a replicated 100k-entry TMap per message",
                        map, 1, List.of()).with("fresh", "false"),
                new Row("map-update-first", "(b) first pass: 8 random reads + 1 update of a fresh 100k-entry TMap",
                        map, 1, List.of()).with("fresh", "true").with("update", "true").in(Mode.SingleShotTime),
                new Row("map-update", "(b) steady state: 8 random reads + 1 update of a replicated 100k-entry TMap",
                        map, 1, List.of()).with("fresh", "false").with("update", "true"),
                new Row("ask-rtt", "(c) ask to actor A, which answers at once (the ask alone)", lat, 1, List.of())
                        .with("rounds", "0").in(Mode.SampleTime),
                new Row("pingpong-rtt", "(c) ask to A, one round trip A → B → A (A, B on different workers), answer",
                        lat, 1, List.of()).with("rounds", "1").in(Mode.SampleTime),
                new Row("wire-small", "(d) Kryo, one delivery: record(int, long)", wire, 1, List.of())
                        .with("message", "small").in(Mode.AverageTime).only("isolated"),
                new Row("wire-list100", "(d) Kryo, one delivery: record(List of 100 strings)", wire, 1, List.of())
                        .with("message", "list100").in(Mode.AverageTime).only("isolated"),
                new Row("wire-refs", "(d) Kryo, one delivery: record(ActorRef, TLong)", wire, 1, List.of())
                        .with("message", "refs").in(Mode.AverageTime).only("isolated"));
        List<Scaling> scalings = List.of(
                new Scaling("cpu", "independent CPU-bound handlers, 1 → 2 workers", "cpu-1w", "cpu-2w"));
        List<Target> targets = List.of(
                new Target.MinScaling("SHARED_STM scales on independent work: ≥ 1.8× from 1 to 2 workers "
                        + "(DESIGN.md's aim)", "cpu", "shared", 1.8),
                new Target.MinScaling("ISOLATED_PROCESSES scales on independent work: ≥ 1.8× from 1 to 2 worker "
                        + "JVMs (the same aim; issue 5 expects both modes to scale)", "cpu", "isolated", 1.8));
        List<String> notes = List.of(
                "**Ratios.** Ours is `SHARED_STM`, so every \"ours ÷ this\" is shared ÷ isolated: on throughput "
                        + "rows (messages/s) above 1.00× the shared heap is faster; on the latency rows it is the "
                        + "ratio of latencies (p50, p99), so there below 1.00× the shared heap is faster. The "
                        + "Kryo rows have no shared contender: the shared mode passes messages by reference (0 bytes, "
                        + "no codec); their time is for one delivery's encode + decode (`ns/op`).",
                "**Workloads.** Both modes run the same behaviors (lambdas capturing only transactional "
                        + "references, actor addresses and boxed values) and the same driver: the benchmark thread "
                        + "is the coordinator, sends a fixed batch of messages round-robin to 8 actors, then asks "
                        + "each actor for a `Done` (FIFO per sender: answered after its share) and waits. Isolated "
                        + "actor `x-N` lives on worker `N mod workers` (explicit placement). Systems and worker "
                        + "JVMs are created once per trial (JMH fork), never per call. See the class comments of "
                        + "`IsoCpuBench`, `IsoMapBench`, `IsoLatencyBench`, `IsoWireBench`.",
                "**(b) first pass vs steady state.** `map-*-first` rows are single-shot: before each iteration, "
                        + "untimed, the coordinator builds a new 100k-entry map, swaps it in, and waits until every "
                        + "actor sees it; the timed call is the first 1,024 messages over it (each worker fetches "
                        + "every trie slot it reads, one blocking round trip each). With 3 warm-up and 5 measured "
                        + "iterations per run, that is 5 single passes per round: expect a wide error. Steady-state "
                        + "rows first let one actor per worker read all keys (full replicas). *owner refs* is the "
                        + "number of shared references the coordinator's heap owner holds at the end of an iteration "
                        + "(from `diagnostics().report()`), *owner refs added* the most it took on in one iteration "
                        + "(both the highest over the measured iterations of a run): the owner keeps every reference "
                        + "it ever shared, so with a fresh map per iteration the count only grows.",
                "**(c) latency.** A sample is one `ask` from the benchmark thread: coordinator → A (→ B → A) → "
                        + "coordinator. The A ↔ B round trip alone is about p50(`pingpong-rtt`) − p50(`ask-rtt`). "
                        + "In the isolated mode each actor-to-actor hop goes worker → coordinator → worker.",
                "**Aborts.** \"aborts / attempts\" counts handler transactions from `ActorSystem.diagnostics()` "
                        + "(in the isolated mode summed over the workers); they include the driver's `Done`/probe "
                        + "messages.",
                "**Machine.** On 2 cores the ceiling of a 1 → 2 worker speedup is 2.0×. The isolated mode runs "
                        + "more threads than the shared one (the coordinator's poll thread and, per worker JVM, a "
                        + "poll thread and an update applier besides its handler thread) on the same 2 cores, and "
                        + "each worker JVM inherits the fork's `-Xms1g -Xmx1g`.");
        List<String> jvmArgs = List.of(IsoSystems.JVM_FLAGS);
        return new Suite("isolated", "Isolated processes vs the shared heap (issue 5)",
                "The same actor workloads in `SHARED_STM` (one JVM, one transactional heap, zero-copy messages) and "
                        + "`ISOLATED_PROCESSES` (worker JVMs; every message and every shared-state access Kryo-"
                        + "serialized over shared-memory rings; the coordinator owns the heap): (a) independent "
                        + "CPU-bound handlers at 1 and 2 workers, (b) handlers reading a 100k-entry `TMap` (first "
                        + "pass and steady state, read-only and with one update), (c) round-trip latency between "
                        + "two actors on different workers, (d) Kryo bytes and time per message. Ours = "
                        + "`SHARED_STM`: every \"ours ÷ this\" below is **shared ÷ isolated**.",
                contenders, rows, scalings, targets, jvmArgs, notes);
    }
}
