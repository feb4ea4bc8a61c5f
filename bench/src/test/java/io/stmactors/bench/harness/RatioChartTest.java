package io.stmactors.bench.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.annotations.Mode;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chart of a suite run ({@link RatioChart}) and reading a run back from its JSON dump ({@link ResultsDump}),
 * which {@code Report --chart-from} combines.
 */
class RatioChartTest {
    private static final Suite SUITE = new Suite("t", "test", "", List.of(
            new Contender("ours", "ours", true),
            new Contender("peer", "peer", false),
            new Contender("other", "other", false)),
            List.of(new Row("tput", "throughput", "x.T", 1, List.of()),
                    new Row("time", "time per op", "x.A", 1, List.of()).in(Mode.AverageTime),
                    new Row("lat", "latency", "x.L", 1, List.of()).in(Mode.SampleTime),
                    new Row("solo", "only ours and peer", "x.S", 2, List.of("ours", "peer"))),
            List.of(), List.of(), List.of(), List.of());

    private static Measurement run(String row, String who, int round, double score, String unit) {
        return new Measurement(row, who, round, 1, score, 0.1, unit, new double[] {score, score}, Map.of(), 1.0, null);
    }

    private static Measurement latency(String who, int round, double p50) {
        return new Measurement("lat", who, round, 1, p50 * 2, 0.1, "us/op", new double[] {p50 * 2},
                Map.of("latencyP50", p50, "latencyP99", p50 * 10, "latencySamples", 1000.0), 1.0, null);
    }

    /** Two rounds; ours is 2× (throughput), 4× (time: a quarter of the peer's) and 5× (p50 latency) faster than peer. */
    private static Results results() {
        Results r = new Results();
        for (int round = 1; round <= 2; round++) {
            r.add(run("tput", "ours", round, 200 * round, "ops/s"));
            r.add(run("tput", "peer", round, 100 * round, "ops/s"));
            r.add(run("tput", "other", round, 400 * round, "ops/s"));
            r.add(run("time", "ours", round, 10, "ns/op"));
            r.add(run("time", "peer", round, 40, "ns/op"));
            r.add(latency("ours", round, 2));
            r.add(latency("peer", round, 10));
            r.add(run("solo", "ours", round, 30, "ops/s"));
            r.add(run("solo", "peer", round, 10, "ops/s"));
        }
        r.add(Measurement.failed("time", "other", 1, 1, 1.0, "boom"));
        return r;
    }

    @Test
    void everyBarSaysHowManyTimesFasterOursRanWhateverTheRowMeasures() {
        Results r = results();
        Contender peer = SUITE.contender("peer");
        assertEquals(2.0, RatioChart.speedRatio(SUITE, SUITE.row("tput").orElseThrow(), r, peer), 1e-9);
        assertEquals(4.0, RatioChart.speedRatio(SUITE, SUITE.row("time").orElseThrow(), r, peer), 1e-9,
                "a time per operation is turned around");
        assertEquals(5.0, RatioChart.speedRatio(SUITE, SUITE.row("lat").orElseThrow(), r, peer), 1e-9,
                "a latency row compares p50s, turned around");
        assertEquals(0.5, RatioChart.speedRatio(SUITE, SUITE.row("tput").orElseThrow(), r, SUITE.contender("other")),
                1e-9, "slower than a peer: below 1");
        assertTrue(Double.isNaN(RatioChart.speedRatio(SUITE, SUITE.row("time").orElseThrow(), r,
                SUITE.contender("other"))), "a failed run has no ratio");
        assertEquals("1×", RatioChart.tickLabel(0.0));
        assertEquals("10×", RatioChart.tickLabel(1.0));
        assertEquals("0.5×", RatioChart.tickLabel(Math.log10(0.5)));
        assertEquals("1.02×", RatioChart.tickLabel(Math.log10(1.02)), "ticks a few percent apart stay apart");
        assertEquals("0.00123×", RatioChart.tickLabel(Math.log10(0.00123)));
    }

