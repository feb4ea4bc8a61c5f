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
import java.util.concurrent.TimeUnit;

import static io.stmactors.actors.isolated.IsolatedModeTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What code run after a handler in a worker process does (an after-commit hook, an ask's callback) reaches the
 * other processes and the shared heap as it would from a handler.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IsolatedCallbackEffectsTest {

    record Ping(ActorRef<String> replyTo) {
    }

    record Hand(ActorRef<String> ref) {
    }

    /** Two workers: {@code "first"} on worker 0, every other actor on worker 1. */
    private static ActorSystemConfig config() {
        return ActorSystemConfig.builder().mode(Mode.ISOLATED_PROCESSES).workers(2).register(Ping.class, Hand.class)
                .placement((name, n) -> name.equals("first") ? 0 : 1)
                .closeTimeout(Duration.ofSeconds(10)).build();
    }

    /** An actor named "receiver" (on worker 1) that adds one to {@code received} for each message. */
    private static ActorRef<String> spawnCounting(ActorSystem system, TLong received) {
        return system.spawn(Behaviors.<String>receive((ctx, m) -> {
            received.increment();
            return Behaviors.same();
        }), "receiver");
    }

    /**
     * A send from an after-commit hook of a handler that wrote a shared reference reaches an actor of another
     * process. (The handler's own effects had been shipped with its commit, and the hook's send was added to that
     * shipped batch and dropped: no dead letter, no log line.)
     */
    @Test
    void aSendFromAnAfterCommitHookOfAHandlerThatWroteSharedStateIsDelivered() throws Exception {
        TLong written = TLong.named("hook-written", 0);
        TLong received = TLong.named("hook-received", 0);
        try (ActorSystem system = ActorSystem.create(config())) {
            ActorRef<String> receiver = spawnCounting(system, received);
            ActorRef<String> sender = system.spawn(Behaviors.<String>receive((ctx, m) -> {
                written.increment(); // a shared write: the commit goes to the owner and waits for its verdict
                Stm.afterCommit(() -> receiver.tell("from-hook"));
                return Behaviors.same();
            }), "first");
            sender.tell("go");
            await(() -> written.get() == 1, Duration.ofSeconds(30), "the sender's handler to commit");
            await(() -> received.get() == 1, Duration.ofSeconds(15),
                    "the message sent from the after-commit hook to reach the other process");
        }
    }

    /**
     * An ask's callback in a worker may run a transaction that reads and writes shared references the worker has
     * not read before. (Callbacks ran on the thread that reads the worker's inbox, and the first read of a shared
     * reference waits for the owner's answer, which only that thread could take: the worker stood still for the
     * 60 s owner timeout, and the callback failed.)
     */
    @Test
    void anAsksCallbackInAWorkerMayRunATransactionOnSharedReferences() throws Exception {
        TLong total = TLong.named("callback-total", 0);
        try (ActorSystem system = ActorSystem.create(config())) {
            ActorRef<Ping> answerer = system.spawn(Behaviors.<Ping>receive((ctx, p) -> {
                p.replyTo().tell("pong");
                return Behaviors.same();
            }), "answerer");
            ActorRef<String> asker = system.spawn(Behaviors.<String>receive((ctx, m) -> {
                ctx.system().<Ping, String>ask(answerer, Ping::new, Duration.ofSeconds(60))
                        .thenAccept(answer -> Stm.atomic(() -> total.set(total.get() + 1)));
                return Behaviors.same();
            }), "first");
            asker.tell("go");
            await(() -> total.get() == 1, Duration.ofSeconds(20),
                    "the ask's callback in worker 0 to add one to the shared total");
            asker.tell("again"); // and the worker still answers afterwards
            await(() -> total.get() == 2, Duration.ofSeconds(20), "the second callback");
            assertEquals(2, total.get());
        }
    }

    /**
     * A child spawned outside a transaction (here from an after-commit hook) is known to the coordinator, so an actor
     * of another process can reach it. (Only spawns inside a transaction were reported: a message to the child from
     * elsewhere was a dead letter.)
     */
    @Test
    void aChildSpawnedFromAnAfterCommitHookIsReachableFromAnotherProcess() throws Exception {
        TLong childGot = TLong.named("hook-child-got", 0);
        try (ActorSystem system = ActorSystem.create(config())) {
            ActorRef<Hand> relay = system.spawn(Behaviors.<Hand>receive((ctx, h) -> {
                h.ref().tell("hello");
                return Behaviors.same();
            }), "relay");
            ActorRef<String> parent = system.spawn(Behaviors.<String>receive((ctx, m) -> {
                Stm.afterCommit(() -> {
                    ActorRef<String> child = ctx.spawn(Behaviors.<String>receive((c, hello) -> {
                        childGot.increment();
                        return Behaviors.same();
                    }), "child");
                    relay.tell(new Hand(child));
                });
                return Behaviors.same();
            }), "first");
            parent.tell("go");
            await(() -> childGot.get() == 1, Duration.ofSeconds(20),
                    "the child spawned in worker 0's hook to get the message sent from worker 1 (dead letters: "
                            + system.diagnostics().deadLetters() + ")");
        }
    }

    /**
     * A transaction run by an after-commit hook of a handler that wrote a shared reference ships its own effects
     * only: the handler's sends, shipped with the handler's commit, are not sent again with the hook's.
     */
    @Test
    void aTransactionInAnAfterCommitHookDoesNotSendTheHandlersMessagesAgain() throws Exception {
        TLong handlerWrites = TLong.named("twice-handler-writes", 0);
        TLong hookWrites = TLong.named("twice-hook-writes", 0);
        TLong received = TLong.named("twice-received", 0);
        try (ActorSystem system = ActorSystem.create(config())) {
            ActorRef<String> receiver = spawnCounting(system, received);
            ActorRef<String> sender = system.spawn(Behaviors.<String>receive((ctx, m) -> {
                handlerWrites.increment();
                receiver.tell("once");
                Stm.afterCommit(() -> Stm.atomic(() -> hookWrites.increment()));
                return Behaviors.same();
            }), "first");
            sender.tell("go");
            await(() -> hookWrites.get() == 1 && received.get() >= 1, Duration.ofSeconds(20),
                    "the handler, its hook's transaction and the message");
            Thread.sleep(500); // time for a second copy to arrive, were one sent
            assertEquals(1, received.get(), "the handler's message was delivered more than once");
            assertEquals(1, handlerWrites.get());
        }
    }

    /**
     * A send to another process made in a nested transaction that rolls back (its exception caught by the handler)
     * is not delivered, as in the shared modes; the handler's other sends are. (It stayed in the handler's batch
     * and was shipped with the commit.)
     */
    @Test
    void aSendFromANestedScopeThatRolledBackIsNotDelivered() throws Exception {
        TLong nested = TLong.named("scope-nested", 0);
        TLong outer = TLong.named("scope-outer", 0);
        try (ActorSystem system = ActorSystem.create(config())) {
            ActorRef<String> receiver = system.spawn(Behaviors.<String>receive((ctx, m) -> {
                (m.equals("nested") ? nested : outer).increment();
                return Behaviors.same();
            }), "receiver");
            ActorRef<String> sender = system.spawn(Behaviors.<String>receive((ctx, m) -> {
                try {
                    Stm.atomic(() -> {
                        receiver.tell("nested");
                        throw new IllegalStateException("the nested scope rolls back");
                    });
                } catch (IllegalStateException expected) {
                    // the handler goes on
                }
                receiver.tell("outer");
                return Behaviors.same();
            }), "first");
            sender.tell("go");
            await(() -> outer.get() == 1, Duration.ofSeconds(20), "the outer send");
            Thread.sleep(500); // time for the nested one to arrive, were it sent
            assertEquals(0, nested.get(), "the send of the rolled-back nested scope was delivered");
        }
    }
}
