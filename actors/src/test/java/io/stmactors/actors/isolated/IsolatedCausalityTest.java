package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Causality across processes: a message sent after a commit is handled against a heap that
 * includes that commit, wherever the commit happened. A worker's replica receives the owner's
 * updates and the messages on one inbox, in that order, but installs updates on its own thread;
 * a message must not overtake the updates that arrived before it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IsolatedCausalityTest {
    record Check(long expected, ActorRef<Long> replyTo) {
    }

    record SetAndForward(long value, ActorRef<Check> reader, ActorRef<Long> replyTo) {
    }

    private static final int ROUNDS = 1_500;

    private static ActorSystemConfig.Builder config() {
        return ActorSystemConfig.builder().mode(Mode.ISOLATED_PROCESSES).workers(2)
                .register(Check.class, SetAndForward.class)
                .placement((name, workers) -> name.equals("writer") ? 0 : 1)
                .closeTimeout(Duration.ofSeconds(20));
    }

    @Test
    void aMessageSentAfterACommitOfTheCoordinatorSeesThatCommit() throws Exception {
        TLong x = TLong.of(0);
        try (ActorSystem system = ActorSystem.create(config().build())) {
            ActorRef<Check> reader = system.spawn(Behaviors.receive((ctx, m) -> {
                m.replyTo().tell(x.get());
                return Behaviors.same();
            }), "reader");
            system.<Check, Long>ask(reader, r -> new Check(0, r), Duration.ofSeconds(30)).get(); // the worker now holds x
            List<String> stale = new ArrayList<>();
            for (long i = 1; i <= ROUNDS; i++) {
                long v = i;
                Stm.atomic(() -> x.set(v)); // committed before the message is sent
                long seen = system.<Check, Long>ask(reader, r -> new Check(v, r), Duration.ofSeconds(30)).get();
                if (seen != v && stale.size() < 5) {
                    stale.add("message " + v + " read x = " + seen);
                }
            }
            assertEquals(List.of(), stale, "handlers that read a value older than the commit before their message");
        }
    }

    @Test
    void aMessageSentByACommittedHandlerInAnotherWorkerSeesThatHandlersWrites() throws Exception {
        TLong x = TLong.of(0);
        try (ActorSystem system = ActorSystem.create(config().build())) {
            ActorRef<Check> reader = system.spawn(Behaviors.receive((ctx, m) -> {
                long seen = x.get();
                m.replyTo().tell(seen == m.expected() ? -1L : seen);
                return Behaviors.same();
            }), "reader");
            ActorRef<SetAndForward> writer = system.spawn(Behaviors.receive((ctx, m) -> {
                x.set(m.value()); // in worker 0; the reader is in worker 1
                m.reader().tell(new Check(m.value(), m.replyTo()));
                return Behaviors.same();
            }), "writer");
            system.<Check, Long>ask(reader, r -> new Check(0, r), Duration.ofSeconds(30)).get();
            List<String> stale = new ArrayList<>();
            for (long i = 1; i <= ROUNDS; i++) {
                long v = i;
                long answer = system.<SetAndForward, Long>ask(writer, r -> new SetAndForward(v, reader, r),
                        Duration.ofSeconds(30)).get();
                if (answer != -1L && stale.size() < 5) {
                    stale.add("message " + v + " read x = " + answer);
                }
            }
            assertEquals(List.of(), stale, "handlers that read a value older than the commit that sent their message");
        }
    }
}
