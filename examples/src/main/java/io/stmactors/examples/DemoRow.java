package io.stmactors.examples;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One measured run: one demo variant, in one mode, with one number of workers. A row that could
 * not run (isolated mode before it exists, a variant a mode cannot express) has
 * {@code available == false} and says why in {@code note}.
 *
 * @param demo       demo name ({@code bank}, ...)
 * @param variant    what was run inside the demo ({@code refs}, {@code actors}, {@code queue},
 *                   {@code p=25%}, ...), or "" when the demo has one variant
 * @param mode       the mode
 * @param workers    worker threads (or processes); 0 for an unavailable row covering every count
 * @param items      work items completed in the measured phase
 * @param seconds    wall time of the measured phase (no start-up, no warm-up)
 * @param throughput items per second of that wall time
 * @param speedup    throughput over the 1-worker throughput of the same variant and mode, in this
 *                   run; NaN when unknown
 * @param commits    transactions committed during the measured phase
 * @param aborts     attempts rolled back by conflicts during the measured phase
 * @param available  whether the run happened
 * @param correct    whether the demo's own check of the final state passed (false when unavailable)
 * @param note       why it is unavailable or failed, else ""
 * @param extras     demo-specific columns, in display order (latency percentiles, hottest reference)
 */
public record DemoRow(String demo, String variant, DemoMode mode, int workers, long items, double seconds,
                      double throughput, double speedup, long commits, long aborts, boolean available,
                      boolean correct, String note, Map<String, Object> extras) {

    public DemoRow {
        Objects.requireNonNull(demo, "demo");
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(mode, "mode");
        note = note == null ? "" : note;
        extras = extras == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extras));
    }

    /** A row for a run that could not happen, with the reason. */
    public static DemoRow unavailable(String demo, String variant, DemoMode mode, String reason) {
        return new DemoRow(demo, variant, mode, 0, 0, 0, Double.NaN, Double.NaN, 0, 0, false, false, reason, Map.of());
    }

    /** aborts / (commits + aborts); 0 when nothing ran. */
    public double abortRate() {
        return commits + aborts == 0 ? 0.0 : (double) aborts / (commits + aborts);
    }

    /** A copy with {@code speedup} set. */
    public DemoRow withSpeedup(double newSpeedup) {
        return new DemoRow(demo, variant, mode, workers, items, seconds, throughput, newSpeedup, commits, aborts,
                available, correct, note, extras);
    }

    /** "demo", or "demo/variant" when there is a variant: how charts and summaries name a series. */
    public String series() {
        return variant.isEmpty() ? demo : demo + "/" + variant;
    }
}
