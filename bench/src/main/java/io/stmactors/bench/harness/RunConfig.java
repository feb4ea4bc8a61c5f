package io.stmactors.bench.harness;

import java.util.regex.Pattern;

/**
 * How hard to measure. {@link #full()} follows {@code shared/BENCHMARKING.md} (one fork, 3×1 s
 * warm-up, 5×1 s measurement, 5 interleaved rounds); {@link #smoke()} is a smoke run that checks
 * every benchmark runs and the report renders, with numbers too short to quote.
 *
 * @param rounds            interleaved rounds; each round runs every contender of every row once
 * @param forks             JMH forks per run
 * @param warmupIterations  JMH warm-up iterations
 * @param warmupMillis      length of one warm-up iteration
 * @param measureIterations JMH measurement iterations
 * @param measureMillis     length of one measurement iteration
 * @param quick             whether this is a smoke run (the report says so)
 * @param rowFilter         only rows whose id matches this regex (find), or {@code null} for all
 * @param verbose           show JMH's own output
 */
public record RunConfig(int rounds, int forks, int warmupIterations, long warmupMillis, int measureIterations,
                        long measureMillis, boolean quick, Pattern rowFilter, boolean verbose) {

    /** The settings of a real measurement. */
    public static RunConfig full() {
        return new RunConfig(5, 1, 3, 1000, 5, 1000, false, null, false);
    }

    /** A short smoke run: one round, tiny iterations (three, so JMH still gives an error). */
    public static RunConfig smoke() {
        return new RunConfig(1, 1, 2, 200, 3, 200, true, null, false);
    }

    /** Whether {@code row} is selected by {@link #rowFilter}. */
    public boolean selects(Row row) {
        return rowFilter == null || rowFilter.matcher(row.id()).find();
    }

    /** The settings in words, for the report. */
    public String describe() {
        return String.format("%d round(s); per run: %d fork, warm-up %d × %d ms, measurement %d × %d ms",
                rounds, forks, warmupIterations, warmupMillis, measureIterations, measureMillis);
    }
}
