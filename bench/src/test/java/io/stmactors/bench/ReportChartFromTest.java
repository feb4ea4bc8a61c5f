package io.stmactors.bench;

import io.stmactors.bench.harness.Contender;
import io.stmactors.bench.harness.JsonDump;
import io.stmactors.bench.harness.MachineInfo;
import io.stmactors.bench.harness.MarkdownReport;
import io.stmactors.bench.harness.Measurement;
import io.stmactors.bench.harness.Results;
import io.stmactors.bench.harness.ResultsFile;
import io.stmactors.bench.harness.Row;
import io.stmactors.bench.harness.RunConfig;
import io.stmactors.bench.harness.Suite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code Report --chart-from}: the chart of a dumped run, drawn again and shown in its section. */
class ReportChartFromTest {

    @Test
    void drawsTheChartBesideTheDumpAndShowsItInTheSectionOfThatRun(@TempDir Path root) throws Exception {
        Suite suite = new Suite("t", "test", "", List.of(new Contender("ours", "ours", true),
                new Contender("peer", "peer", false)), List.of(new Row("tput", "throughput", "x.T", 1, List.of())),
                List.of(), List.of(), List.of(), List.of());
        Results r = new Results();
        r.add(new Measurement("tput", "ours", 1, 1, 300, 1, "ops/s", new double[] {300}, Map.of(), 1, null));
        r.add(new Measurement("tput", "peer", 1, 1, 100, 1, "ops/s", new double[] {100}, Map.of(), 1, null));
        MachineInfo m = new MachineInfo(2, "cpu", "1 GiB", "os", "jdk", "abc", "0.1 / 0.1 / 0.1");
        Path json = root.resolve("bench/results/t-1.json");
        MarkdownReport.Context ctx = new MarkdownReport.Context(suite, RunConfig.smoke(), m, "0.1 / 0.1 / 0.1",
                "today", "cmd", "bench/results/t-1.json");
        JsonDump.write(json, ctx, r);
        Path out = root.resolve("bench/RESULTS.md");
        ResultsFile.write(out, "t", MarkdownReport.render(ctx, r));
        String before = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(!before.contains("**Chart**"), "no chart in a context without one");

        assertEquals(0, Report.chartFrom(json, root, out));
        assertTrue(Files.size(root.resolve("bench/results/t-1.png")) > 1000);
        String after = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(after.contains(MarkdownReport.rawResultsLine("bench/results/t-1.json") + "\n"
                + MarkdownReport.chartLine("results/t-1.png") + "\n"), after);
        assertEquals(0, Report.chartFrom(json, root, out));
        assertEquals(after, Files.readString(out, StandardCharsets.UTF_8), "drawing it again changes nothing");

        Path missing = root.resolve("bench/results/none.json");
        IOException e = assertThrows(IOException.class, () -> Report.chartFrom(missing, root, out));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void aChartXChartRefusesIsAnErrorNamingTheRunNotABadArgument(@TempDir Path root) throws Exception {
        Suite suite = new Suite("t", "test", "", List.of(new Contender("ours", "ours", true),
                new Contender("a", "same label", false), new Contender("b", "same label", false)),
                List.of(new Row("tput", "throughput", "x.T", 1, List.of())), List.of(), List.of(), List.of(),
                List.of());
        Results r = new Results();
        for (String who : List.of("ours", "a", "b")) {
            r.add(new Measurement("tput", who, 1, 1, 100, 1, "ops/s", new double[] {100}, Map.of(), 1, null));
        }
        MachineInfo m = new MachineInfo(2, "cpu", "1 GiB", "os", "jdk", "abc", "0.1 / 0.1 / 0.1");
        Path json = root.resolve("t.json");
        JsonDump.write(json, new MarkdownReport.Context(suite, RunConfig.smoke(), m, "x", "today", "cmd", "t.json"), r);
        IOException e = assertThrows(IOException.class, () -> Report.chartFrom(json, root, root.resolve("R.md")));
        assertTrue(e.getMessage().contains("could not draw the chart of"), e.getMessage());
    }

    @Test
    void aNewRunsSectionNamesItsChart() {
        Suite suite = new Suite("t", "test", "", List.of(new Contender("ours", "ours", true)),
                List.of(new Row("tput", "throughput", "x.T", 1, List.of())), List.of(), List.of(), List.of(),
                List.of());
        MachineInfo m = new MachineInfo(2, "cpu", "1 GiB", "os", "jdk", "abc", "0.1 / 0.1 / 0.1");
        String md = MarkdownReport.render(new MarkdownReport.Context(suite, RunConfig.smoke(), m, "0.1 / 0.1 / 0.1",
                "today", "cmd", "bench/results/t-2.json", "results/t-2.png"), new Results());
        assertTrue(md.contains(MarkdownReport.rawResultsLine("bench/results/t-2.json") + "\n"
                + MarkdownReport.chartLine("results/t-2.png") + "\n"), md);
        assertEquals("results/t-2.png", Report.link(Path.of("/r/bench/RESULTS.md"), Path.of("/r/bench/results/t-2.png")));
        assertEquals(Path.of("/r/x/t-3.png"), Report.chartFile(Path.of("/r/x/t-3.json")));
    }
}
