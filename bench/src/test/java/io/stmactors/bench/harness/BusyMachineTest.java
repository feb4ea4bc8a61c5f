package io.stmactors.bench.harness;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The "busy machine" banner: load from other processes, not from the run's own benchmark threads. */
class BusyMachineTest {
    private static final Suite SUITE = new Suite("t", "test", "", List.of(
            new Contender("ours", "ours", true),
            new Contender("peer", "peer", false)),
            List.of(new Row("a-2t", "a", "x.A", 2, List.of())), List.of(), List.of(), List.of(), List.of());

    private static String render(String loadAtStart, String loadAtEnd) {
        Results r = new Results();
        for (int round = 1; round <= 3; round++) {
            r.add(new Measurement("a-2t", "ours", round, 2, 10, 0.1, "ops/s", new double[] {10}, Map.of(), 9.0, null));
            r.add(new Measurement("a-2t", "peer", round, 2, 10, 0.1, "ops/s", new double[] {10}, Map.of(), 9.0, null));
        }
        MachineInfo m = new MachineInfo(2, "cpu", "1 GiB", "os", "jdk", "abc", loadAtStart);
        return MarkdownReport.render(new MarkdownReport.Context(SUITE, RunConfig.full(), m, loadAtEnd, "today", "cmd",
                "x.json"), r);
    }

    @Test
    void theRunsOwnTwoThreadsDoNotMakeAQuietMachineBusy() {
        // quiet before the run; at its end the 1-minute load is the 2 benchmark threads of its last runs
        String md = render("0.30 / 0.20 / 0.10", "2.30 / 1.60 / 0.90");
        assertFalse(md.contains("Busy machine"), md);
    }

    @Test
    void loadBeyondTheRunsOwnThreadsIsStillBusy() {
        assertTrue(render("0.30 / 0.20 / 0.10", "3.40 / 2.60 / 1.90").contains("Busy machine"));
        assertTrue(render("1.50 / 1.20 / 1.10", "2.10 / 1.60 / 1.30").contains("Busy machine"));
    }
}
