package io.stmactors.bench.harness;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Mode;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Targets on rows whose score is a time per operation or a latency: lower is faster there. */
class TimedTargetTest {
    private static final Suite SUITE = new Suite("t", "test", "", List.of(
            new Contender("ours", "ours", true),
            new Contender("peer", "peer", false)),
            List.of(new Row("avg", "average time", "x.A", 1, List.of()).in(Mode.AverageTime),
                    new Row("lat", "latency", "x.L", 1, List.of()).in(Mode.SampleTime)),
            List.of(), List.of(), List.of(), List.of());

    private static Measurement time(String row, String who, int round, double nsPerOp) {
        return new Measurement(row, who, round, 1, nsPerOp, 0.0, "ns/op", new double[] {nsPerOp}, Map.of(), 1.0,
                null);
    }

    private static Measurement latency(String who, int round, double mean, double p50) {
        return new Measurement("lat", who, round, 1, mean, 0.0, "us/op", new double[] {mean},
                Map.of("latencyP50", p50), 1.0, null);
    }

    @Test
    void aheadOnATimedRowMeansLessTimePerOperation() {
        Results r = new Results();
        r.add(time("avg", "ours", 1, 10));   // ours takes half the time: twice as fast
        r.add(time("avg", "peer", 1, 20));
        r.add(latency("ours", 1, 5, 5));
        r.add(latency("peer", 1, 50, 50));
        Target ahead = new Target.AheadOf("ahead", List.of("peer"));
        assertEquals(Target.Status.MET, ahead.evaluate(SUITE, r).status(), ahead.evaluate(SUITE, r).detail());
    }

    @Test
    void behindOnATimedRowIsNotAhead() {
        Results r = new Results();
        r.add(time("avg", "ours", 1, 40));   // ours takes twice the time
        r.add(time("avg", "peer", 1, 20));
        r.add(latency("ours", 1, 50, 50));   // and twice the latency
        r.add(latency("peer", 1, 25, 25));
        assertEquals(Target.Status.NOT_MET,
                new Target.AheadOf("ahead", List.of("peer")).evaluate(SUITE, r).status());
    }

    @Test
    void latencyTargetsJudgeTheMedianLikeTheTables() {
        Results r = new Results();
        r.add(time("avg", "ours", 1, 10));
        r.add(time("avg", "peer", 1, 20));
        // ours has the lower median latency (the figure the tables compare) but a higher mean
        r.add(latency("ours", 1, 80, 5));
        r.add(latency("peer", 1, 50, 50));
        assertEquals(Target.Status.MET, new Target.AheadOf("ahead", List.of("peer")).evaluate(SUITE, r).status());
    }

    @Test
    void withinFactorOnATimedRowBoundsOurTime() {
        Results r = new Results();
        r.add(time("avg", "ours", 1, 50));   // five times slower
        r.add(time("avg", "peer", 1, 10));
        assertEquals(Target.Status.NOT_MET,
                new Target.WithinFactor("w", "peer", 3.0, List.of("avg")).evaluate(SUITE, r).status());
        Results fast = new Results();
        fast.add(time("avg", "ours", 1, 25)); // 2.5 times slower: within 3×
        fast.add(time("avg", "peer", 1, 10));
        assertEquals(Target.Status.MET,
                new Target.WithinFactor("w", "peer", 3.0, List.of("avg")).evaluate(SUITE, fast).status());
    }
}
