package io.stmactors.bench.harness;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TargetTest {
    private static final Suite SUITE = new Suite("t", "test", "", List.of(
            new Contender("ours", "ours", true),
            new Contender("peer", "peer", false)),
            List.of(new Row("a-1t", "a", "x.A", 1, List.of()), new Row("a-2t", "a", "x.A", 2, List.of())),
            List.of(new Scaling("a", "a", "a-1t", "a-2t")), List.of(), List.of(), List.of());

    private static Measurement m(String row, String who, int round, double score) {
        return new Measurement(row, who, round, 1, score, 0.0, "ops/s", new double[] {score}, Map.of(), 1.0, null);
    }

    @Test
    void ratiosArePairedInsideRoundsThenMedian() {
        Results r = new Results();
        // Round 2 is slow for everybody: a paired ratio is immune to it.
        r.add(m("a-1t", "ours", 1, 200));
        r.add(m("a-1t", "peer", 1, 100));
        r.add(m("a-1t", "ours", 2, 20));
        r.add(m("a-1t", "peer", 2, 10));
        r.add(m("a-1t", "ours", 3, 300));
        r.add(m("a-1t", "peer", 3, 100));
        assertEquals(2.0, r.medianRatio("a-1t", "ours", "peer").orElseThrow(), 1e-9);
        assertEquals(200, r.medianScore("a-1t", "ours").orElseThrow(), 1e-9);
    }

    @Test
    void aheadIsMetOnlyWhenEveryRowIsMeasuredAndAhead() {
        Target ahead = new Target.AheadOf("ahead", List.of("peer"));
        Results r = new Results();
        r.add(m("a-1t", "ours", 1, 2));
        r.add(m("a-1t", "peer", 1, 1));
        assertEquals(Target.Status.NOT_MEASURED, ahead.evaluate(SUITE, r).status());
        r.add(m("a-2t", "ours", 1, 1));
        r.add(m("a-2t", "peer", 1, 3));
        Target.Verdict v = ahead.evaluate(SUITE, r);
        assertEquals(Target.Status.NOT_MET, v.status());
        assertTrue(v.detail().contains("a-2t"), v.detail());
    }

    @Test
    void aheadIgnoresRowsWhereOursDoesNotRun() {
        Suite suite = new Suite("t", "test", "", SUITE.contenders(),
                List.of(new Row("a-1t", "a", "x.A", 1, List.of()), new Row("codec", "c", "x.C", 1, List.of()).only("peer")),
                List.of(), List.of(), List.of(), List.of());
        Results r = new Results();
        r.add(m("a-1t", "ours", 1, 2));
        r.add(m("a-1t", "peer", 1, 1));
        r.add(m("codec", "peer", 1, 5));
        Target.Verdict v = new Target.AheadOf("ahead", List.of("peer")).evaluate(suite, r);
        assertEquals(Target.Status.MET, v.status(), v.detail());
    }

    @Test
    void scalingAndFactorTargets() {
        Results r = new Results();
        r.add(m("a-1t", "ours", 1, 10));
        r.add(m("a-2t", "ours", 1, 19));
        r.add(m("a-1t", "peer", 1, 25));
        assertEquals(Target.Status.MET, new Target.MinScaling("s", "a", "ours", 1.8).evaluate(SUITE, r).status());
        assertEquals(Target.Status.NOT_MET, new Target.MinScaling("s", "a", "ours", 2.0).evaluate(SUITE, r).status());
        assertEquals(Target.Status.MET,
                new Target.WithinFactor("w", "peer", 3.0, List.of("a-1t")).evaluate(SUITE, r).status());
        assertEquals(Target.Status.NOT_MET,
                new Target.WithinFactor("w", "peer", 2.0, List.of("a-1t")).evaluate(SUITE, r).status());
    }

    @Test
    void maxScalingIsMetOnlyAtOrBelowItsBound() {
        Results r = new Results();
        r.add(m("a-1t", "peer", 1, 10));
        assertEquals(Target.Status.NOT_MEASURED,
                new Target.MaxScaling("none", "a", "peer", 1.1).evaluate(SUITE, r).status());
        r.add(m("a-2t", "peer", 1, 10.5));
        Target.Verdict met = new Target.MaxScaling("none", "a", "peer", 1.1).evaluate(SUITE, r);
        assertEquals(Target.Status.MET, met.status());
        assertTrue(met.detail().contains("≤ 1.10") && met.detail().contains("highest 1.05×"), met.detail());
        assertEquals(Target.Status.NOT_MET,
                new Target.MaxScaling("none", "a", "peer", 1.0).evaluate(SUITE, r).status());
    }

    @Test
    void rowParametersAreKeptInOrderAndDescribed() {
        Row row = new Row("w-2", "w", "x.A", 1, List.of()).with("workers", "2").with("mode", "x").only("ours");
        assertEquals(List.of("workers", "mode"), List.copyOf(row.params().keySet()));
        assertEquals("workers=2, mode=x", row.describeParams());
        assertTrue(row.runs(SUITE.ours()));
        assertTrue(!row.runs(SUITE.contender("peer")));
    }

    @Test
    void planAlternatesContenderOrderBetweenRounds() {
        RunConfig cfg = new RunConfig(2, 1, 1, 1, 1, 1, true, null, false);
        List<SuiteRunner.Planned> plan = SuiteRunner.plan(SUITE, cfg);
        assertEquals(8, plan.size());
        assertEquals(List.of("ours", "peer", "ours", "peer", "peer", "ours", "peer", "ours"),
                plan.stream().map(p -> p.contender().method()).toList());
    }

    @Test
    void medianOfEvenAndOddCounts() {
        assertEquals(2.0, Stats.median(List.of(3.0, 1.0, 2.0)).orElseThrow(), 0);
        assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 2.0, 3.0)).orElseThrow(), 0);
        assertTrue(Stats.median(List.of()).isEmpty());
    }
}
