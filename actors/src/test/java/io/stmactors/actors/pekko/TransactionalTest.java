package io.stmactors.actors.pekko;

import com.typesafe.config.ConfigFactory;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transactional Pekko typed actors ({@link Transactional}) under Pekko's {@link ActorTestKit}: sends are held until
 * commit, a re-run handler sends once, a throwing handler sends nothing and leaves no writes, {@code Stm.retry()}
 * waits without a thread and keeps message order, and concurrent transfers conserve money.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransactionalTest
{
    private static final Duration QUIET = Duration.ofMillis(300);

    private static ActorTestKit testKit;

    @BeforeAll
    static void start()
    {
        testKit = ActorTestKit.create(ConfigFactory.parseString(
            "pekko.loglevel = WARNING\npekko.log-dead-letters = off\n")
            .withFallback(ActorTestKit.applicationTestConfig()));
    }

    @AfterAll
    static void stop()
    {
        testKit.shutdownTestKit();
    }

    @Test
    void aConflictingHandlerIsRerunAndSendsExactlyOnce()
    {
        final TLong shared = TLong.named("pekko-test-shared", 0);
        final AtomicInteger attempts = new AtomicInteger();
        final TestProbe<String> probe = testKit.createTestProbe();

        final Behavior<String> behavior = Transactional.receive("conflicting", (ctx, message) ->
        {
            attempts.incrementAndGet();
            final long before = shared.get();
            if (1 == ctx.attempt())
            {
                // Another thread commits to what this attempt has read: the attempt cannot commit.
                final Thread rival = new Thread(shared::increment);
                rival.start();
                rival.join();
            }
            ctx.tell(probe.getRef(), message + " saw " + before + " on attempt " + ctx.attempt());
            shared.set(before + 10);
            return Behaviors.same();
        });
        final ActorRef<String> actor = testKit.spawn(behavior);
        actor.tell("hello");

        assertEquals("hello saw 1 on attempt 2", probe.receiveMessage(Duration.ofSeconds(10)));
        probe.expectNoMessage(QUIET);
        assertEquals(2, attempts.get(), "rolled back once, then re-run");
        assertEquals(11, shared.get(), "only the committed attempt's write is visible");
    }

    @Test
    void aThrowingHandlerSendsNothingAndItsWritesAreRolledBack()
    {
        final TLong balance = TLong.of(100);
        final TestProbe<String> probe = testKit.createTestProbe();
        final Behavior<String> debit = Transactional.receive((ctx, message) ->
        {
            balance.add(-50);
            ctx.tell(probe.getRef(), "debited for " + message);
            if (message.startsWith("fail"))
            {
                throw new IllegalStateException("refused: " + message);
            }
            return Behaviors.same();
        });

        // Resume: the message is dropped, the actor goes on.
        final ActorRef<String> resuming = testKit.spawn(Behaviors.supervise(debit)
            .onFailure(IllegalStateException.class, SupervisorStrategy.resume().withLoggingEnabled(false)));
        resuming.tell("fail-1");
        probe.expectNoMessage(QUIET);
        assertEquals(100, balance.get(), "the write was rolled back");
        resuming.tell("ok");
        assertEquals("debited for ok", probe.receiveMessage(Duration.ofSeconds(10)));
        assertEquals(50, balance.get());

        // Stop (Pekko's default strategy; made explicit here only to keep the expected failure out of the log).
        final ActorRef<String> stopping = testKit.spawn(Behaviors.supervise(debit)
            .onFailure(IllegalStateException.class, SupervisorStrategy.stop().withLoggingEnabled(false)));
        stopping.tell("fail-2");
        probe.expectTerminated(stopping, Duration.ofSeconds(10));
        probe.expectNoMessage(QUIET);
        assertEquals(50, balance.get());
    }

    @Test
    void aWokenHandlerThatFailsUnderResumeStillReplaysWhatWasStashedBehindIt()
    {
        final TLong gate = TLong.of(0);
        final TestProbe<String> probe = testKit.createTestProbe();
        final ActorRef<String> actor = testKit.spawn(Behaviors.supervise(Transactional.<String>receive((ctx, message) ->
        {
            if (message.equals("waits"))
            {
                if (0 == gate.get())
                {
                    Stm.retry();
                }
                throw new IllegalStateException("woken, then failing");
            }
            ctx.tell(probe.getRef(), message);
            return Behaviors.same();
        })).onFailure(IllegalStateException.class, SupervisorStrategy.resume().withLoggingEnabled(false)));

        actor.tell("waits");
        actor.tell("b"); // stashed behind the waiting message
        actor.tell("c");
        probe.expectNoMessage(QUIET);
        gate.set(1); // wakes the handler, which fails: resumed, the message dropped
        assertEquals("b", probe.receiveMessage(Duration.ofSeconds(10)), "the stash is replayed without a later message");
        assertEquals("c", probe.receiveMessage(Duration.ofSeconds(10)));
        actor.tell("d");
        assertEquals("d", probe.receiveMessage(Duration.ofSeconds(10)), "and in order with what comes next");
    }

    @Test
    void retryWaitsWithoutAThreadAndKeepsMessageOrder()
    {
        final TLong stock = TLong.of(0);
        final TestProbe<String> probe = testKit.createTestProbe();
        final ActorRef<String> shop = testKit.spawn(Transactional.<String>receive((ctx, message) ->
        {
            if (message.startsWith("buy"))
            {
                if (0 == stock.get())
                {
                    Stm.retry(); // rolled back; the actor waits for 'stock' to change, no thread parks
                }
                stock.add(-1);
            }
            ctx.tell(probe.getRef(), message);
            return Behaviors.same();
        }));

        shop.tell("buy-1");
        shop.tell("ping"); // stashed behind the waiting purchase
        probe.expectNoMessage(QUIET);

        stock.set(1); // commits outside any actor: wakes the shop
        assertEquals("buy-1", probe.receiveMessage(Duration.ofSeconds(10)));
        assertEquals("ping", probe.receiveMessage(Duration.ofSeconds(10)));
        assertEquals(0, stock.get());
    }

    @Test
    void twoActorsTransferringOverSharedCountersConserveTheTotal()
    {
        final long total = 2_000;
        final TLong alice = TLong.named("pekko-alice", total / 2);
        final TLong bob = TLong.named("pekko-bob", total / 2);
        final AtomicInteger invariantBroken = new AtomicInteger();
        final TestProbe<Long> probe = testKit.createTestProbe();

        final ActorRef<Long> aliceToBob = testKit.spawn(transfers(alice, bob, total, invariantBroken, probe));
        final ActorRef<Long> bobToAlice = testKit.spawn(transfers(bob, alice, total, invariantBroken, probe));

        final int perActor = 1_000;
        for (int i = 0; i < perActor; i++)
        {
            aliceToBob.tell(1L + ThreadLocalRandom.current().nextLong(40));
            bobToAlice.tell(1L + ThreadLocalRandom.current().nextLong(40));
        }
        final List<Long> replies = probe.receiveSeveralMessages(2 * perActor, Duration.ofSeconds(30));
        probe.expectNoMessage(QUIET);

        assertEquals(2 * perActor, replies.size(), "one reply per transfer, never two");
        assertEquals(total, alice.get() + bob.get(), "money is conserved");
        assertEquals(0, invariantBroken.get(), "no handler ever saw an inconsistent total (opacity)");
        assertTrue(alice.get() >= 0 && bob.get() >= 0);
    }

    /** Moves the requested amount (if available) from one account to the other; replies with the amount moved. */
    private static Behavior<Long> transfers(
        final TLong from, final TLong to, final long total, final AtomicInteger invariantBroken,
        final TestProbe<Long> probe)
    {
        return Transactional.receive("transfer", (ctx, amount) ->
        {
            if (from.get() + to.get() != total)
            {
                invariantBroken.incrementAndGet();
            }
            final long moved = Math.min(amount, from.get());
            from.add(-moved);
            to.add(moved);
            ctx.tell(probe.getRef(), moved);
            return Behaviors.same();
        });
    }

    @Test
    void aHandlerMayReturnANewTransactionalBehaviorCarryingState()
    {
        final TestProbe<Integer> probe = testKit.createTestProbe();
        final ActorRef<String> counter = testKit.spawn(counting(0, probe.getRef()));
        counter.tell("+");
        counter.tell("+");
        counter.tell("?");
        assertEquals(2, probe.receiveMessage(Duration.ofSeconds(10)));
        counter.tell("stop");
        probe.expectTerminated(counter, Duration.ofSeconds(10));
    }

    private static Behavior<String> counting(final int count, final ActorRef<Integer> replies)
    {
        return Transactional.receive((ctx, message) -> switch (message)
        {
            case "+" -> counting(count + 1, replies); // adopted only if this transaction commits
            case "?" ->
            {
                ctx.tell(replies, count);
                yield Behaviors.same();
            }
            default -> Behaviors.stopped();
        });
    }
}
