package io.stmactors.actors.reliability;

import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Mode;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The modes the reliability tests run in, and what they share. A mode is one parameter: to run the
 * whole reliability suite in the isolated-process mode, add {@link Mode#ISOLATED_PROCESSES} to
 * {@link #modes()} (the tests use only the public API, plus {@code LocalActorSystem.slowHandlers()} where
 * it is a {@code LocalActorSystem}).
 */
public final class ReliabilityModes {
    private ReliabilityModes() {
    }

    /** Every mode the suite covers. */
    public static Stream<Mode> modes() {
        return Stream.of(Mode.SHARED_STM, Mode.GLOBAL_LOCK);
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