    @Test
    void aTimedRowTurnsEachRoundsRatioAroundBeforeTheMedian() {
        Results r = new Results();
        r.add(run("time", "ours", 1, 10, "ns/op"));
        r.add(run("time", "peer", 1, 5, "ns/op")); // ours twice as slow: 0.5
        r.add(run("time", "ours", 2, 10, "ns/op"));
        r.add(run("time", "peer", 2, 20, "ns/op")); // ours twice as fast: 2
        assertEquals(1.25, RatioChart.speedRatio(SUITE, SUITE.row("time").orElseThrow(), r, SUITE.contender("peer")),
                1e-9, "the median of 0.5 and 2 (turning the median of the time ratios around gives 0.8)");
    }

    @Test
    void aRowWithoutAnyBarIsLeftOutAndAPeerWithoutARatioHasNoBar() {
        Results r = new Results();
        r.add(run("tput", "ours", 1, 300, "ops/s"));
        r.add(run("tput", "peer", 1, 100, "ops/s"));
        r.add(run("solo", "ours", 1, 30, "ops/s")); // its peer failed: no bar in this row at all
        r.add(Measurement.failed("solo", "peer", 1, 1, 1.0, "boom"));
        org.knowm.xchart.CategoryChart chart = RatioChart.chart(SUITE, r, row -> true, "today");
        assertNotNull(chart);
        org.knowm.xchart.CategorySeries peer = chart.getSeriesMap().get("peer");
        assertEquals(List.of("tput"), List.copyOf(peer.getXData()), "only the row with a bar");
        assertEquals(Math.log10(3), ((Number) peer.getYData().iterator().next()).doubleValue(), 1e-9);
        org.knowm.xchart.CategorySeries other = chart.getSeriesMap().get("other");
        assertEquals(java.util.Collections.singletonList(null), new java.util.ArrayList<>(other.getYData()),
                "other did not run: no bar");
    }

    @Test
    void writesAPngWithMissingBarsAndNothingWhenThereIsNoRatio(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("sub/t.png");
        assertTrue(RatioChart.write(png, SUITE, results(), row -> true, "today, 2 cores"));
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "a PNG that ImageIO reads");
        assertTrue(image.getWidth() >= 1200 && image.getHeight() == 560, image.getWidth() + "×" + image.getHeight());

