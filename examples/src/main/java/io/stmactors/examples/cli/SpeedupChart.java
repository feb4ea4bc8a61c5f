package io.stmactors.examples.cli;

import io.stmactors.examples.DemoResult;
import io.stmactors.examples.DemoRow;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws speedup against workers with XChart, headless: one colour per demo (and variant), one line
 * style per mode (shared solid, gil dashed, isolated dotted); plus
 * the ideal line (linear up to the number of cores, flat after: the physical ceiling). Writes a PNG,
 * or a self-contained HTML page with the PNG inlined (base64) and the result table.
 */
final class SpeedupChart {
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

    private SpeedupChart() {
    }

    static void write(DemoResult result, String table, Path path, RunInfo info) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = chart(result, info);
        if (ChartFile.isHtml(path)) {
            byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            Files.writeString(path, html(result, table, png, info), StandardCharsets.UTF_8);
        } else {
            try (OutputStream out = Files.newOutputStream(path)) {
                BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
            }
        }
    }

    static XYChart chart(DemoResult result, RunInfo info) {
        XYChart chart = new XYChartBuilder().width(900).height(540)
                .title("stm-actors demo " + result.demo() + ": speedup over 1 worker (" + info.cores() + " cores)")
                .xAxisTitle("workers").yAxisTitle("speedup").build();
        Styler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setYAxisMin(0.0);

        Map<String, List<DemoRow>> series = new LinkedHashMap<>();
        int maxWorkers = 1;
        for (DemoRow row : result.rows()) {
            if (row.available() && !Double.isNaN(row.speedup())) {
                series.computeIfAbsent(row.series() + " " + row.mode().cliName(), k -> new ArrayList<>()).add(row);
                maxWorkers = Math.max(maxWorkers, row.workers());
            }
        }
        double[] idealX = new double[maxWorkers];
        double[] idealY = new double[maxWorkers];
        for (int w = 1; w <= maxWorkers; w++) {
            idealX[w - 1] = w;
            idealY[w - 1] = Math.min(w, info.cores());
        }
        XYSeries ideal = chart.addSeries("ideal (ceiling: " + info.cores() + " cores)", idealX, idealY);
        ideal.setMarker(SeriesMarkers.NONE);
        ideal.setLineColor(Color.GRAY);
        ideal.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        // One colour per demo (and variant), one line style per mode.
        List<String> demos = new ArrayList<>();
        for (Map.Entry<String, List<DemoRow>> e : series.entrySet()) {
            List<DemoRow> rows = e.getValue();
            DemoRow first = rows.get(0);
            if (!demos.contains(first.series())) {
                demos.add(first.series());
            }
            double[] x = new double[rows.size()];
            double[] y = new double[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                x[i] = rows.get(i).workers();
                y[i] = rows.get(i).speedup();
            }
            XYSeries s = chart.addSeries(e.getKey(), x, y);
            s.setLineColor(PALETTE[demos.indexOf(first.series()) % PALETTE.length]);
            s.setMarkerColor(PALETTE[demos.indexOf(first.series()) % PALETTE.length]);
            s.setLineStyle(switch (first.mode()) {
                case SHARED -> new BasicStroke(2.5f);
                case GIL -> new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f);
                case ISOLATED -> new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 4f}, 0f);
            });
        }
        return chart;
    }

    private static String html(DemoResult result, String table, byte[] png, RunInfo info) {
        String title = "stm-actors demo " + result.demo();
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(title) + "</title>\n"
                + "<style>body{font-family:sans-serif;margin:2em;max-width:70em}pre{background:#f6f6f6;padding:1em;overflow-x:auto}"
                + "img{max-width:100%}</style>\n</head>\n<body>\n<h1>" + escape(title) + "</h1>\n"
                + "<p>" + escape(info.cores() + " cores, JDK " + info.jdk() + ", " + info.os() + ", " + info.date()
                + "; command: " + info.command()) + "</p>\n"
                + "<p>Speedup = throughput with N workers / throughput with 1 worker, same mode, same run. With "
                + info.cores() + " cores it cannot exceed " + info.cores() + ".0&times;.</p>\n"
                + "<img alt=\"speedup against workers per mode\" src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(png) + "\">\n"
                + "<pre>" + escape(table) + "</pre>\n"
                + (result.report().isEmpty() ? "" : "<pre>" + escape(result.report()) + "</pre>\n")
                + "</body>\n</html>\n";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
