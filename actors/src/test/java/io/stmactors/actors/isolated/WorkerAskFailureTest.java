package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.actors.reliability.ReliabilityModes;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An ask made by a handler in one worker process to an actor whose worker process died fails at once, saying
 * why, as an ask from the coordinator does. Before, it waited out its whole timeout: the coordinator dropped the
 * request as a dead letter and the asking worker was never told.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerAskFailureTest {
    /** Asks the target for a number and reports the outcome ("answered N", or the failure's message). */
    public record AskIt(ActorRef<Question> target, ActorRef<String> replyTo) {
    }

    /** Answered once the gate opens. */
    public record Question(ActorRef<Long> replyTo) {
    }

    @Test
    void aHandlersAskToAnActorOfADeadWorkerFailsAtOnce() throws Exception {
        TLong gate = TLong.named("worker-ask-gate", 0);
        ActorSystemConfig config = ActorSystemConfig.builder().name("worker-ask-failure").mode(Mode.ISOLATED_PROCESSES)
                .workers(2).restartWorkers(false).register(AskIt.class, Question.class)
                .placement((name, workers) -> name.equals("asker") ? 0 : 1)
                .closeTimeout(Duration.ofSeconds(10)).build();
        try (ActorSystem system = ActorSystem.create(config)) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            ActorRef<Question> slow = system.spawn(Behaviors.<Question>receive((ctx, q) -> {
                if (gate.get() == 0) {
                    Stm.retry(); // the question stays pending until the gate opens (never, here)
                }
                q.replyTo().tell(42L);
                return Behaviors.same();
            }), "slow");
            ActorRef<AskIt> asker = system.spawn(Behaviors.<AskIt>receive((ctx, m) -> {
                ActorRef<String> report = m.replyTo();
                ctx.system().<Question, Long>ask(m.target(), Question::new, Duration.ofSeconds(60))
                        .whenComplete((n, e) -> report.tell(e == null ? "answered " + n : e.getMessage()));
                return Behaviors.same();
            }), "asker");

            // 1. Pending when the target's worker dies: it fails then.
            var pending = system.<AskIt, String>ask(asker, r -> new AskIt(slow, r), Duration.ofSeconds(90));
            ReliabilityModes.await(() -> system.diagnostics().retryWaits() > 0, Duration.ofSeconds(30),
                    () -> "the question to wait");
            long killed = System.nanoTime();
            iso.workerProcess(1).destroyForcibly();
            String outcome = pending.get(30, TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertTrue(outcome.contains("'slow'") && outcome.contains("died"), outcome);
            assertTrue(millis < 20_000, "the ask failed only after " + millis + " ms (its timeout is 60 s)");

            // 2. Made after the death: it fails at once too.
            long asked = System.nanoTime();
            String late = system.<AskIt, String>ask(asker, r -> new AskIt(slow, r), Duration.ofSeconds(90))
                    .get(30, TimeUnit.SECONDS);
            assertTrue(late.contains("'slow'") && late.contains("not restarted"), late);
            assertTrue(System.nanoTime() - asked < TimeUnit.SECONDS.toNanos(20), "not by its 60 s timeout");
            assertEquals(0, gate.get());
        }
    }

}