        Results onlyOurs = new Results();
        onlyOurs.add(run("tput", "ours", 1, 100, "ops/s"));
        Path none = dir.resolve("none.png");
        assertFalse(RatioChart.write(none, SUITE, onlyOurs, row -> true, "today"));
        assertFalse(Files.exists(none), "no file for a chart without bars");
    }

    @Test
    void aRunReadBackFromItsDumpGivesTheSameRatiosAndTheRowsModes(@TempDir Path dir) throws IOException {
        MachineInfo m = new MachineInfo(2, "AMD EPYC", "1 GiB", "Linux", "OpenJDK 64-Bit Server VM, Debian, 17.0.15",
                "abc123", "0.1 / 0.1 / 0.1");
        Results r = results();
        MarkdownReport.Context ctx = new MarkdownReport.Context(SUITE, RunConfig.smoke(), m, "0.2 / 0.1 / 0.1",
                "2026-12-04 21:00 UTC", "bench/run.sh t", "x.json");
        Path json = dir.resolve("t.json");
        JsonDump.write(json, ctx, r);

        ResultsDump dump = ResultsDump.read(json);
        assertEquals("t", dump.suite().name());
        assertEquals("2026-12-04 21:00 UTC", dump.date());
        assertEquals("2 cores, AMD EPYC, JDK 17.0.15, commit abc123", dump.machine());
        assertEquals(Set.of("tput", "time", "lat", "solo"), dump.ran());
        assertEquals(Mode.Throughput, dump.suite().row("tput").orElseThrow().mode());
        assertEquals(Mode.AverageTime, dump.suite().row("time").orElseThrow().mode());
        assertEquals(Mode.SampleTime, dump.suite().row("lat").orElseThrow().mode());
        assertEquals(r.all().size(), dump.results().all().size());
        assertEquals("boom", dump.results().failures("time", "other").get(0).failure());
        for (Row row : SUITE.rows()) {
            for (Contender c : SUITE.contenders()) {
                if (!c.ours()) {
                    double before = RatioChart.speedRatio(SUITE, row, r, c);
                    double after = RatioChart.speedRatio(dump.suite(), dump.suite().row(row.id()).orElseThrow(),
                            dump.results(), dump.suite().contender(c.method()));
                    assertEquals(Double.isNaN(before), Double.isNaN(after), row.id() + "/" + c.method());
                    if (!Double.isNaN(before)) {
                        assertEquals(before, after, 1e-9, row.id() + "/" + c.method());
                    }
                }
            }
        }
    }

    @Test
    void aDumpFromBeforeRowsHadParametersIsRead(@TempDir Path dir) throws IOException {
        Path old = Files.writeString(dir.resolve("old.json"), """
                {"suite": "t", "date": "2026-11-22 00:07 UTC", "command": "c",
                 "machine": {"cores": 2, "cpu": "EPYC", "memory": "1 GiB", "os": "Linux", "jdk": "17", "commit": "x",
                             "loadAtStart": "0", "loadAtEnd": "0"},
                 "contenders": [{"method": "ours", "label": "ours", "ours": true},
                                {"method": "peer", "label": "peer", "ours": false}],
                 "rows": [{"id": "tput", "class": "x.T", "threads": 1}],
                 "runs": [{"row": "tput", "contender": "ours", "round": 1, "threads": 1, "score": 20.0, "error": null,
                           "unit": "ops/s", "iterations": [20.0], "secondary": {}, "seconds": 9.0, "failure": null},
                          {"row": "tput", "contender": "peer", "round": 1, "threads": 1, "score": 10.0, "error": null,
                           "unit": "ops/s", "iterations": [10.0], "secondary": {}, "seconds": 9.0, "failure": null}]}
                """);
        ResultsDump dump = ResultsDump.read(old);
        assertEquals(Map.of(), dump.suite().row("tput").orElseThrow().params());
        assertEquals(2.0, RatioChart.speedRatio(dump.suite(), dump.suite().row("tput").orElseThrow(), dump.results(),
                dump.suite().contender("peer")), 1e-9);
        assertTrue(Double.isNaN(dump.results().all().get(0).error()), "null is NaN");
    }

    @Test
    void aFileThatIsNoDumpIsRefusedSayingWhy(@TempDir Path dir) throws IOException {
        Path notJson = Files.writeString(dir.resolve("a.json"), "this is not json {");
        IOException e = assertThrows(IOException.class, () -> ResultsDump.read(notJson));
        assertTrue(e.getMessage().contains("is not a benchmark results dump"), e.getMessage());

        Path other = Files.writeString(dir.resolve("b.json"), "{\"suite\": \"t\", \"date\": \"today\"}");
        e = assertThrows(IOException.class, () -> ResultsDump.read(other));
        assertTrue(e.getMessage().contains("no \"machine\""), e.getMessage());

        Path badNumber = Files.writeString(dir.resolve("d.json"), "{\"suite\": \"t\", \"date\": \"x\", "
                + "\"machine\": {\"cores\": \"two\"}, \"contenders\": [{\"method\": \"ours\", \"label\": \"ours\", "
                + "\"ours\": true}], \"rows\": [], \"runs\": []}");
        e = assertThrows(IOException.class, () -> ResultsDump.read(badNumber));
        assertTrue(e.getMessage().contains("is not a benchmark results dump"), e.getMessage());

        Path array = Files.writeString(dir.resolve("c.json"), "[1, 2]");
        e = assertThrows(IOException.class, () -> ResultsDump.read(array));
        assertTrue(e.getMessage().contains("not a JSON object"), e.getMessage());
    }
}
