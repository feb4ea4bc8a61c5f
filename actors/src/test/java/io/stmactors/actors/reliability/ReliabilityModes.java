package io.stmactors.actors.reliability;

import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Mode;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The modes the reliability tests run in, and what they share. A mode is one parameter: the tests use only
 * the public API (plus {@code LocalActorSystem.slowHandlers()} where it is a {@code LocalActorSystem}, and
 * {@code IsolatedActorSystem}'s worker processes and tables where it is one). In
 * {@link Mode#ISOLATED_PROCESSES} the behaviors travel to worker JVMs, so what a handler counts must live
 * on the shared heap ({@code TLong}s), not in a plain JVM object.
 */
public final class ReliabilityModes {
    private ReliabilityModes() {
    }

    /** Every mode the suite covers ({@code -Dstmactors.modes=ISOLATED_PROCESSES,...} selects some). */
    public static Stream<Mode> modes() {
        return selected(Stream.of(Mode.SHARED_STM, Mode.GLOBAL_LOCK, Mode.ISOLATED_PROCESSES));
    }

    /** The modes that run in one JVM: for tests of races inside the dispatcher, run millions of times. */
    public static Stream<Mode> inProcessModes() {
        return selected(Stream.of(Mode.SHARED_STM, Mode.GLOBAL_LOCK));
    }

    private static Stream<Mode> selected(Stream<Mode> modes) {
        String only = System.getProperty("stmactors.modes", "");
        if (only.isBlank()) {
            return modes;
        }
        java.util.Set<String> names = java.util.Set.of(only.toUpperCase(java.util.Locale.ROOT).split("\\s*,\\s*"));
        return modes.filter(m -> names.contains(m.name()));
    }

    /** A system for {@code mode} with the suite's settings; {@code types} are registered (isolated mode needs them). */
    public static ActorSystem system(Mode mode, String name, int workers, Class<?>... types) {
        return ActorSystem.create(ActorSystemConfig.builder().name(name).mode(mode).workers(workers)
                .register(types).closeTimeout(Duration.ofSeconds(20)).build());
    }

    /** Waits until {@code condition} holds, at most {@code timeout}; fails with {@code what()} otherwise. */
    public static void await(BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout.toMillis() + " ms waiting for " + what.get());
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Seconds from a system property, else {@code ciDefault}. */
    public static int seconds(String property, int ciDefault) {
        return Integer.getInteger(property, ciDefault);
    }
}
