package io.stmactors.examples.cli;

import io.stmactors.examples.Demo;
import io.stmactors.examples.DemoConfig;
import io.stmactors.examples.DemoMode;
import io.stmactors.examples.DemoResult;
import io.stmactors.examples.ScalingDemo;
import io.stmactors.examples.internal.Trials;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * What every {@code stm-actors demo NAME} command does: check the arguments (a bad one prints one
 * line on stderr and exits with 2), run the demo with a progress bar on stderr, print the table
 * (or JSON) on stdout, draw the chart, and exit with 0 when every check passed, 1 when one failed.
 */
public abstract class DemoCommandBase implements Callable<Integer> {
    /** Exit code when every run that happened was correct. */
    public static final int OK = 0;
    /** Exit code when a demo's correctness check failed (or a run crashed). */
    public static final int CHECK_FAILED = 1;
    /** Exit code of an argument error. */
    public static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Mixin
    DemoOptions options;

    /**
     * The demo, configured from this command's own options.
     *
     * @throws IllegalArgumentException with a one-line message when an option is invalid
     */
    protected abstract Demo demo();

    /** The {@code --size} given, or null. */
    protected abstract Integer size();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DemoConfig.Builder builder = DemoConfig.builder();
        Demo demo;
        Path chart;
        List<DemoMode> modes;
        List<Integer> workers;
        try {
            modes = options.modes();
            workers = options.workerCounts();
            Integer size = size();
            if (size != null && size < 1) {
                throw new IllegalArgumentException("--size must be at least 1, got " + size);
            }
            chart = options.chart == null ? null : ChartFile.check(options.chart);
            demo = demo();
            builder.modes(modes).workers(workers).seed(options.seed).size(size == null ? 0 : size)
                    .warmup(options.warmup());
        } catch (IllegalArgumentException e) {
            return usageError(err, e.getMessage());
        }
        RunInfo info = RunInfo.now(commandText());
        DemoConfig config;
        DemoResult result;
        try (ConsoleProgress progress = new ConsoleProgress(demo.name(), err)) {
            config = builder.progress(progress).build();
            result = demo.run(config);
        } catch (OutOfMemoryError e) {
            // What ran out is garbage by now: say so in one line rather than a stack trace.
            err.println("stm-actors: demo " + demo.name() + ": out of memory (" + e.getMessage() + "): try a smaller"
                    + " size or fewer elements, or a larger heap (STM_ACTORS_JAVA_OPTS=-Xmx4g)");
            err.flush();
            return CHECK_FAILED;
        }
        boolean scaling = demo instanceof ScalingDemo;
        String table = scaling
                ? ResultTable.summary(result, config.workers(), info.cores())
                : ResultTable.rows(result, demo.unit(), info.cores());
        if (options.json) {
            out.print(JsonOutput.render(result, demo.unit(), info, scaling));
        } else {
            out.println(heading(demo, info, config.size() == 0 ? demo.defaultSize() : config.size()));
            out.println();
            out.print(table);
            out.println();
            out.println(footnote(info));
            if (info.busy() || table.contains("x!")) {
                out.println(String.format(Locale.ROOT, "WARNING: %s: speedups are not reliable here"
                                + " (a speedup marked ! is above the %d-core ceiling, so it is a measurement error).",
                        info.busy() ? String.format(Locale.ROOT, "the machine was busy (load average %.1f on %d cores)",
                                info.loadAverage(), info.cores()) : "a speedup exceeds the number of cores",
                        info.cores()));
            }
            if (!result.report().isEmpty()) {
                out.println();
                out.print(result.report());
            }
        }
        out.flush();
        if (chart != null) {
            try {
                SpeedupChart.write(result, table, chart, info);
                if (!options.json) {
                    out.println("Chart written to " + chart);
                    out.flush();
                }
            } catch (IOException | RuntimeException e) {
                return usageError(err, "cannot write chart to '" + options.chart + "': " + e.getMessage());
            }
        }
        if (!result.correct()) {
            err.println("stm-actors: demo " + demo.name() + ": a correctness check failed (see the 'correct' column)");
            err.flush();
            return CHECK_FAILED;
        }
        return OK;
    }

    private static int usageError(PrintWriter err, String message) {
        err.println("stm-actors: " + message);
        err.flush();
        return USAGE;
    }

    private String heading(Demo demo, RunInfo info, int size) {
        String sizeText = demo instanceof ScalingDemo
                ? "each demo at " + size + "% of its default size"
                : String.format(Locale.ROOT, "up to %,d %s per measured run", size, demo.unit());
        return String.format(Locale.ROOT, "stm-actors demo %s - %s; %s%n%d cores, JDK %s, %s, %s%s", demo.name(),
                demo.summary(), sizeText, info.cores(), info.jdk(), info.os(), info.date(),
                info.loadAverage() < 0 ? "" : String.format(Locale.ROOT, ", load average %.1f", info.loadAverage()));
    }

    private static String footnote(RunInfo info) {
        return String.format(Locale.ROOT,
                "throughput: work items per second of the measured phase: %d rounds interleaved across worker counts, after start-up and warm-up"
                        + " (bank and shared-structure measure fewer items than the size in a mode whose warm-up says they would take over %d s: --json gives the items).%n"
                        + "speedup: throughput / throughput with 1 worker, same mode, same run; with %d cores it cannot exceed %d.00x.%n"
                        + "commits, aborts: transactions committed and attempts rolled back by conflicts in the measured phase.%n"
                        + "correct: the demo's own check of its final state.",
                Trials.ROUNDS, Trials.MEASURE_BUDGET_NANOS / 1_000_000_000L, info.cores(), info.cores());
    }

    /** "stm-actors" and the arguments as given, for the record of how a result was measured. */
    private String commandText() {
        CommandLine root = spec.commandLine();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        StringBuilder sb = new StringBuilder("stm-actors");
        if (root.getParseResult() != null) {
            for (String arg : root.getParseResult().originalArgs()) {
                sb.append(' ').append(arg);
            }
        }
        return sb.toString();
    }
}
