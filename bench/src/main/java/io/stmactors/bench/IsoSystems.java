package io.stmactors.bench;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Mode;
import io.stmactors.bench.harness.QuietLogging;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the benchmarks of the {@code isolated} suite share: how they build an actor system in either
 * mode, where actors live, the JVM flags of their forks, and a bounded wait.
 *
 * <p>Every actor of these benchmarks is named {@code something-N}; in
 * {@link Mode#ISOLATED_PROCESSES} it lives on worker {@code N mod workers} ({@link #byIndex}), so
 * placement is the same in every run and two actors meant to be in different processes are.
 * In {@link Mode#SHARED_STM} the same names are spread over the worker threads by the dispatcher.
 */
final class IsoSystems {
    /**
     * Flags of the forked benchmark JVMs: a fixed heap, quiet logs, and the runtime's
     * {@code --add-opens} list (the root pom's {@code stmactors.jvm.flags}: Agrona and Kryo need
     * them in the coordinator; worker JVMs get them from the runtime itself, plus the heap and
     * {@code -D} flags they inherit from the coordinator).
     */
    static final String[] JVM_FLAGS = {
            "-Xms1g", "-Xmx1g",
            "-Djava.util.logging.config.class=io.stmactors.bench.harness.QuietLogging",
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED"};

    /** How long any wait of the benchmarks may take before the run fails (never hang a suite). */
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    /**
     * Untimed work at the end of each trial set-up, before JMH's own warm-up: a worker JVM starts
     * cold, and on a 2-core machine its JIT needs one to two seconds of the workload to reach steady
     * speed (measured: 2-worker CPU-bound throughput went 21 k → 51 k → 66 k messages/s over the
     * first 2-s windows). Both modes get the same, so neither is measured cold.
     */
    static final long TRIAL_WARMUP_NANOS = TimeUnit.SECONDS.toNanos(2);

    private static final Pattern SHARED_REFERENCES = Pattern.compile("([0-9,]+) shared references");

    static {
        if (!JVM_FLAGS[2].endsWith(QuietLogging.class.getName())) {
            throw new AssertionError("QuietLogging moved");
        }
    }

    private IsoSystems() {
    }

    /** {@code "shared"} or {@code "isolated"}: the contender's mode. */
    static Mode mode(String contender) {
        return switch (contender) {
            case "shared" -> Mode.SHARED_STM;
            case "isolated" -> Mode.ISOLATED_PROCESSES;
            default -> throw new IllegalArgumentException("unknown contender " + contender);
        };
    }

    /** A system of {@code workers} workers in {@code mode}, with the benchmark's message classes registered. */
    static ActorSystem create(Mode mode, int workers, String name, Class<?>... registered) {
        ActorSystem system = ActorSystem.create(ActorSystemConfig.builder()
                .name(name)
                .mode(mode)
                .workers(workers)
                .register(registered)
                .placement(IsoSystems::byIndex)
                .workerStartTimeout(TIMEOUT)
                .closeTimeout(Duration.ofSeconds(30))
                .build());
        ActorCounters.observe(system);
        OwnerCounters.observe(system);
        return system;
    }

    /**
     * Closes {@code system} at the end of a trial, failing the run if any handler threw or any
     * message became a dead letter (a benchmark that lost work measured nothing).
     */
    static void closeChecked(ActorSystem system) {
        long failures = system.diagnostics().failures();
        long deadLetters = system.diagnostics().deadLetters();
        system.close();
        if (failures != 0 || deadLetters != 0) {
            throw new IllegalStateException(system.mode() + ": " + failures + " handler failures and " + deadLetters
                    + " dead letters during the trial");
        }
    }

    /** Placement: actor {@code something-N} on worker {@code N mod workers}. */
    static int byIndex(String name, int workers) {
        int dash = name.lastIndexOf('-');
        return Math.floorMod(Integer.parseInt(name.substring(dash + 1)), workers);
    }

    /** Waits for every future (bounded by {@link #TIMEOUT}), rethrowing the first failure. */
    /**
     * Asks every actor of {@code actors} for its {@code done} answer (FIFO per sender: after the messages
     * sent before) and waits for all of them.
     */
    static void askAllAndWait(ActorSystem system, List<ActorRef<Object>> actors,
                              java.util.function.Function<ActorRef<Long>, Object> done) throws Exception {
        List<CompletableFuture<Long>> answers = new java.util.ArrayList<>(actors.size());
        for (ActorRef<Object> a : actors) {
            answers.add(system.ask(a, done, TIMEOUT));
        }
        awaitAll(answers);
    }

    static void awaitAll(List<? extends CompletableFuture<?>> futures) throws Exception {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The number of shared references the heap owner of an isolated system holds (every reference
     * a worker ever fetched, or that a message, state or behavior carried across), read from the
     * public diagnostics report; -1 for other modes or when the report does not say.
     */
    static long ownerReferences(ActorSystem system) {
        if (system.mode() != Mode.ISOLATED_PROCESSES) {
            return -1;
        }
        Matcher m = SHARED_REFERENCES.matcher(system.diagnostics().report());
        return m.find() ? Long.parseLong(m.group(1).replace(",", "")) : -1;
    }

    /** Runs {@code call} repeatedly for {@link #TRIAL_WARMUP_NANOS} (at least {@code minCalls} times). */
    static void warmUp(int minCalls, Callable<?> call) throws Exception {
        long started = System.nanoTime();
        for (int i = 0; i < minCalls || System.nanoTime() - started < TRIAL_WARMUP_NANOS; i++) {
            call.call();
        }
    }

    /** A cheap pseudo-random step (xorshift64*), for keys and work that the JIT cannot fold. */
    static long next(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x * 0x9E3779B97F4A7C15L;
    }
}
