package io.stmactors.bench.harness;

import org.openjdk.jmh.annotations.Mode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * A goal from an issue, checked against one suite run and reported as a line "met / not met".
 * A goal is met only when every figure it names was measured and passes; a figure that failed
 * or was skipped ({@code --rows}) makes it "not measured", never "met".
 */
public sealed interface Target {

    /** The goal in words, as the issue states it. */
    String text();

    /** Checks the goal against {@code results}. */
    Verdict evaluate(Suite suite, Results results);

    /** Outcome of a check. */
    enum Status { MET, NOT_MET, NOT_MEASURED }

    /** Outcome of a check, with the figures behind it. */
    record Verdict(Status status, String detail) {
    }

    /**
     * How many times faster {@code a} is than {@code b} in {@code row}, median over rounds of ratios
     * taken inside each round: the ratio of scores on a throughput row; on a row measured as a time
     * per operation the inverse ratio of times (of the median latency on a sample-time row, the
     * figure its tables compare).
     */
    static OptionalDouble speedRatio(Row row, Results results, String a, String b) {
        if (row.mode() == Mode.SampleTime) {
            return results.medianSecondaryRatio(row.id(), b, a, Measurement.LATENCY_PREFIX + "P50");
        }
        return row.timed() ? results.medianRatio(row.id(), b, a) : results.medianRatio(row.id(), a, b);
    }

    /** How a check names {@code row}: timed rows say that their figure is a ratio of times turned over. */
    private static String name(Row row) {
        return row.timed() ? row.id() + " (time ÷ our time)" : row.id();
    }

    /**
     * Ours ahead of each of {@code peers} (median ratio ours ÷ peer above 1; on a timed row, ours
     * taking less time) on every row where both ours and the peer run.
     */
    record AheadOf(String text, List<String> peers) implements Target {
        public AheadOf {
            peers = List.copyOf(peers);
        }

        @Override
        public Verdict evaluate(Suite suite, Results results) {
            List<Check> checks = new ArrayList<>();
            for (Row row : suite.rows()) {
                for (String peer : peers) {
                    if (row.runs(suite.ours()) && row.runs(suite.contender(peer))) {
                        checks.add(new Check(name(row) + " vs " + suite.contender(peer).label(),
                                speedRatio(row, results, suite.ours().method(), peer), 1.0, false));
                    }
                }
            }
            return Check.verdict(checks, "ours ÷ peer");
        }
    }

    /**
     * Ours no slower than {@code 1/factor} of {@code peer} (median ratio ours ÷ peer at least
     * {@code 1/factor}; on a timed row, ours taking at most {@code factor} times its time) on each
     * row of {@code rowIds}.
     */
    record WithinFactor(String text, String peer, double factor, List<String> rowIds) implements Target {
        public WithinFactor {
            rowIds = List.copyOf(rowIds);
        }

        @Override
        public Verdict evaluate(Suite suite, Results results) {
            List<Check> checks = new ArrayList<>();
            for (String rowId : rowIds) {
                Row row = suite.row(rowId).orElse(null);
                checks.add(row == null
                        ? new Check(rowId, results.medianRatio(rowId, suite.ours().method(), peer), 1.0 / factor, true)
                        : new Check(name(row), speedRatio(row, results, suite.ours().method(), peer), 1.0 / factor,
                                true));
            }
            return Check.verdict(checks, "ours ÷ " + suite.contender(peer).label());
        }
    }

    /** Scaling {@code scalingId} of {@code contender} at least {@code min}. */
    record MinScaling(String text, String scalingId, String contender, double min) implements Target {
        @Override
        public Verdict evaluate(Suite suite, Results results) {
            Scaling s = suite.scalings().stream().filter(x -> x.id().equals(scalingId)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no scaling " + scalingId));
            Check c = new Check(s.id(), results.medianScaling(s, contender), min, true);
            return Check.verdict(List.of(c), "throughput(" + s.manyRowId() + ") ÷ throughput(" + s.fewRowId() + ")");
        }
    }

    /**
     * Scaling {@code scalingId} of {@code contender} at most {@code max}: the work does not get
     * faster with more threads (a global-lock baseline).
     */
    record MaxScaling(String text, String scalingId, String contender, double max) implements Target {
        @Override
        public Verdict evaluate(Suite suite, Results results) {
            Scaling s = suite.scalings().stream().filter(x -> x.id().equals(scalingId)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no scaling " + scalingId));
            Check c = new Check(s.id() + " " + suite.contender(contender).label(),
                    results.medianScaling(s, contender), max, true, true);
            return Check.verdict(List.of(c), "throughput(" + s.manyRowId() + ") ÷ throughput(" + s.fewRowId() + ")");
        }
    }

    /**
     * One figure of a goal: passes when above {@code bound} (below it, if {@code upper}), or equal
     * if {@code inclusive}.
     */
    record Check(String what, OptionalDouble value, double bound, boolean inclusive, boolean upper) {
        /** A lower bound. */
        Check(String what, OptionalDouble value, double bound, boolean inclusive) {
            this(what, value, bound, inclusive, false);
        }

        boolean measured() {
            return value.isPresent();
        }

        boolean passes() {
            double v = value.orElseThrow();
            if (upper) {
                return inclusive ? v <= bound : v < bound;
            }
            return inclusive ? v >= bound : v > bound;
        }

        static Verdict verdict(List<Check> checks, String figure) {
            List<Check> measured = checks.stream().filter(Check::measured).toList();
            List<String> missing = checks.stream().filter(c -> !c.measured()).map(Check::what).toList();
            List<Check> failing = measured.stream().filter(c -> !c.passes()).toList();
            boolean upper = !checks.isEmpty() && checks.get(0).upper();
            boolean inclusive = checks.isEmpty() || checks.get(0).inclusive();
            String bound = String.format(Locale.ROOT, "%s %s %.2f", figure,
                    upper ? (inclusive ? "≤" : "<") : (inclusive ? "≥" : ">"),
                    checks.isEmpty() ? Double.NaN : checks.get(0).bound());
            StringBuilder d = new StringBuilder(bound);
            if (!measured.isEmpty()) {
                Comparator<Check> byValue = (a, b) -> Double.compare(a.value().orElseThrow(),
                        b.value().orElseThrow());
                Check worst = upper ? measured.stream().max(byValue).orElseThrow()
                        : measured.stream().min(byValue).orElseThrow();
                d.append(String.format(Locale.ROOT, "; %s %.2f× (%s)", upper ? "highest" : "lowest",
                        worst.value().orElseThrow(), worst.what()));
            }
            if (!failing.isEmpty()) {
                d.append("; short on: ").append(String.join(", ", failing.stream().map(c -> String.format(
                        Locale.ROOT, "%s %.2f×", c.what(), c.value().orElseThrow())).toList()));
            }
            if (!missing.isEmpty()) {
                d.append("; not measured: ").append(missing.size() <= 3 ? String.join(", ", missing)
                        : missing.size() + " of " + checks.size() + " figures");
            }
            Status status = !failing.isEmpty() ? Status.NOT_MET
                    : !missing.isEmpty() ? Status.NOT_MEASURED : Status.MET;
            return new Verdict(status, d.toString());
        }
    }
}
