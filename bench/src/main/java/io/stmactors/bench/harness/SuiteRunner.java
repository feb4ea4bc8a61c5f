package io.stmactors.bench.harness;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs a suite through the JMH Runner API: every (row, contender) is its own JMH run in its own
 * forked JVM, so one contender's JIT profile, heap and threads never affect another's.
 *
 * <h2>Order</h2>
 * Round after round, each round running every selected row once; inside a row the contenders run
 * back to back, ours first in odd rounds and last in even rounds (A B C, C B A, …), so slow drift
 * of the machine (thermal, other users) does not favour whoever always runs first. Ratios are then
 * taken between runs of the same round and summarized by their median ({@link Results}).
 *
 * <p>Progress goes to the given stream, one line per run. A run that fails is recorded as such
 * and the suite goes on. While another JMH process on the machine holds JMH's lock file, a run
 * waits (up to 30 minutes) instead of measuring alongside it.
 */
public final class SuiteRunner {
    /** What JMH says when another JMH process on the machine holds its lock file. */
    static final String LOCK_MESSAGE = "Unable to acquire the JMH lock";
    /** How long a run waits for another JMH process to finish before it counts as failed. */
    static final long LOCK_WAIT_NANOS = TimeUnit.MINUTES.toNanos(30);

    private final PrintStream progress;

    public SuiteRunner(PrintStream progress) {
        this.progress = progress;
    }

    /** One planned JMH run. */
    record Planned(int round, Row row, Contender contender) {
    }

    /** The runs of a suite, in the order they will execute. */
    static List<Planned> plan(Suite suite, RunConfig cfg) {
        List<Planned> plan = new ArrayList<>();
        for (int round = 1; round <= cfg.rounds(); round++) {
            List<Contender> order = new ArrayList<>(suite.contenders());
            if (round % 2 == 0) {
                Collections.reverse(order);
            }
            for (Row row : suite.rows()) {
                if (!cfg.selects(row)) {
                    continue;
                }
                for (Contender c : order) {
                    if (row.runs(c)) {
                        plan.add(new Planned(round, row, c));
                    }
                }
            }
        }
        return plan;
    }

    /** Runs every planned run of {@code suite} and returns what was measured. */
    public Results run(Suite suite, RunConfig cfg) {
        List<Planned> plan = plan(suite, cfg);
        if (plan.isEmpty()) {
            throw new IllegalArgumentException("no row of suite " + suite.name() + " matches " + cfg.rowFilter());
        }
        Results results = new Results();
        long started = System.nanoTime();
        for (int i = 0; i < plan.size(); i++) {
            Planned p = plan.get(i);
            progress.printf(Locale.ROOT, "[%s %d/%d] round %d/%d  %-14s %-22s ", suite.name(), i + 1, plan.size(),
                    p.round(), cfg.rounds(), p.row().id(), p.contender().label());
            if (cfg.verbose()) {
                progress.println();
            }
            progress.flush();
            Measurement m = runOne(suite, cfg, p);
            results.add(m);
            double elapsed = (System.nanoTime() - started) / 1e9;
            double left = elapsed / (i + 1) * (plan.size() - i - 1);
            progress.printf(Locale.ROOT, "%s  (%.1f s, about %s left)%n", summary(m), m.seconds(), duration(left));
        }
        return results;
    }

    /**
     * The flags appended to a forked JVM of {@code row}: its class's own {@code @Fork(jvmArgsAppend)}
     * followed by the suite's. JMH does not merge them: a {@code jvmArgsAppend} given in the options
     * replaces the annotation's, which dropped the random-keys property of {@code MapGetRandomKeysBench}
     * from the suite runs until 2026-12-03 (its row measured consecutive keys).
     */
    public static List<String> jvmArgsAppend(Row row, List<String> suiteArgs) {
        List<String> args = new ArrayList<>();
        Fork fork;
        try {
            fork = Class.forName(row.benchmarkClass()).getAnnotation(Fork.class);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("no benchmark class " + row.benchmarkClass() + " for row " + row.id(), e);
        }
        if (fork != null) {
            for (String a : fork.jvmArgsAppend()) {
                if (!Fork.BLANK_ARGS.equals(a)) {
                    args.add(a);
                }
            }
        }
        args.addAll(suiteArgs);
        return args;
    }

