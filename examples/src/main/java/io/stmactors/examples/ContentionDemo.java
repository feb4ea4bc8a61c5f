package io.stmactors.examples;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.examples.internal.Rng;
import io.stmactors.examples.internal.Trials;
import io.stmactors.examples.internal.WorkLoop;
import io.stmactors.stm.Stm;
import io.stmactors.stm.StmDiagnostics;
import io.stmactors.stm.TArray;
import io.stmactors.stm.TLong;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code contention}: where STM stops scaling, shown honestly. Every handler does a little
 * private work (about a microsecond of computation, whose count and result go to one slot among
 * thousands); a fraction {@code p} of them also increments one hot counter,
 * {@code TLong 'contention.hot'}, first thing (so it is held for the whole transaction - the worst
 * place). The sweep runs p from 0% (no conflicts: STM scales) to 100% (every pair of concurrent
 * handlers conflicts: aborts eat the gain, and the global lock does as well or better).
 *
 * <p>Each measured round starts from a reset conflict report ({@code Stm.diagnostics().reset()}, which
 * is JVM-wide, so rounds of different configurations never mix); the "hot ref" column names the
 * reference that cost a configuration the most time over its rounds, and the demo's report is the
 * full conflict report of the most contended shared round. The check: the hot counter equals
 * the number of handlers that chose it, the slots add up to the number of handlers.
 */
public final class ContentionDemo implements Demo {
    /** The default size (see {@link #defaultSize()}). */
    public static final int DEFAULT_SIZE = 100_000;

    /** Number of private slots: collisions among them are rare. */
    static final int SLOTS = 4_096;

    private List<Integer> conflictPercents = List.of(0, 10, 25, 50, 100);
    private int work = 400;

    @Override
    public String name() {
        return "contention";
    }

    @Override
    public String summary() {
        return "sweep of conflict probability 0..100%: where STM stops scaling, with the conflict report";
    }

    @Override
    public String unit() {
        return "handlers";
    }

    @Override
    public int defaultSize() {
        return DEFAULT_SIZE;
    }

    /** The conflict probabilities to sweep, in percent (default 0, 10, 25, 50, 100). */
    public ContentionDemo conflictPercents(List<Integer> percents) {
        if (percents.isEmpty()) {
            throw new IllegalArgumentException("--conflict needs at least one percentage");
        }
        for (Integer p : percents) {
            if (p == null || p < 0 || p > 100) {
                throw new IllegalArgumentException("--conflict percentages must be between 0 and 100, got " + p);
            }
        }
        this.conflictPercents = List.copyOf(new java.util.LinkedHashSet<>(percents)); // a level repeated runs once
        return this;
    }

    /** Private computation per handler, in rounds of a hash function (default 400, about a microsecond). */
    public ContentionDemo work(int work) {
        if (work < 0) {
            throw new IllegalArgumentException("--work must be at least 0, got " + work);
        }
        this.work = work;
        return this;
    }

    @Override
    public int progressSteps(DemoConfig config) {
        return conflictPercents.size() * Trials.steps(config);
    }

    @Override
    public DemoResult run(DemoConfig config) {
        config.progress().plan(progressSteps(config));
        int size = config.sizeOr(defaultSize());
        int w = work;
        int handlers = Math.max(8, 4 * config.maxWorkers());
        List<DemoRow> rows = new ArrayList<>();
        String[] worstReport = {""};
        long[] worstAborts = {-1};
        for (int percent : conflictPercents) {
            Trials.Opener opener = (mode, workers) -> new ContentionTrial(
                    Trials.system("contention", mode, workers, WorkLoop.MESSAGE_CLASSES), percent, w, handlers, config.timeout(),
                    report -> {
                        if (mode == DemoMode.SHARED && report.aborts() > worstAborts[0]) {
                            worstAborts[0] = report.aborts();
                            worstReport[0] = "Conflict report of the most contended shared round (p=" + percent + "%, "
                                    + workers + " workers):\n" + report.text();
                        }
                    });
            rows.addAll(Trials.run(name(), "p=" + percent + "%", config, size, opener));
        }
        return new DemoResult(name(), rows, worstReport[0]);
    }

