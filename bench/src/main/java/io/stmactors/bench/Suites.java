package io.stmactors.bench;

import io.stmactors.bench.harness.Contender;
import io.stmactors.bench.harness.QuietLogging;
import io.stmactors.bench.harness.Row;
import io.stmactors.bench.harness.Scaling;
import io.stmactors.bench.harness.Suite;
import io.stmactors.bench.harness.Target;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Every suite the harness knows, by the name {@code --suite} takes. To add one (collections,
 * actors against Pekko's echo, isolated against shared): write its JMH classes in this module with
 * one {@code @Benchmark} method per contender (same method names in every class), then add a
 * method here that names the classes as rows, the contenders, the scaling pairs and the targets of
 * its issue, and register it in {@link #ALL}.
 */
public final class Suites {
    /** Suite name → definition. */
    static final Map<String, Supplier<Suite>> ALL = new TreeMap<>(Map.of(
            "stm", Suites::stm));

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
                new Contender("multiverse", "Multiverse 0.7.0", false));
        List<Row> rows = List.of(
                new Row("counter-1t", "read and write one long counter, uncontended", CounterBench.class, 1),
                new Row("readsum-1t", "read-only transaction summing 10 refs", ReadOnlySumBench.class, 1),
                new Row("transfer-1t", "transfer between two counters (read+write 2 refs)", TransferBench.class, 1),
                new Row("transfer-2t", "transfer, 2 threads on disjoint pairs (each thread its own pair)",
                        TransferBench.class, 2),
                new Row("contended-2t", "transfers between random pairs of 4 shared accounts, 2 threads",
                        ContendedTransferBench.class, 2));
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
                "`contended-2t` \"body runs wasted\" counts transaction bodies that ran without completing a "
                        + "transfer (aborted attempts, and Multiverse's re-run when it learns a transaction writes).");
        return new Suite("stm", "STM micro-benchmarks: ours against locks, ScalaSTM and Multiverse",
                "Small transactions on `long` counters, each row side by side for our STM (`io.stmactors.stm`), "
                        + "a `synchronized` block, a `ReentrantLock`, ScalaSTM and Multiverse. Every run is "
                        + "a separate JVM.",
                contenders, rows, scalings, targets, List.of("-Xms1g", "-Xmx1g",
                        "-Djava.util.logging.config.class=" + QuietLogging.class.getName()), notes);
    }
}
