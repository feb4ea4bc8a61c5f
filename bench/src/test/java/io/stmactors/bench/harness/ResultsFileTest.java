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
}
