package io.stmactors.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every demo at a tiny size, in every mode, with 1 and 2 workers: its own correctness check must
 * pass. Isolated mode is asserted either way: while the runtime does not provide it, its rows
 * must say so ("n/a"); once it does, they must be correct like the others.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DemosTest {

    static DemoConfig tiny(int size) {
        return DemoConfig.builder().modes(DemoMode.values()).workers(1, 2).size(size).seed(7)
                .warmup(Duration.ZERO).timeout(Duration.ofSeconds(30)).build();
    }

    /** Every row that ran is correct; every mode appears; only the TransactionQueue variant is n/a (in isolated mode). */
    static void assertCorrectInEveryMode(DemoResult result) {
        assertTrue(result.correct(), () -> "not correct: " + result.rows());
        for (DemoMode mode : DemoMode.values()) {
            List<DemoRow> rows = result.rows().stream().filter(r -> r.mode() == mode).toList();
            assertFalse(rows.isEmpty(), "no row for mode " + mode);
            for (DemoRow row : rows) {
                if (row.available()) {
                    assertTrue(row.correct(), () -> "incorrect: " + row);
                    assertTrue(row.items() > 0 && row.throughput() > 0, () -> "nothing measured: " + row);
                    if (row.workers() == 1) {
                        assertEquals(1.0, row.speedup(), 1e-9);
                    }
                } else {
                    // Isolated mode exists: only the TransactionQueue variant (threads of one JVM) cannot use it.
                    assertEquals(DemoMode.ISOLATED, mode, () -> "only isolated mode may be unavailable: " + row);
                    assertEquals("queue", row.variant(), () -> "isolated mode must run this demo: " + row);
                    assertFalse(row.note().isEmpty());
                }
            }
        }
    }

    @Test
    void bankConservesMoneyWithAccountsAsRefsAndAsActors() {
        DemoResult result = new BankDemo().accounts(8)
                .accountsAs(List.of(BankDemo.AccountsAs.REFS, BankDemo.AccountsAs.ACTORS)).run(tiny(20_000));
        assertCorrectInEveryMode(result);
        assertEquals(List.of("refs", "actors"), result.rows().stream().map(DemoRow::variant).distinct().toList());
        DemoRow sharedRefs = result.rows().get(0);
        assertEquals(20_000, sharedRefs.items(), "every transfer of the measured rounds is counted");
        assertTrue(sharedRefs.commits() >= 20_000, "one handler transaction per transfer at least");
    }

    @Test
    void listComputeMatchesTheSequentialComputationViaQueueAndActors() {
        DemoResult result = new ListComputeDemo().width(60).maxIterations(200).run(tiny(40));
        assertCorrectInEveryMode(result);
        DemoRow isolatedQueue = result.rows().stream()
                .filter(r -> r.variant().equals("queue") && r.mode() == DemoMode.ISOLATED).findFirst().orElseThrow();
        assertFalse(isolatedQueue.available(), "the TransactionQueue cannot run in isolated processes");
    }

    @Test
    void reactorAnswersEveryRequestOnceWithSerializableIncrements() {
        DemoResult result = new ReactorDemo().keys(5).connections(3).renderWork(100)
                .timeLimit(Duration.ofSeconds(20)).run(tiny(90));
        assertCorrectInEveryMode(result);
        for (DemoRow row : result.availableRows()) {
            assertTrue((double) row.extras().get("p99 ms") >= (double) row.extras().get("p50 ms"), row::toString);
        }
    }

    @Test
    void sharedStructureKeepsEveryKeyAndTheTotal() {
        assertCorrectInEveryMode(new SharedStructureDemo().entries(300).reads(4).updatePercent(50).run(tiny(2_000)));
    }

    @Test
    void contentionCountsTheHotReferenceExactlyAndNamesIt() {
        DemoResult result = new ContentionDemo().conflictPercents(List.of(0, 100)).work(10).run(tiny(10_000));
        assertCorrectInEveryMode(result);
        assertEquals(List.of("p=0%", "p=100%"), result.rows().stream().map(DemoRow::variant).distinct().toList());
        for (DemoRow row : result.availableRows()) {
            Object hot = row.extras().get("hot ref");
            assertTrue(hot.equals("-") || hot.toString().startsWith("T"), () -> "hot ref column: " + hot);
        }
    }

    @Test
    void scalingRunsItsThreePartsAndSummarizesOneLinePerDemoAndMode() {
        DemoResult result = new ScalingDemo().run(tiny(1));
        assertCorrectInEveryMode(result);
        List<ScalingDemo.Summary> summary = ScalingDemo.summarize(result);
        assertEquals(List.of("bank/refs", "list-compute/actors", "shared-structure"),
                summary.stream().map(ScalingDemo.Summary::series).distinct().toList());
        assertEquals(3 * DemoMode.values().length, summary.size());
        for (ScalingDemo.Summary s : summary) {
            assertTrue(s.available(), () -> "every part runs in every mode: " + s);
            assertEquals(2, s.throughputByWorkers().size(), s::toString);
            assertTrue(s.speedup() > 0, s::toString);
        }
    }

    @Test
    void progressIsReportedStepByStepAsPlanned() {
        List<Demo> demos = List.of(new BankDemo().accounts(10), new ListComputeDemo().width(20).maxIterations(20),
                new ScalingDemo());
        for (Demo demo : demos) {
            int[] planned = {0};
            int[] finished = {0};
            ProgressListener listener = new ProgressListener() {
                @Override
                public void plan(int steps) {
                    planned[0] += steps;
                }

                @Override
                public void starting(String label) {
                    assertFalse(label.isEmpty());
                }

                @Override
                public void finished() {
                    finished[0]++;
                }
            };
            DemoConfig config = DemoConfig.builder().modes(DemoMode.values()).workers(1, 2).size(demo instanceof ScalingDemo ? 1 : 30)
                    .warmup(Duration.ZERO).progress(listener).build();
            demo.run(config);
            assertEquals(demo.progressSteps(config), planned[0], demo.name() + ": plans what it announced");
            assertEquals(planned[0], finished[0], demo.name() + ": every planned step is reported once, unavailable ones too");
        }
    }
}
