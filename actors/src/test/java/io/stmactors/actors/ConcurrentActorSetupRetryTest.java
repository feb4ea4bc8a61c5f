package io.stmactors.actors;

import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Regression: a concurrent actor whose setup waits in {@code Stm.retry()}.
 *
 * <p>The start of a concurrent actor runs in {@code startConcurrent}, not from the mailbox. When it
 * retried, the wake-up ({@code Invocation.wake}) re-queued the START marker into the mailbox like a
 * retried message, and {@code enqueue} asked {@code spawnDrainer} for a drainer, which refuses while
 * {@code needsStart} is set. So nothing ran the start again: the wake-up was lost, and every
 * message sent to the actor stayed in its mailbox for good. Now the wake-up runs the start again.
 */
class ConcurrentActorSetupRetryTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aConcurrentActorWhoseSetupRetriedStartsWhenWhatItReadChanges() throws Exception {
        TLong gate = TLong.of(0);
        TLong handled = TLong.of(0);
        java.util.concurrent.atomic.AtomicInteger setupRuns = new java.util.concurrent.atomic.AtomicInteger();
        try (ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().workers(2)
                .closeTimeout(Duration.ofSeconds(5)).build())) {
            ActorRef<String> actor = system.spawn(Behaviors.concurrent(Behaviors.<String>setup(ctx -> {
                setupRuns.incrementAndGet();
                if (gate.get() == 0) {
                    Stm.retry(); // wait for its configuration, say
                }
                return Behaviors.receive((c, m) -> {
                    handled.increment();
                    return Behaviors.same();
                });
            })), "audit-concurrent-setup");
            awaitTrue(() -> setupRuns.get() >= 1, 10_000, "the setup to run");
            Thread.sleep(200); // let its retry register and the worker move on
            gate.set(1); // what the setup waits for
            actor.tell("hello");
            awaitTrue(() -> handled.get() == 1, 5_000,
                    "the concurrent actor to start after its setup's retry was woken, and handle its message"
                            + " (setup runs: " + setupRuns.get() + ")");
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, long millis, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + millis + " ms waiting for " + what);
            }
            Thread.sleep(1);
        }
    }
}
