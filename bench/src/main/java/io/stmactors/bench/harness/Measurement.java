package io.stmactors.bench.harness;

import java.util.Map;

/**
 * One JMH run: one contender of one row in one round (one forked JVM, warm-up plus measurement).
 *
 * @param rowId           the row
 * @param contender       the contender's method name
 * @param round           1-based round number
 * @param threads         JMH threads
 * @param score           JMH's primary score (mean over measurement iterations): ops/s (single-shot runs
 *                        converted to ops/s), or a time per operation for AverageTime and SampleTime
 *                        rows (see {@code unit}); NaN if failed
 * @param error           JMH's 99.9% confidence half-width; NaN with fewer than two iterations
 * @param unit            JMH's score unit
 * @param iterationScores the primary score of each measurement iteration
 * @param secondary       each secondary result (aux counter) summed over measurement iterations (gauges:
 *                        their maximum, see {@link #isGauge}); SampleTime runs add the latency
 *                        percentiles over all samples ({@code latencyP50} … {@code latencyMax}) and
 *                        {@code latencySamples}
 * @param seconds         wall-clock time the run took, JVM start included
 * @param failure         why the run failed, or {@code null}
 */
public record Measurement(String rowId, String contender, int round, int threads, double score, double error,
                          String unit, double[] iterationScores, Map<String, Double> secondary, double seconds,
                          String failure) {

    public Measurement {
        iterationScores = iterationScores.clone();
        secondary = Map.copyOf(secondary);
    }

    /** A run that threw before producing a score. */
    public static Measurement failed(String rowId, String contender, int round, int threads, double seconds,
                                     String failure) {
        return new Measurement(rowId, contender, round, threads, Double.NaN, Double.NaN, "", new double[0],
                Map.of(), seconds, failure);
    }

    /** Prefix of the latency percentiles a SampleTime run records ({@code latencyP50}, {@code latencyP99}, …). */
    public static final String LATENCY_PREFIX = "latency";

    /**
     * Whether secondary result {@code name} is a gauge (a level such as a size in bytes or a count
     * of live objects) rather than a count of events: its name ends in {@code Gauge}. A gauge keeps
     * its highest value over the iterations of a run instead of their sum.
     */
    public static boolean isGauge(String name) {
        return name.endsWith("Gauge");
    }

    /** Whether the run produced a score. */
    public boolean ok() {
        return failure == null && !Double.isNaN(score);
    }
}
