package io.stmactors.bench.harness;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Mode;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rows measured in other JMH modes than throughput, gauges and latency percentiles in the report. */
class ModesTest {
    private static final Suite SUITE = new Suite("t", "test", "", List.of(
            new Contender("ours", "ours", true),
            new Contender("peer", "peer", false)),
            List.of(new Row("lat", "latency", "x.L", 1, List.of()).in(Mode.SampleTime),
                    new Row("codec", "codec", "x.C", 1, List.of()).in(Mode.AverageTime).only("peer")),
            List.of(), List.of(), List.of(), List.of());

    private static Measurement latency(String who, int round, double p50, double p99) {
        return new Measurement("lat", who, round, 1, p50, 0.1, "us/op", new double[] {p50},
                Map.of("latencyP50", p50, "latencyP99", p99, "latencySamples", 1000.0), 1.0, null);
    }

    @Test
    void latencyRatiosArePairedPerPercentile() {
        Results r = new Results();
        r.add(latency("ours", 1, 10, 100));
        r.add(latency("peer", 1, 40, 1000));
        r.add(latency("ours", 2, 20, 100));
        r.add(latency("peer", 2, 40, 400));
        assertEquals(0.375, r.medianSecondaryRatio("lat", "ours", "peer", "latencyP50").orElseThrow(), 1e-9);
        assertEquals(0.175, r.medianSecondaryRatio("lat", "ours", "peer", "latencyP99").orElseThrow(), 1e-9);
        assertEquals(15, r.medianSecondary("lat", "ours", "latencyP50").orElseThrow(), 1e-9);
    }

    @Test
    void reportShowsPercentilesGaugesAndNoRatioWhereOursDidNotRun() {
        Results r = new Results();
        r.add(latency("ours", 1, 10, 100));
        r.add(latency("peer", 1, 40, 1000));
        r.add(new Measurement("codec", "peer", 1, 1, 650, 5, "ns/op", new double[] {650},
                Map.of("frameBytesGauge", 14.0), 1.0, null));
        MachineInfo m = new MachineInfo(2, "cpu", "1 GiB", "os", "jdk", "abc", "0.1 / 0.1 / 0.1");
        String md = MarkdownReport.render(new MarkdownReport.Context(SUITE, RunConfig.smoke(), m, "0.1 / 0.1 / 0.1",
                "today", "cmd", "x.json"), r);
        assertTrue(md.contains("| **ours** | 10.0 µs | n/a | 100.0 µs |"), md);
        assertTrue(md.contains("| 0.25× | 0.10× |"), md);
        assertTrue(md.contains("| frame bytes |"), md);
        assertTrue(md.contains("| peer | 650.0 ns |"), md);
        assertTrue(md.contains("| codec (time/op) | — |"), md);
        assertTrue(md.contains("| lat (p50 latency) | 0.25× |"), md);
    }

    @Test
    void formats() {
        assertEquals("850.0 ns", Format.time(850, "ns/op"));
        assertEquals("12.3 µs", Format.time(12.34, "us/op"));
        assertEquals("4.56 ms", Format.time(4560, "us/op"));
        assertEquals("frame bytes", Format.label("frameBytesGauge"));
        assertTrue(Measurement.isGauge("ownerRefsGauge"));
        assertThrows(IllegalArgumentException.class, () -> new Row("x", "x", "x.X", 1, List.of()).in(Mode.All));
    }
}