    /** The conflict report of one measured round. */
    record Report(long aborts, String text) {
    }

    /**
     * One handler: maybe increment the hot counter (first, so it is held throughout), compute,
     * update a private slot. Returns 1 if it incremented the hot counter.
     */
    static long handle(TLong hot, TArray<Long> slots, TArray<Long> results, int percent, int work, long random) {
        boolean touchHot = Rng.below(random, 100) < percent;
        if (touchHot) {
            hot.increment();
        }
        long h = random;
        for (int i = 0; i < work; i++) {
            h = Rng.mix(h + i);
        }
        int slot = Rng.below(Rng.derive(random, 1), slots.length());
        slots.set(slot, slots.get(slot) + 1);
        results.set(slot, h); // the computation's result, stored so that it must be computed
        return touchHot ? 1 : 0;
    }

    static WorkLoop.Step step(TLong hot, TArray<Long> slots, TArray<Long> results, int percent, int work) {
        return random -> handle(hot, slots, results, percent, work, random);
    }

    private static final class ContentionTrial extends Trials.ActorTrial {
        private final TLong hot = TLong.named("contention.hot", 0);
        private final TArray<Long> slots = TArray.named("contention.slot", SLOTS);
        private final TArray<Long> results = TArray.named("contention.result", SLOTS);
        private final List<ActorRef<WorkLoop.Msg>> handlers;
        private final Duration timeout;
        private final Consumer<Report> onReport;
        /** Time lost per reference over the measured rounds (the JVM-wide report is reset before each). */
        private final Map<String, Long> nanosLostByReference = new HashMap<>();
        private long handled;
        private long hotHits;

        ContentionTrial(ActorSystem system, int percent, int work, int handlers, Duration timeout, Consumer<Report> onReport) {
            super(system);
            this.timeout = timeout;
            this.onReport = onReport;
            Stm.atomic(() -> {
                for (int i = 0; i < SLOTS; i++) {
                    slots.set(i, 0L);
                }
            });
            this.handlers = WorkLoop.spawn(system, "handler", handlers, step(hot, slots, results, percent, work));
        }

        @Override
        public long round(Trials.Round round) throws Exception {
            WorkLoop.Done done = WorkLoop.run(system, handlers, round.items(), round.seed(), timeout);
            handled += done.items();
            hotHits += done.sum();
            return done.items();
        }

        @Override
        public void beforeRound() {
            Stm.diagnostics().reset();
        }

        @Override
        public void afterRound() {
            StmDiagnostics diagnostics = Stm.diagnostics();
            for (StmDiagnostics.Conflict c : diagnostics.conflicts()) {
                nanosLostByReference.merge(c.reference(), Math.max(1, c.nanosLost()), Long::sum);
            }
            onReport.accept(new Report(diagnostics.aborts(), diagnostics.report()));
        }

        @Override
        public Map<String, Object> extras() {
            String hottest = nanosLostByReference.entrySet().stream()
                    .max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("-");
            Map<String, Object> extras = new LinkedHashMap<>();
            extras.put("hot ref", hottest);
            return extras;
        }

        @Override
        public String check() {
            long slotTotal = Stm.atomic(() -> {
                long sum = 0;
                for (int i = 0; i < SLOTS; i++) {
                    sum += slots.get(i);
                }
                return sum;
            });
            long hotValue = hot.get();
            if (hotValue != hotHits) {
                return String.format(Locale.ROOT, "hot counter %,d, but %,d handlers incremented it", hotValue, hotHits);
            }
            if (slotTotal != handled) {
                return String.format(Locale.ROOT, "slots add up to %,d after %,d handlers", slotTotal, handled);
            }
            return null;
        }
    }
}
