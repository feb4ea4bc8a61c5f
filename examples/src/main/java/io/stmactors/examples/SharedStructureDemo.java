package io.stmactors.examples;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.examples.internal.Rng;
import io.stmactors.examples.internal.Trials;
import io.stmactors.examples.internal.WorkLoop;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TMap;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code shared-structure}: handlers that read and update one big shared {@link TMap} (by default
 * 100,000 entries). Each handler looks up a handful of random keys and, one time in five, moves a
 * unit between two entries. With a shared heap a lookup is a memory read; with isolated processes
 * each worker must copy what it reads and ship every update to the owner of the map - this is the
 * workload where sharing memory wins big.
 *
 * <p>Throughput is handler transactions per second. The check: the map still has every key and
 * its values still add up to what was put in (moves conserve the total).
 */
public final class SharedStructureDemo implements Demo {
    /** The default size (see {@link #defaultSize()}). */
    public static final int DEFAULT_SIZE = 300_000;

    /** Every entry's initial value. */
    public static final long INITIAL_VALUE = 100;

    private int entries = 100_000;
    private int reads = 16;
    private int updatePercent = 20;

    @Override
    public String name() {
        return "shared-structure";
    }

    @Override
    public String summary() {
        return "handlers reading and updating one big shared TMap: where a shared heap beats isolated processes";
    }

    @Override
    public String unit() {
        return "handlers";
    }

    @Override
    public int defaultSize() {
        return DEFAULT_SIZE;
    }

    /** Entries in the map (default 100,000). */
    public SharedStructureDemo entries(int entries) {
        if (entries < 2) {
            throw new IllegalArgumentException("--entries must be at least 2, got " + entries);
        }
        this.entries = entries;
        return this;
    }

    /** Lookups per handler (default 16). */
    public SharedStructureDemo reads(int reads) {
        if (reads < 0) {
            throw new IllegalArgumentException("--reads must be at least 0, got " + reads);
        }
        this.reads = reads;
        return this;
    }

    /** Percentage of handlers that also move a unit between two entries (default 20). */
    public SharedStructureDemo updatePercent(int updatePercent) {
        if (updatePercent < 0 || updatePercent > 100) {
            throw new IllegalArgumentException("--update-percent must be between 0 and 100, got " + updatePercent);
        }
        this.updatePercent = updatePercent;
        return this;
    }

    @Override
    public int progressSteps(DemoConfig config) {
        return Trials.steps(config);
    }

    @Override
    public DemoResult run(DemoConfig config) {
        config.progress().plan(progressSteps(config));
        int size = config.sizeOr(defaultSize());
        int n = entries;
        int r = reads;
        int u = updatePercent;
        int handlers = Math.max(8, 4 * config.maxWorkers());
        List<DemoRow> rows = Trials.run(name(), "", config, size, (mode, workers) ->
                new MapTrial(Trials.system("shared-structure", mode, workers, WorkLoop.MESSAGE_CLASSES), n, r, u, handlers,
                        config.timeout()));
        return new DemoResult(name(), rows, "");
    }

    /**
     * One handler's work: {@code reads} lookups, then maybe a move of one unit from one entry to
     * another. Returns 1 if it moved a unit.
     */
    static long query(TMap<Integer, Long> map, int entries, int reads, int updatePercent, long random) {
        for (int i = 0; i < reads; i++) {
            map.get(Rng.below(Rng.derive(random, i), entries));
        }
        if (Rng.below(Rng.derive(random, reads), 100) >= updatePercent) {
            return 0;
        }
        int from = Rng.below(Rng.derive(random, reads + 1), entries);
        int to = (from + 1 + Rng.below(Rng.derive(random, reads + 2), entries - 1)) % entries;
        long available = map.get(from);
        if (available == 0) {
            return 0;
        }
        map.put(from, available - 1);
        map.put(to, map.get(to) + 1);
        return 1;
    }

    static WorkLoop.Step step(TMap<Integer, Long> map, int entries, int reads, int updatePercent) {
        return random -> query(map, entries, reads, updatePercent, random);
    }

    private static final class MapTrial extends Trials.ActorTrial {
        private final TMap<Integer, Long> map = TMap.named("shared.map");
        private final int entries;
        private final List<ActorRef<WorkLoop.Msg>> handlers;
        private final Duration timeout;

        MapTrial(ActorSystem system, int entries, int reads, int updatePercent, int handlers, Duration timeout) {
            super(system);
            this.entries = entries;
            this.timeout = timeout;
            for (int start = 0; start < entries; start += 1_000) {
                int from = start;
                Stm.atomic(() -> {
                    for (int key = from; key < Math.min(entries, from + 1_000); key++) {
                        map.put(key, INITIAL_VALUE);
                    }
                });
            }
            this.handlers = WorkLoop.spawn(system, "handler", handlers, step(map, entries, reads, updatePercent));
        }

        @Override
        public long round(Trials.Round round) throws Exception {
            return WorkLoop.run(system, handlers, round.items(), round.seed(), timeout).items();
        }

        @Override
        public boolean itemsMayBeCapped() {
            return true; // the check reads the final state, whatever number of items ran
        }

        @Override
        public String check() {
            long[] sizeAndTotal = Stm.atomic(() -> {
                long total = 0;
                for (int key = 0; key < entries; key++) {
                    Long value = map.get(key);
                    if (value == null) {
                        return new long[] {-1, key};
                    }
                    total += value;
                }
                return new long[] {map.size(), total};
            });
            if (sizeAndTotal[0] < 0) {
                return "key " + sizeAndTotal[1] + " is missing";
            }
            long expected = entries * INITIAL_VALUE;
            if (sizeAndTotal[0] != entries || sizeAndTotal[1] != expected) {
                return String.format(Locale.ROOT, "map has %,d entries adding up to %,d; expected %,d adding up to %,d",
                        sizeAndTotal[0], sizeAndTotal[1], entries, expected);
            }
            return null;
        }
    }
}
