package io.stmactors.examples.cli;

import io.stmactors.examples.Demo;
import io.stmactors.examples.ReactorDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;

/** {@code stm-actors demo reactor}. */
@Command(name = "reactor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A Twisted-style HTTP server on 127.0.0.1: every request is a message to one concurrent actor "
                + "over a shared TMap; handlers written as if single-threaded run in parallel.",
                "A built-in load generator measures requests/s and latency (p50, p99)."})
public final class ReactorCommand extends DemoCommandBase {
    @Option(names = "--size", paramLabel = "REQUESTS", order = 1,
            description = "Requests per measured run (default: " + ReactorDemo.DEFAULT_SIZE + ").")
    Integer size;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "1000", order = 2,
            description = "Distinct keys (default: ${DEFAULT-VALUE}); fewer keys, more conflicts.")
    int keys;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "4", order = 3,
            description = "Client connections, one request in flight each (default: ${DEFAULT-VALUE}; at most " + ReactorDemo.MAX_CONNECTIONS + ").")
    int connections;

    @Option(names = "--render-work", paramLabel = "N", defaultValue = "100000", order = 4,
            description = "CPU work per reply, in hash rounds (default: ${DEFAULT-VALUE}, a few hundred microseconds).")
    int renderWork;

    @Option(names = "--time-limit", paramLabel = "SECONDS", defaultValue = "60", order = 5,
            description = "Bound on each round of requests (default: ${DEFAULT-VALUE}).")
    int timeLimitSeconds;

    @Override
    protected Demo demo() {
        if (timeLimitSeconds < 1) {
            throw new IllegalArgumentException("--time-limit must be at least 1 second, got " + timeLimitSeconds);
        }
        return new ReactorDemo().keys(keys).connections(connections).renderWork(renderWork)
                .timeLimit(Duration.ofSeconds(timeLimitSeconds));
    }

    @Override
    protected Integer size() {
        return size;
    }
}
