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
 * that above the line means ours is faster on every row. A peer without a ratio in a row has no bar there; a row
 * without any bar is left out (an empty place on the line would look like parity).
 */
public final class RatioChart {
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

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
        List<Contender> peers = suite.contenders().stream().filter(c -> !c.ours()).toList();
        List<Row> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<List<Double>> values = new ArrayList<>();
        peers.forEach(p -> values.add(new ArrayList<>()));
        for (Row row : suite.rows()) {
            if (!selected.test(row)) {
                continue;
            }
            Double[] bars = new Double[peers.size()];
            boolean any = false;
            for (int i = 0; i < peers.size(); i++) {
                double v = row.runs(peers.get(i)) ? speedRatio(suite, row, results, peers.get(i)) : Double.NaN;
                if (v > 0 && Double.isFinite(v)) {
                    bars[i] = Math.log10(v); // drawn on a linear axis of log10, labelled as ratios
                    any = true;
                }
            }
            if (!any) {
                continue; // a row without any bar would look like parity: left out
            }
            rows.add(row);
            labels.add(row.mode() == Mode.SampleTime ? row.id() + " (p50)" : row.id());
            for (int i = 0; i < peers.size(); i++) {
                values.get(i).add(bars[i]);
            }
        }
        if (rows.isEmpty()) {
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

    /**
     * The label of a tick at {@code log10} on the ratio axis: the ratio to three significant digits, e.g.
     * {@code 0.316×}, {@code 1×}, {@code 1.02×} or {@code 10×} (ticks a few percent apart stay apart).
     */
    static String tickLabel(Double log10) {
        double v = Math.pow(10, log10);
        if (!(v > 0) || Double.isInfinite(v)) {
            return "";
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString()
                + "×";
    }

    /**
     * How many times faster ours ran than {@code peer} in {@code row}: the median over rounds of the ratio taken
     * inside each round, of throughputs, or of the peer's time (p50 latency) to ours on a timed row (each round's
     * ratio turned around before the median, which for an even number of rounds is not the same as turning the
     * median around); NaN when no round has both.
     */
    static double speedRatio(Suite suite, Row row, Results r, Contender peer) {
        String ours = suite.ours().method();
        List<Double> ratios = new ArrayList<>();
        for (Measurement mine : r.of(row.id(), ours)) {
            r.in(row.id(), peer.method(), mine.round()).ifPresent(theirs -> {
                if (row.mode() == Mode.SampleTime) {
                    Double a = mine.secondary().get(P50);
                    Double b = theirs.secondary().get(P50);
                    if (a != null && b != null) {
                        ratios.add(b / a);
                    }
                } else {
                    ratios.add(row.timed() ? theirs.score() / mine.score() : mine.score() / theirs.score());
                }
            });
        }
        return Stats.median(ratios).orElse(Double.NaN);
    }

    private static final String P50 = Measurement.LATENCY_PREFIX + "P50";
}
