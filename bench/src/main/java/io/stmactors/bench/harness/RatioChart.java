package io.stmactors.bench.harness;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.openjdk.jmh.annotations.Mode;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The ratio matrix of a suite run as a bar chart (PNG, drawn with XChart, headless): one group of bars per row,
 * one bar per peer, each the median over rounds of how many times faster ours ran than that peer inside one round.
 * The scale is logarithmic, so 2× faster and 2× slower are the same length either side of the grey line at 1.
 * Rows measured as a time per operation (or a latency: its p50) are turned around, time of the peer ÷ ours, so
 * that above the line means ours is faster on every row. A row or peer without a ratio has no bar.
 */
public final class RatioChart {
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e),
        new Color(0x8c564b)};

    private RatioChart() {
    }

    /**
     * Writes the chart of {@code results} to {@code png}.
     *
     * @param selected which rows ran (the others are left out)
     * @param caption  the second half of the title: when and where it was measured
     * @return false, writing nothing, when no row has a ratio (nothing to draw)
     */
    public static boolean write(Path png, Suite suite, Results results, Predicate<Row> selected, String caption)
            throws IOException {
        CategoryChart chart = chart(suite, results, selected, caption);
        if (chart == null) {
            return false;
        }
        byte[] bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG); // before touching the file
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, bytes);
        return true;
    }

    /** The chart, or null when no row has a ratio. */
    static CategoryChart chart(Suite suite, Results results, Predicate<Row> selected, String caption) {
        System.setProperty("java.awt.headless", "true");
        List<Row> rows = suite.rows().stream().filter(selected).toList();
        List<Contender> peers = suite.contenders().stream().filter(c -> !c.ours()).toList();
        List<String> labels = new ArrayList<>();
        for (Row row : rows) {
            labels.add(row.mode() == Mode.SampleTime ? row.id() + " (p50)" : row.id());
        }
        List<List<Double>> values = new ArrayList<>();
        boolean any = false;
        for (Contender peer : peers) {
            List<Double> ys = new ArrayList<>();
            for (Row row : rows) {
                double v = row.runs(peer) ? speedRatio(suite, row, results, peer) : Double.NaN;
                boolean drawn = v > 0 && Double.isFinite(v);
                ys.add(drawn ? Math.log10(v) : null); // drawn on a linear axis of log10, labelled as ratios
                any |= drawn;
            }
            values.add(ys);
        }
        if (!any) {
            return null;
        }
        CategoryChart chart = new CategoryChartBuilder().width(Math.max(1200, 90 + 70 * rows.size())).height(560)
                .title("Suite " + suite.name() + ": how many times faster ours ran than each peer (above 1× = ours faster)")
                .xAxisTitle("row, median of per-round ratios — " + caption)
                .yAxisTitle("ours ÷ peer, speed (log scale)").build();
        CategoryStyler style = chart.getStyler();
        style.setLegendPosition(Styler.LegendPosition.OutsideS);
        style.setLegendLayout(Styler.LegendLayout.Horizontal);
        style.setChartBackgroundColor(Color.WHITE);
        style.setChartTitleFont(style.getChartTitleFont().deriveFont(13f));
        // XChart's own logarithmic axis refuses a missing bar; this one also makes bars start at 1×, going up
        // where ours is faster and down where it is slower.
        style.setyAxisTickLabelsFormattingFunction(RatioChart::tickLabel);
        style.setXAxisLabelRotation(rows.size() > 6 ? 35 : 0);
        style.setAnnotationLineColor(Color.GRAY);
        for (int i = 0; i < peers.size(); i++) {
            CategorySeries s = chart.addSeries(peers.get(i).label(), labels, values.get(i));
            s.setFillColor(PALETTE[i % PALETTE.length]);
        }
        chart.addAnnotation(new AnnotationLine(0.0, false, false)); // parity: 1×
        return chart;
    }

    /** The label of a tick at {@code log10} on the ratio axis: the ratio, e.g. {@code 0.32×} or {@code 10×}. */
    static String tickLabel(Double log10) {
        double v = Math.pow(10, log10);
        return (v >= 9.95 ? String.format(java.util.Locale.ROOT, "%.0f", v)
                : v >= 0.995 ? String.format(java.util.Locale.ROOT, "%.1f", v)
                : String.format(java.util.Locale.ROOT, "%.2f", v)) + "×";
    }

    /**
     * How many times faster ours ran than {@code peer} in {@code row}: the median over rounds of the per-round
     * ratio of throughputs, or of the peer's time (p50 latency) to ours on a timed row; NaN when not measured.
     */
    static double speedRatio(Suite suite, Row row, Results r, Contender peer) {
        String ours = suite.ours().method();
        if (row.mode() == Mode.SampleTime) {
            return 1 / r.medianSecondaryRatio(row.id(), ours, peer.method(), Measurement.LATENCY_PREFIX + "P50")
                    .orElse(Double.NaN);
        }
        double ratio = r.medianRatio(row.id(), ours, peer.method()).orElse(Double.NaN);
        return row.timed() ? 1 / ratio : ratio;
    }
}
