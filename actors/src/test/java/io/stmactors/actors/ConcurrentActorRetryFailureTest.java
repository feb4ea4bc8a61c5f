package io.stmactors.actors;

import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Regression: a concurrent actor's message whose handler retried and then failed (an after-rollback hook
 * registered by the handler threw while the retry rolled back). Supervision resumes, so the message
 * is dropped; but {@code Stm.tryAtomic} used to leave the wake-up waiter registered, and when the reference
 * the handler read changed, the wake-up re-queued the dropped message, which was handled again.
 */
class ConcurrentActorRetryFailureTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aMessageWhoseRetryFailedIsNotHandledAgainWhenItsReadSetChanges() throws Exception {
        TLong gate = TLong.of(0);
        TLong committedHandlings = TLong.of(0);
        AtomicInteger failedRetries = new AtomicInteger();
        try (ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().workers(2)
                .closeTimeout(Duration.ofSeconds(5)).build())) {
            ActorRef<String> actor = system.spawn(Behaviors.supervise(Behaviors.concurrent(Behaviors.<String>receive(
                    (ctx, m) -> {
                        if (gate.get() == 0) {
                            Stm.afterRollback(() -> {
                                failedRetries.incrementAndGet();
                                throw new IllegalStateException("rollback hook failed");
                            });
                            Stm.retry();
                        }
                        committedHandlings.increment();
                        return Behaviors.same();
                    }))).onFailure(IllegalStateException.class, SupervisorStrategy.resume()), "audit-concurrent");
            actor.tell("once");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (system.diagnostics().failures() < 1) {
                if (System.nanoTime() > deadline) {
                    fail("the handler never failed (failed retries: " + failedRetries.get() + ")");
                }
                Thread.sleep(1);
            }
            gate.set(1); // changes what the failed handler read
            Thread.sleep(500);
            assertEquals(0, committedHandlings.get(),
                    "the message whose handler failed (and was dropped by resume) was handled again after a wake-up");
        }
    }
}
