package io.stmactors.examples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What every demo is asked to do: in which modes, with how many workers, how much work, from
 * which seed. Demo-specific knobs (number of accounts, conflict levels, ...) are setters of the
 * demo classes themselves.
 *
 * @param modes    modes to run, in this order
 * @param workers  worker counts to run in each mode, ascending; always starts with 1 (the baseline
 *                 of the speedup column)
 * @param size     work items per measured run (transfers, rows, requests, operations,
 *                 transactions); 0 means the demo's default. For {@code scaling} it is a
 *                 percentage of each part's default size.
 * @param seed     seed of every pseudo-random choice, so runs are repeatable
 * @param warmup   least warm-up time per configuration before it is measured (at least one warm-up
 *                 round runs in any case)
 * @param timeout  bound on any one round; past it the run fails (never hangs)
 * @param progress told about each step
 */
public record DemoConfig(List<DemoMode> modes, List<Integer> workers, int size, long seed, Duration warmup,
                         Duration timeout, ProgressListener progress) {

    /** Validates and normalizes (sorted workers, 1 included). */
    public DemoConfig {
        Objects.requireNonNull(modes, "modes");
        Objects.requireNonNull(workers, "workers");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(timeout, "timeout");
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("warm-up time must not be negative, got " + warmup);
        }
        Objects.requireNonNull(progress, "progress");
        if (modes.isEmpty()) {
            throw new IllegalArgumentException("at least one mode is needed");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must be at least 1 (or 0 for the default), got " + size);
        }
        List<Integer> sorted = new ArrayList<>();
        sorted.add(1);
        for (Integer w : workers) {
            if (w == null || w < 1) {
                throw new IllegalArgumentException("worker counts must be at least 1, got " + w);
            }
            if (!sorted.contains(w)) {
                sorted.add(w);
            }
        }
        sorted.sort(null);
        modes = List.copyOf(modes);
        workers = List.copyOf(sorted);
    }

    /**
     * The defaults: every mode, workers 1, 2, 4, ... up to the number of cores, default size, seed 42,
     * half a second of warm-up, five minutes of timeout.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The worker counts used by default: 1, 2, 4, ... up to the number of available cores, and that number. */
    public static List<Integer> defaultWorkers() {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        List<Integer> out = new ArrayList<>();
        for (int w = 1; w < cores; w *= 2) {
            out.add(w);
        }
        out.add(cores);
        if (cores == 1) {
            out.add(2); // a speedup column needs two points; on one core it shows the cost of sharing it
        }
        return out;
    }

    /** {@code size} if set, else {@code defaultSize}. */
    public int sizeOr(int defaultSize) {
        return size == 0 ? defaultSize : size;
    }

    /** The largest worker count. */
    public int maxWorkers() {
        return workers.get(workers.size() - 1);
    }

    /** A copy with another size. */
    public DemoConfig withSize(int newSize) {
        return new DemoConfig(modes, workers, newSize, seed, warmup, timeout, progress);
    }

    /** Builder of {@link DemoConfig}; not thread-safe. */
    public static final class Builder {
        private List<DemoMode> modes = List.of(DemoMode.values());
        private List<Integer> workers = defaultWorkers();
        private int size;
        private long seed = 42;
        private Duration warmup = Duration.ofMillis(500);
        private Duration timeout = Duration.ofMinutes(5);
        private ProgressListener progress = ProgressListener.NONE;

        private Builder() {
        }

        public Builder modes(List<DemoMode> modes) {
            this.modes = modes;
            return this;
        }

        public Builder modes(DemoMode... modes) {
            return modes(List.of(modes));
        }

        public Builder workers(List<Integer> workers) {
            this.workers = workers;
            return this;
        }

        public Builder workers(Integer... workers) {
            return workers(List.of(workers));
        }

        public Builder size(int size) {
            this.size = size;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder warmup(Duration warmup) {
            this.warmup = warmup;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder progress(ProgressListener progress) {
            this.progress = progress;
            return this;
        }

        public DemoConfig build() {
            return new DemoConfig(modes, workers, size, seed, warmup, timeout, progress);
        }
    }
}
