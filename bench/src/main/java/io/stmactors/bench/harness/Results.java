package io.stmactors.bench.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Every measurement of one suite run, and the figures the report derives from them. Ratios are
 * always formed inside one round (the two runs were taken minutes apart on the same machine state)
 * and only then summarized by their median over rounds, as {@code shared/BENCHMARKING.md} asks.
 */
public final class Results {
    private final List<Measurement> all = new ArrayList<>();

    /** Adds one run's outcome. */
    public void add(Measurement m) {
        all.add(m);
    }

    /** Every run, in the order they ran. */
    public List<Measurement> all() {
        return List.copyOf(all);
    }

    /** Successful runs of {@code method} in {@code rowId}, in round order. */
    public List<Measurement> of(String rowId, String method) {
        return all.stream().filter(m -> m.ok() && m.rowId().equals(rowId) && m.contender().equals(method)).toList();
    }

    /** Failed runs of {@code method} in {@code rowId}. */
    public List<Measurement> failures(String rowId, String method) {
        return all.stream().filter(m -> !m.ok() && m.rowId().equals(rowId) && m.contender().equals(method)).toList();
    }

    /** The run of {@code method} in {@code rowId} during {@code round}, if it succeeded. */
    public Optional<Measurement> in(String rowId, String method, int round) {
        return of(rowId, method).stream().filter(m -> m.round() == round).findFirst();
    }

    /** Median over rounds of the score. */
    public OptionalDouble medianScore(String rowId, String method) {
        return Stats.median(of(rowId, method).stream().map(Measurement::score).toList());
    }

    /** Median over rounds of JMH's error (99.9% half-width). */
    public OptionalDouble medianError(String rowId, String method) {
        return Stats.median(of(rowId, method).stream().map(Measurement::error).toList());
    }

    /** Smallest and largest score over rounds. */
    public Optional<double[]> range(String rowId, String method) {
        List<Measurement> ms = of(rowId, method);
        if (ms.isEmpty()) {
            return Optional.empty();
        }
        double lo = ms.stream().mapToDouble(Measurement::score).min().orElseThrow();
        double hi = ms.stream().mapToDouble(Measurement::score).max().orElseThrow();
        return Optional.of(new double[] {lo, hi});
    }

    /** Median over rounds of score(a) / score(b) in {@code rowId}, both taken in the same round. */
    public OptionalDouble medianRatio(String rowId, String a, String b) {
        List<Double> ratios = new ArrayList<>();
        for (Measurement ma : of(rowId, a)) {
            in(rowId, b, ma.round()).ifPresent(mb -> ratios.add(ma.score() / mb.score()));
        }
        return Stats.median(ratios);
    }

    /** Median over rounds of score(many threads) / score(few threads) for {@code method}. */
    public OptionalDouble medianScaling(Scaling s, String method) {
        List<Double> ratios = new ArrayList<>();
        for (Measurement many : of(s.manyRowId(), method)) {
            in(s.fewRowId(), method, many.round()).ifPresent(few -> ratios.add(many.score() / few.score()));
        }
        return Stats.median(ratios);
    }

    /** Median over rounds of secondary result {@code name} (a gauge or a latency percentile). */
    public OptionalDouble medianSecondary(String rowId, String method, String name) {
        return Stats.median(of(rowId, method).stream().filter(m -> m.secondary().containsKey(name))
                .map(m -> m.secondary().get(name)).toList());
    }

    /** Median over rounds of secondary {@code name} of {@code a} ÷ that of {@code b}, both in the same round. */
    public OptionalDouble medianSecondaryRatio(String rowId, String a, String b, String name) {
        List<Double> ratios = new ArrayList<>();
        for (Measurement ma : of(rowId, a)) {
            Double va = ma.secondary().get(name);
            if (va == null) {
                continue;
            }
            in(rowId, b, ma.round()).map(mb -> mb.secondary().get(name)).ifPresent(vb -> ratios.add(va / vb));
        }
        return Stats.median(ratios);
    }

    /** Sum over all successful rounds of secondary result {@code name}; empty if never reported. */
    public OptionalDouble secondaryTotal(String rowId, String method, String name) {
        List<Measurement> ms = of(rowId, method).stream().filter(m -> m.secondary().containsKey(name)).toList();
        if (ms.isEmpty()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(ms.stream().mapToDouble(m -> m.secondary().get(name)).sum());
    }
}