    private Measurement runOne(Suite suite, RunConfig cfg, Planned p) {
        ChainedOptionsBuilder opts = new OptionsBuilder()
                .include(p.row().include(p.contender()))
                .threads(p.row().threads())
                .forks(cfg.forks())
                .warmupIterations(cfg.warmupIterations())
                .warmupTime(TimeValue.milliseconds(cfg.warmupMillis()))
                .measurementIterations(cfg.measureIterations())
                .measurementTime(TimeValue.milliseconds(cfg.measureMillis()))
                .mode(p.row().mode())
                .timeUnit(timeUnit(p.row().mode()))
                .shouldFailOnError(true)
                .verbosity(cfg.verbose() ? VerboseMode.NORMAL : VerboseMode.SILENT);
        if (!suite.jvmArgs().isEmpty()) {
            opts.jvmArgsAppend(jvmArgsAppend(p.row(), suite.jvmArgs()).toArray(String[]::new));
        }
        p.row().params().forEach(opts::param);
        long t0 = System.nanoTime();
        try {
            Collection<RunResult> runs = runWhenLockFree(opts);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (runs.isEmpty()) {
                return Measurement.failed(p.row().id(), p.contender().method(), p.round(), p.row().threads(), seconds,
                        "no benchmark matched " + p.row().include(p.contender()));
            }
            return toMeasurement(p, runs.iterator().next(), seconds);
        } catch (Exception | Error e) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            return Measurement.failed(p.row().id(), p.contender().method(), p.round(), p.row().threads(), seconds,
                    describe(e));
        }
    }

    /**
     * Runs JMH, waiting while another JMH run on this machine holds JMH's lock file (two
     * benchmarks at once would spoil both); gives up after {@link #LOCK_WAIT_NANOS}.
     */
    private Collection<RunResult> runWhenLockFree(ChainedOptionsBuilder opts) throws Exception {
        long waitedSince = System.nanoTime();
        boolean told = false;
        while (true) {
            try {
                return new Runner(opts.build()).run();
            } catch (RunnerException e) {
                if (e.getMessage() == null || !e.getMessage().contains(LOCK_MESSAGE)
                        || System.nanoTime() - waitedSince > LOCK_WAIT_NANOS) {
                    throw e;
                }
                if (!told) {
                    progress.print("(waiting: another JMH run holds its lock) ");
                    progress.flush();
                    told = true;
                }
                Thread.sleep(5_000);
            }
        }
    }

    /** JMH's output unit per mode: ops/s, s/op (converted to ops/s), ns/op, µs/op. */
    static TimeUnit timeUnit(Mode mode) {
        return switch (mode) {
            case AverageTime -> TimeUnit.NANOSECONDS;
            case SampleTime -> TimeUnit.MICROSECONDS;
            default -> TimeUnit.SECONDS;
        };
    }

    /** Latency percentiles a {@link Mode#SampleTime} row records, as secondary results {@code latencyP50} …. */
    static final Map<String, Double> PERCENTILES = percentiles();

    private static Map<String, Double> percentiles() {
        Map<String, Double> p = new java.util.LinkedHashMap<>();
        p.put(Measurement.LATENCY_PREFIX + "P50", 50.0);
        p.put(Measurement.LATENCY_PREFIX + "P90", 90.0);
        p.put(Measurement.LATENCY_PREFIX + "P99", 99.0);
        p.put(Measurement.LATENCY_PREFIX + "P99.9", 99.9);
        p.put(Measurement.LATENCY_PREFIX + "Max", 100.0);
        return Collections.unmodifiableMap(p);
    }

    private static Measurement toMeasurement(Planned p, RunResult run, double seconds) {
        Result<?> primary = run.getPrimaryResult();
        List<Double> iterations = new ArrayList<>();
        Map<String, Double> secondary = new TreeMap<>();
        for (BenchmarkResult fork : run.getBenchmarkResults()) {
            for (IterationResult it : fork.getIterationResults()) {
                iterations.add(it.getPrimaryResult().getScore());
                for (Map.Entry<String, Result> e : it.getSecondaryResults().entrySet()) {
                    // a gauge (a level, not a count of events) keeps its highest value; counts add up
                    secondary.merge(e.getKey(), e.getValue().getScore(),
                            Measurement.isGauge(e.getKey()) ? Math::max : Double::sum);
                }
            }
        }
        double score = primary.getScore();
        double error = primary.getScoreError();
        String unit = primary.getScoreUnit();
        Mode mode = p.row().mode();
        if (mode == Mode.SingleShotTime) {
            // seconds per operation -> operations per second; the relative error is kept
            double rate = 1.0 / score;
            error = Double.isNaN(error) ? Double.NaN : rate * error / score;
            score = rate;
            iterations.replaceAll(t -> 1.0 / t);
            unit = "ops/s";
        } else if (mode == Mode.SampleTime) {
            for (Map.Entry<String, Double> e : PERCENTILES.entrySet()) {
                secondary.put(e.getKey(), primary.getStatistics().getPercentile(e.getValue()));
            }
            secondary.put(Measurement.LATENCY_PREFIX + "Samples", (double) primary.getStatistics().getN());
        }
        return new Measurement(p.row().id(), p.contender().method(), p.round(), p.row().threads(),
                score, error, unit, iterations.stream().mapToDouble(Double::doubleValue).toArray(), secondary,
                seconds, null);
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getClass().getSimpleName());
        if (e.getMessage() != null) {
            sb.append(": ").append(e.getMessage().lines().findFirst().orElse(""));
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e) {
            sb.append(" (cause: ").append(root).append(')');
        }
        return sb.toString();
    }

    private static String summary(Measurement m) {
        if (!m.ok()) {
            return "FAILED: " + m.failure();
        }
        String s;
        Double p50 = m.secondary().get(Measurement.LATENCY_PREFIX + "P50");
        Double p99 = m.secondary().get(Measurement.LATENCY_PREFIX + "P99");
        if (p50 != null && p99 != null) {
            s = "p50 " + Format.time(p50, m.unit()) + "  p99 " + Format.time(p99, m.unit());
        } else if (m.unit().endsWith("/op")) {
            s = Format.time(m.score(), m.unit()) + " " + Format.error(m.score(), m.error(), m.unit());
        } else {
            s = Format.ops(m.score()) + " ops/s " + Format.error(m.score(), m.error());
        }
        Double commits = m.secondary().get("stmCommits");
        Double aborts = m.secondary().get("stmAborts");
        if (commits != null && aborts != null) {
            s += "  aborts " + Format.percent(aborts, commits + aborts);
        }
        Double handlerCommits = m.secondary().get("actorCommits");
        Double handlerAborts = m.secondary().get("actorAborts");
        if (handlerCommits != null && handlerAborts != null) {
            s += "  handler aborts " + Format.percent(handlerAborts, handlerCommits + handlerAborts);
        }
        return s;
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s < 90 ? s + " s" : (s / 60) + " min " + (s % 60) + " s";
    }
}
