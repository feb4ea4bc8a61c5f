package io.stmactors.actors.reliability;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * close() called by an interrupted thread (a JUnit timeout, a shutdown hook racing an interrupt):
 * it stops waiting for the system to drain, still fails every pending ask, and keeps the flag.
 * Before, the waits spun until the close timeout and the pending asks were never completed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InterruptedCloseTest {

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"SHARED_STM", "GLOBAL_LOCK"})
    void anInterruptedCloseReturnsPromptlyAndFailsThePendingAsks(Mode mode) throws Exception {
        ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().mode(mode).workers(2)
                .closeTimeout(Duration.ofSeconds(20)).build());
        // never quiet: close() would wait its whole timeout for this one to drain
        ActorRef<String> busy = system.spawn(Behaviors.<String>receive((ctx, m) -> {
            ctx.self().tell(m);
            return Behaviors.same();
        }), "busy");
        busy.tell("again");
        ActorRef<Object> silent = system.spawn(Behaviors.receive((ctx, m) -> Behaviors.same()), "silent");
        CompletableFuture<Object> answer = system.ask(silent, replyTo -> "no answer", Duration.ofSeconds(60));

        long start = System.nanoTime();
        Thread.currentThread().interrupt();
        try {
            system.close();
        } finally {
            assertTrue(Thread.interrupted(), "close() must leave the interrupt flag set"); // and clears it
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 10_000, "an interrupted close() waited " + millis + " ms");
        ExecutionException failed = assertThrows(ExecutionException.class, () -> answer.get(5, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, failed.getCause());
        assertTrue(failed.getCause().getMessage().contains("closed before the reply"), failed.getCause().getMessage());
    }
}
