package io.stmactors.bench.harness;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsFileTest {

    @Test
    void createsTheFileWithAPreambleAndTheSection() {
        String doc = ResultsFile.replaceSection("", "stm", "## stm\nfirst\n");
        assertTrue(doc.startsWith(ResultsFile.PREAMBLE));
        assertTrue(doc.contains("<!-- BEGIN suite:stm -->\n## stm\nfirst\n<!-- END suite:stm -->"));
    }

    @Test
    void replacesOnlyItsOwnSection() {
        String doc = ResultsFile.replaceSection("", "stm", "stm one");
        doc = ResultsFile.replaceSection(doc, "actors", "actors one");
        doc = ResultsFile.replaceSection(doc, "stm", "stm two");
        assertTrue(doc.contains("stm two"));
        assertTrue(doc.contains("actors one"));
        assertTrue(!doc.contains("stm one"));
        assertTrue(doc.indexOf("suite:stm") < doc.indexOf("suite:actors"), "sections keep their place");
    }

    @Test
    void keepsTextOutsideTheMarkers() {
        String doc = "# mine\n\nhand-written intro\n";
        String once = ResultsFile.replaceSection(doc, "stm", "x");
        String twice = ResultsFile.replaceSection(once, "stm", "x");
        assertTrue(once.startsWith(doc));
        assertEquals(once, twice, "rewriting the same section is idempotent");
    }

    @Test
    void aChartGoesUnderTheRawResultsOfTheRunItShowsAndReplacesTheOldOne() {
        String raw = MarkdownReport.rawResultsLine("bench/results/stm-1.json");
        String doc = ResultsFile.replaceSection("", "stm", "## stm\n- **Date**: today\n" + raw + "\n\nrows\n");
        doc = ResultsFile.replaceSection(doc, "actors", "## actors\n" + raw + "\n");
        assertTrue(ResultsFile.showsRun(doc, "stm", raw));
        assertTrue(!ResultsFile.showsRun(doc, "stm", MarkdownReport.rawResultsLine("bench/results/stm-2.json")));

        String once = ResultsFile.withChart(doc, "stm", raw, MarkdownReport.chartLine("results/stm-1.png"));
        assertTrue(once.contains(raw + "\n" + MarkdownReport.chartLine("results/stm-1.png") + "\n\nrows\n"), once);
        assertTrue(once.contains("## actors\n" + raw + "\n<!-- END suite:actors -->"), "the other suite untouched");
        String again = ResultsFile.withChart(once, "stm", raw, MarkdownReport.chartLine("results/stm-1b.png"));
        assertTrue(again.contains(raw + "\n" + MarkdownReport.chartLine("results/stm-1b.png") + "\n\nrows\n"), again);
        assertTrue(!again.contains("stm-1.png"), "replaced, not added");
        assertEquals(once, ResultsFile.withChart(once, "stm", MarkdownReport.rawResultsLine("bench/results/stm-2.json"),
                MarkdownReport.chartLine("results/stm-2.png")), "a section showing another run is left alone");
    }

    @Test
    void aChartFindsItsRunInAFileWithWindowsLineEnds() {
        String raw = MarkdownReport.rawResultsLine("bench/results/stm-1.json");
        String doc = ResultsFile.replaceSection("", "stm", "## stm\n" + raw + "\n\nrows\n").replace("\n", "\r\n");
        assertTrue(ResultsFile.showsRun(doc, "stm", raw));
        String charted = ResultsFile.withChart(doc, "stm", raw, MarkdownReport.chartLine("results/stm-1.png"));
        assertTrue(charted.contains(raw + "\r\n" + MarkdownReport.chartLine("results/stm-1.png") + "\r\n\r\nrows"),
                charted);
        assertEquals(charted, ResultsFile.withChart(charted, "stm", raw, MarkdownReport.chartLine("results/stm-1.png")));
        assertTrue(!ResultsFile.showsRun(doc, "stm", raw.substring(2)), "a whole line, not a part of one");
    }
}
