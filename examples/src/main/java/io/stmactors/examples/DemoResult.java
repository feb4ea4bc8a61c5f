package io.stmactors.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a demo measured: its rows (speedups filled in) and, for some demos, a text report (the
 * conflict report of {@code contention}).
 *
 * @param demo   the demo's name
 * @param rows   one per variant, mode and worker count, in the order they ran
 * @param report extra text for people (may be empty)
 */
public record DemoResult(String demo, List<DemoRow> rows, String report) {

    public DemoResult {
        Objects.requireNonNull(demo, "demo");
        rows = List.copyOf(withSpeedups(rows));
        report = report == null ? "" : report;
    }

    /**
     * Whether every row that ran passed its correctness check. Rows that could not run (isolated
     * mode before it exists) do not count: asking only for them is not a failure.
     */
    public boolean correct() {
        for (DemoRow row : rows) {
            if (row.available() && !row.correct()) {
                return false;
            }
        }
        return true;
    }

    /** The rows that ran. */
    public List<DemoRow> availableRows() {
        return rows.stream().filter(DemoRow::available).toList();
    }

    /**
     * Fills in speedup = throughput / throughput of the 1-worker row of the same demo, variant and
     * mode (rows measured in the same run).
     */
    private static List<DemoRow> withSpeedups(List<DemoRow> rows) {
        List<DemoRow> out = new ArrayList<>(rows.size());
        for (DemoRow row : rows) {
            if (!row.available() || !Double.isNaN(row.speedup())) {
                out.add(row);
                continue;
            }
            double base = Double.NaN;
            for (DemoRow other : rows) {
                if (other.available() && other.workers() == 1 && other.demo().equals(row.demo())
                        && other.variant().equals(row.variant()) && other.mode() == row.mode()) {
                    base = other.throughput();
                }
            }
            out.add(row.withSpeedup(base > 0 ? row.throughput() / base : Double.NaN));
        }
        return out;
    }
}
