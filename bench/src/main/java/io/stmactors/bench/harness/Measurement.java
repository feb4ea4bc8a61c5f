package io.stmactors.bench.harness;

import java.util.Map;

/**
 * One JMH run: one contender of one row in one round (one forked JVM, warm-up plus measurement).
 *
 * @param rowId           the row
 * @param contender       the contender's method name
 * @param round           1-based round number
 * @param threads         JMH threads
 * @param score           JMH's primary score (mean over measurement iterations), ops/s; NaN if failed
 * @param error           JMH's 99.9% confidence half-width; NaN with fewer than two iterations
 * @param unit            JMH's score unit
 * @param iterationScores the primary score of each measurement iteration
 * @param secondary       each secondary result (aux counter) summed over measurement iterations
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

    /** Whether the run produced a score. */
    public boolean ok() {
        return failure == null && !Double.isNaN(score);
    }
}
