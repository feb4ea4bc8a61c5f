package io.stmactors.examples.cli;

import io.stmactors.examples.DemoConfig;
import io.stmactors.examples.DemoMode;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * Options every demo takes. {@code --mode}, {@code --workers} and {@code --chart} are kept as text
 * and validated by the command itself, so that a bad value always gives one clear line on stderr
 * and exit code 2, whoever built the {@code CommandLine}.
 */
public final class DemoOptions {
    @Option(names = "--mode", order = 10, paramLabel = "MODE", defaultValue = "all",
            description = "shared, gil, isolated or all (default: ${DEFAULT-VALUE}); a comma-separated list also works.")
    String mode;

    @Option(names = "--workers", order = 11, paramLabel = "N[,N...]",
            description = "Worker counts, comma-separated (default: 1, 2, 4, ... up to the number of cores). "
                    + "1 always runs: it is the baseline of the speedup.")
    String workers;

    @Option(names = "--seed", order = 12, paramLabel = "SEED", defaultValue = "42",
            description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--warmup", order = 16, paramLabel = "SECONDS", defaultValue = "0.5",
            description = "Least warm-up time of each configuration before it is measured (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--chart", order = 13, paramLabel = "FILE",
            description = "Also draw speedup against workers per mode into FILE.png, or FILE.html (a self-contained page).")
    String chart;

    @Option(names = "--json", order = 14, description = "Print machine-readable results instead of the table.")
    boolean json;

    /** The modes asked for. @throws IllegalArgumentException with a one-line message */
    List<DemoMode> modes() {
        return DemoMode.parse(mode);
    }

    /** The worker counts asked for. @throws IllegalArgumentException with a one-line message */
    List<Integer> workerCounts() {
        return parseWorkers(workers);
    }

    /** The warm-up time asked for. @throws IllegalArgumentException with a one-line message */
    java.time.Duration warmup() {
        if (!(warmupSeconds >= 0 && warmupSeconds <= 600)) {
            throw new IllegalArgumentException("--warmup must be between 0 and 600 seconds, got " + warmupSeconds);
        }
        return java.time.Duration.ofNanos((long) (warmupSeconds * 1e9));
    }

    static List<Integer> parseWorkers(String text) {
        if (text == null) {
            return DemoConfig.defaultWorkers();
        }
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String p = part.trim();
            int n;
            try {
                n = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--workers takes whole numbers separated by commas (e.g. 1,2,4), got '"
                        + text + "'");
            }
            if (n < 1) {
                throw new IllegalArgumentException("--workers must be at least 1, got " + n);
            }
            if (n > 1024) {
                throw new IllegalArgumentException("--workers must be at most 1024, got " + n);
            }
            out.add(n);
        }
        return out;
    }
}
