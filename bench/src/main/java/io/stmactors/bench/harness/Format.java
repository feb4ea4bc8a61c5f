package io.stmactors.bench.harness;

import java.util.Locale;

/** Number formatting shared by the progress lines and the report. */
public final class Format {
    /** An error wider than this share of the score is flagged: rerun on a quieter machine. */
    public static final double WIDE_ERROR = 0.10;

    private Format() {
    }

    /** Operations per second with a metric suffix: {@code 12.34 M}, {@code 567.8 k}. */
    public static String ops(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a >= 1e9) {
            return String.format(Locale.ROOT, "%.2f G", v / 1e9);
        }
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", v / 1e6);
        }
        if (a >= 1e3) {
            return String.format(Locale.ROOT, "%.1f k", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** JMH's error as an absolute value and a share of the score; flagged when wide. */
    public static String error(double score, double error) {
        if (Double.isNaN(error) || Double.isNaN(score) || score == 0) {
            return "± n/a";
        }
        double share = error / score;
        return "± " + ops(error) + String.format(Locale.ROOT, " (%.1f%%)", 100 * share) + (share > WIDE_ERROR ? " ⚠" : "");
    }

    /** {@code part / whole} as a percentage; "n/a" when {@code whole} is zero. */
    public static String percent(double part, double whole) {
        if (whole <= 0 || Double.isNaN(whole)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2f%%", 100 * part / whole);
    }

    /** A ratio: {@code 1.23×}. */
    public static String ratio(double r) {
        return Double.isNaN(r) ? "n/a" : String.format(Locale.ROOT, "%.2f×", r);
    }

    /** A count with a metric suffix, for totals of events. */
    public static String count(double v) {
        return Math.abs(v) < 1e3 ? String.format(Locale.ROOT, "%.0f", v) : ops(v);
    }
}
