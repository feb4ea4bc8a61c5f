package io.stmactors.examples.cli;

import io.stmactors.examples.DemoResult;
import io.stmactors.examples.DemoRow;
import io.stmactors.examples.ScalingDemo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders results as plain-text tables for people. */
final class ResultTable {
    private ResultTable() {
    }

    /** The table of every row: variant (if any), mode, workers, throughput, speedup, commits, aborts, abort rate, extras, check. */
    static String rows(DemoResult result, String unit, int cores) {
        boolean variants = result.rows().stream().anyMatch(r -> !r.variant().isEmpty());
        List<String> extraKeys = new ArrayList<>();
        for (DemoRow row : result.rows()) {
            for (String key : row.extras().keySet()) {
                if (!extraKeys.contains(key)) {
                    extraKeys.add(key);
                }
            }
        }
        List<String> header = new ArrayList<>();
        if (variants) {
            header.add("variant");
        }
        header.addAll(List.of("mode", "workers", unit + "/s", "speedup", "commits", "aborts", "abort rate"));
        header.addAll(extraKeys);
        header.add("correct");
        Table table = new Table(header);
        List<String> problems = new ArrayList<>();
        for (DemoRow row : result.rows()) {
            List<String> cells = new ArrayList<>();
            if (variants) {
                cells.add(row.variant());
            }
            cells.add(row.mode().cliName());
            if (!row.available()) {
                cells.add("-");
                cells.add("n/a: " + row.note());
                table.add(cells, true);
                continue;
            }
            cells.add(Integer.toString(row.workers()));
            cells.add(throughput(row.throughput()));
            cells.add(speedup(row.speedup(), cores));
            cells.add(String.format(Locale.ROOT, "%,d", row.commits()));
            cells.add(String.format(Locale.ROOT, "%,d", row.aborts()));
            cells.add(percent(row.abortRate()));
            for (String key : extraKeys) {
                cells.add(extra(row.extras().get(key)));
            }
            cells.add(row.correct() ? "yes" : "NO");
            table.add(cells, false);
            if (!row.note().isEmpty()) {
                problems.add((row.variant().isEmpty() ? "" : row.variant() + " ") + row.mode().cliName() + " x"
                        + row.workers() + ": " + row.note());
            }
        }
        StringBuilder sb = new StringBuilder(table.render());
        for (String p : problems) {
            sb.append("  ! ").append(p).append('\n');
        }
        return sb.toString();
    }

    /** The summary table of {@code scaling}: a row per demo and mode, throughput per worker count, speedup. */
    static String summary(DemoResult result, List<Integer> workers, int cores) {
        List<ScalingDemo.Summary> lines = ScalingDemo.summarize(result);
        int top = workers.get(workers.size() - 1);
        List<String> header = new ArrayList<>(List.of("demo", "mode"));
        for (int w : workers) {
            header.add("x" + w + " items/s");
        }
        header.addAll(List.of("speedup x" + top, "commits", "aborts", "abort rate", "correct"));
        Table table = new Table(header);
        List<String> problems = new ArrayList<>();
        for (ScalingDemo.Summary s : lines) {
            List<String> cells = new ArrayList<>(List.of(s.series(), s.mode().cliName()));
            if (!s.available()) {
                cells.add("n/a: " + s.note());
                table.add(cells, true);
                continue;
            }
            for (int w : workers) {
                Double t = s.throughputByWorkers().get(w);
                cells.add(t == null ? "-" : throughput(t));
            }
            cells.add(speedup(s.speedup(), cores));
            cells.add(String.format(Locale.ROOT, "%,d", s.commits()));
            cells.add(String.format(Locale.ROOT, "%,d", s.aborts()));
            cells.add(percent(s.abortRate()));
            cells.add(s.correct() ? "yes" : "NO");
            table.add(cells, false);
            if (!s.note().isEmpty()) {
                problems.add(s.series() + " " + s.mode().cliName() + ": " + s.note());
            }
        }
        StringBuilder sb = new StringBuilder(table.render());
        for (String p : problems) {
            sb.append("  ! ").append(p).append('\n');
        }
        return sb.toString();
    }

    static String throughput(double perSecond) {
        if (Double.isNaN(perSecond)) {
            return "-";
        }
        return perSecond >= 100 ? String.format(Locale.ROOT, "%,.0f", perSecond) : String.format(Locale.ROOT, "%.1f", perSecond);
    }

    /** "1.87x"; a value above the physical ceiling (the number of cores) is marked "!": a measurement error. */
    static String speedup(double s, int cores) {
        if (Double.isNaN(s)) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2fx", s) + (aboveCeiling(s, cores) ? "!" : "");
    }

    static boolean aboveCeiling(double speedup, int cores) {
        return speedup > cores * 1.02;
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    private static String extra(Object value) {
        if (value == null) {
            return "-";
        }
        if (value instanceof Double d) {
            return Double.isNaN(d) ? "-" : String.format(Locale.ROOT, "%.2f", d);
        }
        return value.toString();
    }

    /** A left-aligned text column layout; an "open" row's last cell may overflow to the right. */
    private static final class Table {
        private final List<String> header;
        private final List<List<String>> rows = new ArrayList<>();
        private final List<Boolean> open = new ArrayList<>();

        Table(List<String> header) {
            this.header = header;
        }

        void add(List<String> cells, boolean lastCellOverflows) {
            rows.add(cells);
            open.add(lastCellOverflows);
        }

        String render() {
            int[] width = new int[header.size()];
            for (int i = 0; i < header.size(); i++) {
                width[i] = header.get(i).length();
            }
            for (int r = 0; r < rows.size(); r++) {
                List<String> cells = rows.get(r);
                int measured = open.get(r) ? cells.size() - 1 : cells.size();
                for (int i = 0; i < measured; i++) {
                    width[i] = Math.max(width[i], cells.get(i).length());
                }
            }
            StringBuilder sb = new StringBuilder();
            line(sb, header, width);
            StringBuilder rule = new StringBuilder();
            for (int i = 0; i < width.length; i++) {
                rule.append(i == 0 ? "" : "  ").append("-".repeat(width[i]));
            }
            sb.append(rule).append('\n');
            for (List<String> cells : rows) {
                line(sb, cells, width);
            }
            return sb.toString();
        }

        private static void line(StringBuilder sb, List<String> cells, int[] width) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cells.size(); i++) {
                if (i > 0) {
                    line.append("  ");
                }
                String cell = cells.get(i);
                line.append(cell);
                if (i < cells.size() - 1 && i < width.length) {
                    line.append(" ".repeat(Math.max(0, width[i] - cell.length())));
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
