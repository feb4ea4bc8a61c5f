package io.stmactors.examples.internal;

import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.examples.DemoConfig;
import io.stmactors.examples.DemoMode;
import io.stmactors.examples.DemoRow;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Runs one demo variant in every requested mode and worker count, the same way each time.
 *
 * <h2>Protocol, per mode</h2>
 * <ol>
 *   <li><b>Open</b> one configuration per worker count (actor system, actors, initial state): not
 *       measured.</li>
 *   <li><b>Warm up</b> each with rounds of a fifth of the items, for at least
 *       {@link DemoConfig#warmup()} (and at least one round, at most {@link #MAX_WARMUP_ROUNDS}),
 *       so that the JIT has compiled the hot paths before anything is timed.</li>
 *   <li><b>Measure</b> in {@link #ROUNDS} rounds that interleave the configurations (1 2 4, then
 *       4 2 1, ...): the items are shared among the rounds, and a burst of noise on this shared
 *       machine hits every worker count rather than one. A configuration's throughput is its items
 *       over its rounds' wall time; commits and aborts are the deltas over its rounds.</li>
 *   <li><b>Check</b> the state each configuration left, then close it.</li>
 * </ol>
 *
 * <p>An {@link Opener} that throws {@link UnsupportedOperationException} marks the mode as
 * unavailable: one row for all its worker counts. That is how isolated mode shows as "n/a" until
 * it exists, and how a variant says a mode makes no sense for it. Any other failure gives a row
 * that ran and is not correct, with the failure as its note, so that one broken configuration
 * never hides the others.
 */
public final class Trials {
    /** The note of rows in isolated mode while the runtime does not provide it. */
    public static final String ISOLATED_NOT_AVAILABLE = "isolated mode not available yet";

    /** Measured rounds per configuration. */
    public static final int ROUNDS = 3;

    /** Bound on warm-up rounds per configuration, whatever the warm-up time. */
    public static final int MAX_WARMUP_ROUNDS = 50;

    /** Warm-up items as a fraction of the measured items. */
    private static final int WARMUP_DIVISOR = 5;

    /**
     * Time the measured rounds of one configuration should take at most, all rounds together, for
     * trials that allow it ({@link Trial#itemsMayBeCapped()}): from the warm-up's throughput, the
     * slowest configuration of a mode sets how many items each of its configurations measures (the
     * same for all of them), at most the size asked. Without it one slow mode (isolated processes
     * copying every shared read) would take minutes at the size the fast ones need.
     */
    public static final long MEASURE_BUDGET_NANOS = 4_000_000_000L;

    /** A capped trial's warm-up starts with rounds this small and doubles them while they are short. */
    private static final long FIRST_WARMUP_ROUND = 256;

    /**
     * Isolated mode warms up this many times as long as {@link DemoConfig#warmup()}: its worker JVMs
     * compile the handlers themselves, and the first copies of shared state arrive then.
     */
    public static final int ISOLATED_WARMUP_FACTOR = 4;

    /**
     * Warm-up rounds shorter than this double in size (capped trials), and the warm-up of a capped
     * trial goes on until one is this long, so that its throughput is a fair estimate.
     */
    private static final long SHORT_ROUND_NANOS = 100_000_000L;

    private Trials() {
    }

    /** One round of work: {@code items} items drawn from {@code seed}; {@code index} -1 for the warm-up. */
    public record Round(long items, long seed, int index, int count) {
        /** Whether this is the warm-up round. */
        public boolean warmup() {
            return index < 0;
        }
    }

    /** One configuration (mode and worker count), set up and ready to run rounds. */
    public interface Trial extends AutoCloseable {
        /** Runs a round and returns when all its items are done; returns the items done. */
        long round(Round round) throws Exception;

        /** Checks the state left by every round so far: null when correct, else what is wrong. */
        String check() throws Exception;

        /** Transactions committed so far (a counter; the runner takes deltas). */
        long commits();

        /** Attempts aborted by conflicts so far (a counter; the runner takes deltas). */
        long aborts();

        /** Called just before each measured round (e.g. to reset the JVM-wide conflict report). */
        default void beforeRound() {
        }

        /** Called just after each measured round, before any other configuration runs. */
        default void afterRound() {
        }

        /**
         * Whether the runner may measure fewer items than asked when this configuration is slow (its
         * check does not depend on how many items ran): see {@link #MEASURE_BUDGET_NANOS}.
         */
        default boolean itemsMayBeCapped() {
            return false;
        }

        /** Demo-specific columns, read after the measured rounds. */
        default Map<String, Object> extras() {
            return Map.of();
        }

        @Override
        void close();
    }

    /** Sets up a configuration. */
    @FunctionalInterface
    public interface Opener {
        /**
         * @throws UnsupportedOperationException when {@code mode} is not available (for this variant)
         */
        Trial open(DemoMode mode, int workers) throws Exception;
    }

    /** The number of progress steps {@link #run} reports for {@code config}. */
    public static int steps(DemoConfig config) {
        return config.modes().size() * config.workers().size() * (1 + ROUNDS);
    }

    /** The items of measured round {@code index} when {@code items} are shared among {@link #ROUNDS} rounds. */
    public static long share(long items, int index) {
        return items / ROUNDS + (index < items % ROUNDS ? 1 : 0);
    }

    /**
     * Runs {@code variant} of {@code demo} with {@code items} measured work items per configuration,
     * in every mode and worker count of {@code config}.
     */
    public static List<DemoRow> run(String demo, String variant, DemoConfig config, long items, Opener opener) {
        List<DemoRow> rows = new ArrayList<>();
        for (DemoMode mode : config.modes()) {
            rows.addAll(runMode(demo, variant, config, items, opener, mode));
        }
        return rows;
    }

    /** What the runner knows about one configuration of a mode. */
    private static final class Config {
        final int workers;
        Trial trial;
        DemoRow failure;
        long items;
        long nanos;
        long commits;
        long aborts;
        /** Items per second of the last warm-up round. */
        double warmupRate;

        Config(int workers) {
            this.workers = workers;
        }
    }

    private static List<DemoRow> runMode(String demo, String variant, DemoConfig config, long items, Opener opener,
                                         DemoMode mode) {
        String name = (demo + " " + variant).trim() + " " + mode.cliName();
        List<Config> configs = new ArrayList<>();
        int stepsLeft = config.workers().size() * (1 + ROUNDS);
        try {
            // Open and warm up.
            for (int workers : config.workers()) {
                Config c = new Config(workers);
                configs.add(c);
                config.progress().starting(name + " x" + workers + ": start-up and warm-up");
                try {
                    c.trial = opener.open(mode, workers);
                    long warmupItems = Math.max(1, (items + WARMUP_DIVISOR - 1) / WARMUP_DIVISOR);
                    boolean capped = c.trial.itemsMayBeCapped();
                    long roundItems = capped ? Math.min(warmupItems, FIRST_WARMUP_ROUND) : warmupItems;
                    long until = System.nanoTime() + config.warmup().toNanos()
                            * (mode == DemoMode.ISOLATED ? ISOLATED_WARMUP_FACTOR : 1);
                    long elapsed = 0;
                    int n = 0;
                    do {
                        long start = System.nanoTime();
                        long done = c.trial.round(new Round(roundItems, Rng.stream(config.seed() ^ 0x5741524dL, n), -1,
                                ROUNDS));
                        elapsed = Math.max(1, System.nanoTime() - start);
                        c.warmupRate = done * 1e9 / elapsed;
                        n++;
                        if (capped && elapsed < SHORT_ROUND_NANOS) {
                            roundItems = Math.min(warmupItems, roundItems * 2);
                        }
                    } while (n < MAX_WARMUP_ROUNDS && (System.nanoTime() < until
                            || capped && elapsed < SHORT_ROUND_NANOS && roundItems < warmupItems));
                } catch (UnsupportedOperationException e) {
                    return List.of(DemoRow.unavailable(demo, variant, mode, unavailableReason(mode, e)));
                } catch (Exception e) {
                    c.failure = failed(demo, variant, mode, workers, e);
                } finally {
                    config.progress().finished();
                    stepsLeft--;
                }
            }
            items = measuredItems(configs, items);
            // Measure, interleaved: forward, backward, forward, ...
            for (int r = 0; r < ROUNDS; r++) {
                List<Config> order = new ArrayList<>(configs);
                if (r % 2 == 1) {
                    Collections.reverse(order);
                }
                Round round = new Round(share(items, r), Rng.stream(config.seed(), r), r, ROUNDS);
                for (Config c : order) {
                    config.progress().starting(name + " x" + c.workers + ": round " + (r + 1) + "/" + ROUNDS);
                    try {
                        if (c.failure == null) {
                            measure(c, round);
                        }
                    } catch (Exception e) {
                        c.failure = failed(demo, variant, mode, c.workers, e);
                    } finally {
                        config.progress().finished();
                        stepsLeft--;
                    }
                }
            }
            // Check.
            List<DemoRow> rows = new ArrayList<>();
            for (Config c : configs) {
                if (c.failure != null) {
                    rows.add(c.failure);
                    continue;
                }
                try {
                    Map<String, Object> extras = c.trial.extras();
                    String problem = c.trial.check();
                    double seconds = Math.max(1, c.nanos) / 1e9;
                    rows.add(new DemoRow(demo, variant, mode, c.workers, c.items, seconds, c.items / seconds, Double.NaN,
                            c.commits, c.aborts, true, problem == null, problem, extras));
                } catch (Exception e) {
                    rows.add(failed(demo, variant, mode, c.workers, e));
                }
            }
            return rows;
        } finally {
            for (Config c : configs) {
                if (c.trial != null) {
                    c.trial.close();
                }
            }
            for (; stepsLeft > 0; stepsLeft--) {
                config.progress().finished();
            }
        }
    }

    /**
     * The items each configuration measures: {@code items}, or fewer when every trial allows it and
     * the slowest one's warm-up throughput says they would take longer than {@link #MEASURE_BUDGET_NANOS}
     * (never fewer than one per round).
     */
    static long measuredItems(List<Config> configs, long items) {
        double slowest = Double.POSITIVE_INFINITY;
        for (Config c : configs) {
            if (c.failure != null) {
                continue;
            }
            if (c.trial == null || !c.trial.itemsMayBeCapped() || !(c.warmupRate > 0)) {
                return items;
            }
            slowest = Math.min(slowest, c.warmupRate);
        }
        if (slowest == Double.POSITIVE_INFINITY) {
            return items;
        }
        long affordable = (long) (slowest * MEASURE_BUDGET_NANOS / 1e9);
        return Math.min(items, Math.max(ROUNDS, affordable));
    }

    private static void measure(Config c, Round round) throws Exception {
        Trial trial = c.trial;
        trial.beforeRound();
        long commits0 = trial.commits();
        long aborts0 = trial.aborts();
        long start = System.nanoTime();
        long done = trial.round(round);
        c.nanos += System.nanoTime() - start;
        c.commits += trial.commits() - commits0;
        c.aborts += trial.aborts() - aborts0;
        c.items += done;
        trial.afterRound();
    }

    private static String unavailableReason(DemoMode mode, UnsupportedOperationException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (mode == DemoMode.ISOLATED && message.contains("ISOLATED_PROCESSES")) {
            return ISOLATED_NOT_AVAILABLE;
        }
        return message.isEmpty() ? "not available" : message;
    }

    private static DemoRow failed(String demo, String variant, DemoMode mode, int workers, Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        String what = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        return new DemoRow(demo, variant, mode, workers, 0, 0, 0, Double.NaN, 0, 0, true, false,
                "failed: " + what, Map.of());
    }

    /**
     * An actor system for a demo: {@code mode}, {@code workers}, the classes its messages and states
     * use registered (isolated mode needs them), a bounded close.
     *
     * @throws UnsupportedOperationException when the runtime does not provide {@code mode}
     */
    public static ActorSystem system(String name, DemoMode mode, int workers, List<Class<?>> classes) {
        return ActorSystem.create(ActorSystemConfig.builder()
                .name(name + "-" + mode.cliName() + "-x" + workers)
                .mode(mode.actorMode())
                .workers(workers)
                .register(classes.toArray(Class<?>[]::new))
                .closeTimeout(Duration.ofSeconds(30))
                .build());
    }

    /** A trial whose counters come from an actor system's diagnostics, and which closes the system. */
    public abstract static class ActorTrial implements Trial {
        protected final ActorSystem system;

        protected ActorTrial(ActorSystem system) {
            this.system = system;
        }

        @Override
        public long commits() {
            return system.diagnostics().commits();
        }

        @Override
        public long aborts() {
            return system.diagnostics().aborts();
        }

        @Override
        public void close() {
            system.close();
        }
    }
}
