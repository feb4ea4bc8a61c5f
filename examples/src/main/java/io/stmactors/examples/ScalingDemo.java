package io.stmactors.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code scaling}: the first thing to run. {@code bank} (accounts as references),
 * {@code list-compute} (through actors, the variant every mode can run) and
 * {@code shared-structure}, each at its default size, with every worker count (1 and 2 by
 * default on two cores) in every mode; then one summary row per demo and mode with the speedup.
 *
 * <p>Here {@link DemoConfig#size()} is a percentage of each part's default size (0 or 100: the
 * defaults, chosen so that the whole demo takes well under two minutes on two busy cores).
 */
public final class ScalingDemo implements Demo {
    /** The default size (see {@link #defaultSize()}). */
    public static final int DEFAULT_SIZE = 100;


    /** One line of the summary: a demo in one mode, across worker counts. */
    public record Summary(String series, DemoMode mode, Map<Integer, Double> throughputByWorkers, double speedup,
                          long commits, long aborts, boolean available, boolean correct, String note) {
        public Summary {
            Objects.requireNonNull(series, "series");
            throughputByWorkers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(throughputByWorkers));
            note = note == null ? "" : note;
        }

        /** aborts / (commits + aborts) of the run with the most workers. */
        public double abortRate() {
            return commits + aborts == 0 ? 0.0 : (double) aborts / (commits + aborts);
        }
    }

    @Override
    public String name() {
        return "scaling";
    }

    @Override
    public String summary() {
        return "bank, list-compute and shared-structure with 1..N workers in every mode: one summary table";
    }

    @Override
    public int defaultSize() {
        return DEFAULT_SIZE;
    }

    @Override
    public String unit() {
        return "items (per demo)";
    }

    /** The parts, in the order they run. */
    static List<Demo> parts() {
        return List.of(new BankDemo(), new ListComputeDemo().via(List.of(ListComputeDemo.Via.ACTORS)),
                new SharedStructureDemo());
    }

    /** The largest size (a percentage) at which every part's size is still an {@code int}. */
    public static int maxSize() {
        long max = Integer.MAX_VALUE;
        for (Demo part : parts()) {
            max = Math.min(max, Integer.MAX_VALUE * 100L / part.defaultSize());
        }
        return (int) max;
    }

    @Override
    public int progressSteps(DemoConfig config) {
        int steps = 0;
        for (Demo part : parts()) {
            steps += part.progressSteps(config);
        }
        return steps;
    }

    @Override
    public DemoResult run(DemoConfig config) {
        int percent = config.sizeOr(defaultSize());
        if (percent > maxSize()) {
            throw new IllegalArgumentException("size must be at most " + maxSize() + " (percent of each part's default size), got "
                    + percent);
        }
        ProgressListener progress = config.progress();
        progress.plan(progressSteps(config)); // all at once, so that the bar's total is right from the start
        ProgressListener parts = new ProgressListener() {
            @Override
            public void plan(int steps) {
            }

            @Override
            public void starting(String label) {
                progress.starting(label);
            }

            @Override
            public void finished() {
                progress.finished();
            }
        };
        List<DemoRow> rows = new ArrayList<>();
        for (Demo part : parts()) {
            int size = (int) Math.max(1, (long) part.defaultSize() * percent / 100);
            DemoConfig partConfig = new DemoConfig(config.modes(), config.workers(), size, config.seed(), config.warmup(),
                    config.timeout(), parts);
            rows.addAll(part.run(partConfig).rows());
        }
        return new DemoResult(name(), rows, "");
    }

    /**
     * The summary of any result: one line per series (demo or demo/variant) and mode, with the
     * throughput at each worker count, the speedup of the largest worker count over one worker, and
     * the commits and aborts of the largest worker count's run.
     */
    public static List<Summary> summarize(DemoResult result) {
        Map<String, List<DemoRow>> groups = new LinkedHashMap<>();
        for (DemoRow row : result.rows()) {
            groups.computeIfAbsent(row.series() + "\u0000" + row.mode().name(), k -> new ArrayList<>()).add(row);
        }
        List<Summary> out = new ArrayList<>();
        for (List<DemoRow> group : groups.values()) {
            DemoRow first = group.get(0);
            if (!first.available()) {
                out.add(new Summary(first.series(), first.mode(), Map.of(), Double.NaN, 0, 0, false, false, first.note()));
                continue;
            }
            Map<Integer, Double> throughput = new LinkedHashMap<>();
            DemoRow top = first;
            boolean correct = true;
            StringBuilder notes = new StringBuilder();
            for (DemoRow row : group) {
                throughput.put(row.workers(), row.throughput());
                if (row.workers() >= top.workers()) {
                    top = row;
                }
                correct &= row.correct();
                if (!row.note().isEmpty()) {
                    notes.append(notes.length() == 0 ? "" : "; ").append("x").append(row.workers()).append(": ").append(row.note());
                }
            }
            out.add(new Summary(first.series(), first.mode(), throughput, top.speedup(), top.commits(), top.aborts(),
                    true, correct, notes.toString()));
        }
        return out;
    }
}
