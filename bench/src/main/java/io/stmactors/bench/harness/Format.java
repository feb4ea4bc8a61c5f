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
        return error(score, error, null);
    }

    /** The same for a time per operation in JMH's {@code unit} (null: a rate). */
    public static String error(double score, double error, String timeUnit) {
        if (Double.isNaN(error) || Double.isNaN(score) || score == 0) {
            return "± n/a";
        }
        double share = error / score;
        return "± " + (timeUnit == null ? ops(error) : time(error, timeUnit))
                + String.format(Locale.ROOT, " (%.1f%%)", 100 * share) + (share > WIDE_ERROR ? " ⚠" : "");
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

    /**
     * A time per operation in JMH's {@code unit} ({@code ns/op}, {@code us/op}, {@code ms/op},
     * {@code s/op}) in the most readable unit: {@code 850 ns}, {@code 12.3 µs}, {@code 4.56 ms}.
     */
    public static String time(double v, String unit) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double ns = v * switch (unit) {
            case "ns/op" -> 1.0;
            case "us/op" -> 1e3;
            case "ms/op" -> 1e6;
            case "s/op" -> 1e9;
            default -> throw new IllegalArgumentException("not a time unit: " + unit);
        };
        double a = Math.abs(ns);
        if (a >= 1e9) {
            return String.format(Locale.ROOT, "%.2f s", ns / 1e9);
        }
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.2f ms", ns / 1e6);
        }
        if (a >= 1e4) {
            return String.format(Locale.ROOT, "%.1f µs", ns / 1e3);
        }
        if (a >= 1e3) {
            return String.format(Locale.ROOT, "%.2f µs", ns / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f ns", ns);
    }

    /** A secondary result's name in words: {@code frameBytesGauge} → {@code frame bytes}. */
    public static String label(String name) {
        String base = name.endsWith("Gauge") ? name.substring(0, name.length() - "Gauge".length()) : name;
        return base.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }

    /** A count with a metric suffix, for totals of events. */
    public static String count(double v) {
        return Math.abs(v) < 1e3 ? String.format(Locale.ROOT, "%.0f", v) : ops(v);
    }
}
