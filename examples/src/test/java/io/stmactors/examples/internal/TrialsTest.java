package io.stmactors.examples.internal;

import io.stmactors.examples.DemoConfig;
import io.stmactors.examples.DemoMode;
import io.stmactors.examples.DemoResult;
import io.stmactors.examples.DemoRow;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The measuring protocol, with fake trials: what is counted, what is n/a, what fails. */
class TrialsTest {

    /** A trial that does nothing but record the rounds it was given. */
    static class FakeTrial implements Trials.Trial {
        final List<Trials.Round> rounds = new ArrayList<>();
        final String problem;
        boolean closed;
        long commits;

        FakeTrial(String problem) {
            this.problem = problem;
        }

        @Override
        public long round(Trials.Round round) {
            rounds.add(round);
            commits += round.items();
            return round.items();
        }

        @Override
        public String check() {
            return problem;
        }

        @Override
        public long commits() {
            return commits;
        }

        @Override
        public long aborts() {
            return 0;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static DemoConfig config(DemoMode... modes) {
        return DemoConfig.builder().modes(modes).workers(1, 2).size(10).warmup(Duration.ZERO).build();
    }

    @Test
    void measuredRoundsShareTheItemsAndCoverEveryRowOnce() {
        List<FakeTrial> trials = new ArrayList<>();
        List<DemoRow> rows = Trials.run("fake", "", config(DemoMode.SHARED), 10, (mode, workers) -> {
            FakeTrial t = new FakeTrial(null);
            trials.add(t);
            return t;
        });
        assertEquals(2, rows.size());
        for (DemoRow row : rows) {
            assertTrue(row.available() && row.correct());
            assertEquals(10, row.items(), "the measured rounds together do the requested items");
            assertEquals(10, row.commits(), "commits are deltas over the measured rounds only");
        }
        for (FakeTrial t : trials) {
            assertTrue(t.rounds.get(0).warmup());
            assertEquals(1 + Trials.ROUNDS, t.rounds.size());
            assertTrue(t.closed);
        }
    }

    /** A fake trial that takes {@code nanosPerItem} per item (sleeping), and allows the runner to cap its items. */
    static final class SlowTrial extends FakeTrial {
        final long nanosPerItem;
        final boolean cappable;

        SlowTrial(long nanosPerItem, boolean cappable) {
            super(null);
            this.nanosPerItem = nanosPerItem;
            this.cappable = cappable;
        }

        @Override
        public long round(Trials.Round round) {
            java.util.concurrent.locks.LockSupport.parkNanos(round.items() * nanosPerItem);
            return super.round(round);
        }

        @Override
        public boolean itemsMayBeCapped() {
            return cappable;
        }
    }

    @Test
    void aSlowModeMeasuresFewerItemsWhenTheTrialAllowsItAndAllItsConfigurationsTheSameNumber() {
        // 1 ms per item: 1,000,000 items would take 1,000 s; the budget allows about 4,000 (less when the warm-up's
        // rounds overslept), never the size asked.
        List<SlowTrial> trials = new ArrayList<>();
        DemoConfig config = DemoConfig.builder().modes(DemoMode.SHARED).workers(1, 2).size(1_000_000)
                .warmup(Duration.ofMillis(300)).build();
        List<DemoRow> rows = Trials.run("fake", "", config, 1_000_000, (mode, workers) -> {
            SlowTrial t = new SlowTrial(1_000_000, true);
            trials.add(t);
            return t;
        });
        long budgetItems = Trials.MEASURE_BUDGET_NANOS / 1_000_000;
        for (DemoRow row : rows) {
            assertTrue(row.items() >= Trials.ROUNDS && row.items() <= budgetItems, () -> "measured " + row.items());
            assertEquals(rows.get(0).items(), row.items(), "every configuration of a mode measures the same items");
        }
        for (SlowTrial t : trials) {
            assertTrue(t.rounds.stream().filter(Trials.Round::warmup).allMatch(r -> r.items() <= 200_000),
                    "a capped trial's warm-up starts small");
        }
    }

    @Test
    void aTrialThatDoesNotAllowItMeasuresEveryItemAsked() {
        List<DemoRow> rows = Trials.run("fake", "", config(DemoMode.SHARED), 10, (mode, workers) -> new SlowTrial(50_000_000, false));
        for (DemoRow row : rows) {
            assertEquals(10, row.items(), "10 items of 50 ms: over the budget, but this trial's check needs them all");
        }
    }

    @Test
    void unsupportedModeGivesOneUnavailableRowAndIsolatedSaysItIsNotAvailableYet() {
        List<DemoRow> rows = Trials.run("fake", "", config(DemoMode.ISOLATED, DemoMode.GIL), 10, (mode, workers) -> {
            if (mode == DemoMode.ISOLATED) {
                throw new UnsupportedOperationException("Mode.ISOLATED_PROCESSES is not available yet");
            }
            return new FakeTrial(null);
        });
        assertEquals(3, rows.size());
        assertFalse(rows.get(0).available());
        assertEquals(Trials.ISOLATED_NOT_AVAILABLE, rows.get(0).note());
        assertTrue(new DemoResult("fake", rows, "").correct(), "an unavailable mode is not a failure");
    }

    @Test
    void theRealIsolatedModeIsReportedAsUnavailableOrRuns() {
        List<DemoRow> rows = Trials.run("fake", "", config(DemoMode.ISOLATED), 10, (mode, workers) -> {
            Trials.system("probe", mode, workers, List.of()).close();
            return new FakeTrial(null);
        });
        DemoRow first = rows.get(0);
        assertTrue(first.available() ? first.correct() : first.note().equals(Trials.ISOLATED_NOT_AVAILABLE), first::toString);
    }

    @Test
    void aFailedCheckOrACrashIsAnIncorrectRowThatDoesNotHideTheOthers() {
        List<DemoRow> rows = Trials.run("fake", "", config(DemoMode.SHARED), 10, (mode, workers) -> {
            if (workers == 2) {
                return new FakeTrial("total is off by 1");
            }
            return new FakeTrial(null);
        });
        assertTrue(rows.get(0).correct());
        assertFalse(rows.get(1).correct());
        assertEquals("total is off by 1", rows.get(1).note());
        assertFalse(new DemoResult("fake", rows, "").correct());

        List<DemoRow> crashed = Trials.run("fake", "", config(DemoMode.SHARED), 10, (mode, workers) -> {
            throw new IllegalStateException("boom");
        });
        assertEquals(2, crashed.size());
        assertTrue(crashed.get(0).available() && !crashed.get(0).correct());
        assertTrue(crashed.get(0).note().contains("boom"));
    }

    @Test
    void speedupIsThroughputOverTheOneWorkerRowOfTheSameVariantAndMode() {
        List<DemoRow> rows = List.of(
                new DemoRow("d", "v", DemoMode.SHARED, 1, 100, 1, 100, Double.NaN, 0, 0, true, true, "", null),
                new DemoRow("d", "v", DemoMode.SHARED, 2, 100, 1, 180, Double.NaN, 0, 0, true, true, "", null),
                new DemoRow("d", "v", DemoMode.GIL, 1, 100, 1, 50, Double.NaN, 0, 0, true, true, "", null),
                new DemoRow("d", "v", DemoMode.GIL, 2, 100, 1, 45, Double.NaN, 0, 0, true, true, "", null));
        DemoResult result = new DemoResult("d", rows, "");
        assertEquals(1.0, result.rows().get(0).speedup(), 1e-9);
        assertEquals(1.8, result.rows().get(1).speedup(), 1e-9);
        assertEquals(0.9, result.rows().get(3).speedup(), 1e-9);
    }

    @Test
    void rngIsAPureFunctionOfItsState() {
        long s = Rng.next(42);
        assertEquals(Rng.mix(s), Rng.mix(Rng.next(42)));
        for (int i = 0; i < 1000; i++) {
            int v = Rng.below(Rng.mix(i), 7);
            assertTrue(v >= 0 && v < 7);
        }
    }
}
