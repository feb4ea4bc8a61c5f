package io.stmactors.bench.harness;

import org.openjdk.jmh.annotations.Mode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One row of a suite's results: one JMH benchmark class run with a fixed number of threads (and
 * optionally fixed values of its {@code @Param} fields), every contender side by side.
 *
 * @param id             short stable name, used by scaling pairs, targets and {@code --rows}
 * @param title          what the row measures, in words
 * @param benchmarkClass fully qualified name of the JMH class holding one method per contender
 * @param threads        JMH threads ({@code -t}); throughput is the total over all threads
 * @param contenders     methods to run in this row; empty means every contender of the suite
 * @param params         JMH {@code @Param} values for this row ({@code -p name=value}), in report
 *                       order; empty means the class's defaults. Two rows of one class that differ
 *                       only here (e.g. {@code workers=1} and {@code workers=2}) make a scaling pair.
 * @param mode           how JMH measures the row: {@link Mode#Throughput} (the default; ops/s),
 *                       {@link Mode#SingleShotTime} (one timed call per iteration, for work that
 *                       happens once, e.g. a first pass over fresh data; the harness reports it as
 *                       ops/s, i.e. {@code @OperationsPerInvocation} ÷ the call's time, so it compares
 *                       with throughput rows), {@link Mode#AverageTime} (ns per operation) or
 *                       {@link Mode#SampleTime} (latency distribution in µs: p50, p90, p99, p99.9, max)
 */
public record Row(String id, String title, String benchmarkClass, int threads, List<String> contenders,
                  Map<String, String> params, Mode mode) {

    public Row {
        contenders = List.copyOf(contenders);
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        if (mode == null || mode == Mode.All) {
            throw new IllegalArgumentException("row " + id + ": one JMH mode, not " + mode);
        }
    }

    /** A throughput row. */
    public Row(String id, String title, String benchmarkClass, int threads, List<String> contenders,
               Map<String, String> params) {
        this(id, title, benchmarkClass, threads, contenders, params, Mode.Throughput);
    }

    /** A row with the class's default parameters. */
    public Row(String id, String title, String benchmarkClass, int threads, List<String> contenders) {
        this(id, title, benchmarkClass, threads, contenders, Map.of());
    }

    /** A row that runs every contender of its suite with the class's default parameters. */
    public Row(String id, String title, Class<?> benchmarkClass, int threads) {
        this(id, title, benchmarkClass.getName(), threads, List.of(), Map.of());
    }

    /** This row with JMH parameter {@code name} fixed to {@code value}. */
    public Row with(String name, String value) {
        Map<String, String> p = new LinkedHashMap<>(params);
        p.put(name, value);
        return new Row(id, title, benchmarkClass, threads, contenders, p, mode);
    }

    /** This row, running only the contenders with these method names. */
    public Row only(String... methods) {
        return new Row(id, title, benchmarkClass, threads, List.of(methods), params, mode);
    }

    /** This row, measured in JMH mode {@code m} (see {@link #mode()}). */
    public Row in(Mode m) {
        return new Row(id, title, benchmarkClass, threads, contenders, params, m);
    }

    /** Whether the row's score is a time per operation (lower is better) rather than ops/s. */
    public boolean timed() {
        return mode == Mode.AverageTime || mode == Mode.SampleTime;
    }

    /** Whether {@code c} runs in this row. */
    public boolean runs(Contender c) {
        return contenders.isEmpty() || contenders.contains(c.method());
    }

    /** The JMH include pattern that selects exactly {@code c}'s method of this row's class. */
    public String include(Contender c) {
        return "^" + Pattern.quote(benchmarkClass + "." + c.method()) + "$";
    }

    /** The parameters as {@code name=value, …}, or an empty string when there are none. */
    public String describeParams() {
        return params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }
}
