package io.stmactors.bench.harness;

import java.util.Arrays;
import java.util.Collection;
import java.util.OptionalDouble;

/** Small statistics used by the report. */
public final class Stats {
    private Stats() {
    }

    /** The median of {@code values} (mean of the middle two for an even count); empty if none. */
    public static OptionalDouble median(Collection<Double> values) {
        double[] v = values.stream().filter(d -> !Double.isNaN(d)).mapToDouble(Double::doubleValue).toArray();
        if (v.length == 0) {
            return OptionalDouble.empty();
        }
        Arrays.sort(v);
        int mid = v.length / 2;
        return OptionalDouble.of(v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2);
    }
}
