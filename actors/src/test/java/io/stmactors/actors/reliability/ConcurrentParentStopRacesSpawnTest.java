package io.stmactors.actors.reliability;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behaviors;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A concurrent actor handles messages on several workers at once, so one drainer may stop it while
 * another commits a spawn: the child must then be stopped with it (or refused), never left running
 * with no parent, nor left half-created holding its messages. Invariant: once everything settled,
 * no actor is alive, and every message sent to a child was handled or counted as a dead letter.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConcurrentParentStopRacesSpawnTest {

    @Test
    void aChildSpawnedWhileItsConcurrentParentStopsIsStoppedWithIt() throws Exception {
        int rounds = 40;
        int spawnsPerRound = 100;
        TLong parentHandled = TLong.of(0);
        TLong spawned = TLong.of(0);
        TLong childHandled = TLong.of(0);
        try (ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().workers(2)
                .closeTimeout(Duration.ofSeconds(20)).build())) {
            for (int r = 0; r < rounds; r++) {
                ActorRef<String> parent = system.spawn(Behaviors.concurrent(Behaviors.<String>receive((ctx, m) -> {
                    parentHandled.increment();
                    if ("stop".equals(m)) {
                        return Behaviors.stopped();
                    }
                    ActorRef<String> child = ctx.spawn(Behaviors.<String>receive((c, x) -> {
                        childHandled.increment();
                        return Behaviors.same();
                    }), "c-" + m);
                    child.tell("hello");
                    spawned.increment();
                    return Behaviors.same();
                })), "parent-" + r);
                for (int i = 0; i < spawnsPerRound; i++) {
                    parent.tell(Integer.toString(i));
                    if (i == spawnsPerRound / 2) {
                        parent.tell("stop");
                    }
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (system.diagnostics().liveActors() != 0) {
                if (System.nanoTime() > deadline) {
                    fail(system.diagnostics().liveActors() + " actors still alive after every parent stopped:\n"
                            + system.diagnostics().report());
                }
                Thread.sleep(2);
            }
            assertEquals(0, system.diagnostics().liveActors());
            long sentToParents = (long) rounds * (spawnsPerRound + 1);
            long expectedDeadLetters = (sentToParents - parentHandled.get()) + (spawned.get() - childHandled.get());
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (system.diagnostics().deadLetters() < expectedDeadLetters && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertEquals(expectedDeadLetters, system.diagnostics().deadLetters(),
                    "every message to a parent or a child was handled or counted as a dead letter (spawned "
                            + spawned.get() + ", children handled " + childHandled.get() + ")");
        }
    }
}
