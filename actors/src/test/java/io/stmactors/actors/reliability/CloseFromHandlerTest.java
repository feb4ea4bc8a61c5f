package io.stmactors.actors.reliability;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ctx.system().close()} from inside a handler (a "reaper" that ends the program when the work is done).
 * The handler cannot wait for itself to finish: close() starts the shutdown once the handler commits and
 * returns at once. Before, it waited out the whole close timeout for its own handler, then five seconds for
 * the actors to stop and five for its own worker pool: about 40 s with the default timeout. In isolated mode the
 * handler runs in a worker process, whose close() closed only that worker's local runtime, silently; now it asks
 * the coordinator to close the whole system.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseFromHandlerTest {
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(20);

    private static ActorSystem system(Mode mode) {
        return ActorSystem.create(ActorSystemConfig.builder().mode(mode).workers(2).closeTimeout(CLOSE_TIMEOUT).build());
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"SHARED_STM", "GLOBAL_LOCK"})
    void aHandlerThatClosesItsSystemReturnsAtOnceAndTheSystemCloses(Mode mode) throws Exception {
        ActorSystem system = system(mode);
        CountDownLatch closeReturned = new CountDownLatch(1);
        AtomicInteger counted = new AtomicInteger();
        ActorRef<Integer> counter = system.spawn(Behaviors.<Integer>receive((ctx, n) -> {
            counted.addAndGet(n);
            return Behaviors.same();
        }), "counter");
        ActorRef<String> reaper = system.spawn(Behaviors.<String>receive((ctx, m) -> {
            ctx.system().close();
            closeReturned.countDown();
            return Behaviors.same();
        }), "reaper");
        for (int i = 0; i < 1000; i++) {
            counter.tell(1);
        }
        long start = System.nanoTime();
        reaper.tell("done");
        assertTrue(closeReturned.await(5, TimeUnit.SECONDS), "close() inside a handler did not return within 5 s");
        system.close(); // waits for the close the handler started
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 10_000, "closing from a handler took " + millis + " ms");
        assertEquals(1000, counted.get(), "close() drains the mailboxes first");
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> system.spawn(Behaviors.receive((ctx, m) -> Behaviors.same()), "late"));
        assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"SHARED_STM", "GLOBAL_LOCK"})
    void aCloseInAHandlerThatThenFailsIsRolledBackWithIt(Mode mode) throws Exception {
        ActorSystem system = system(mode);
        try {
            CountDownLatch failed = new CountDownLatch(1);
            ActorRef<String> reaper = system.spawn(Behaviors.<String>receive((ctx, m) -> {
                ctx.system().close();
                failed.countDown();
                throw new IllegalStateException("changed my mind");
            }), "reaper");
            reaper.tell("done");
            assertTrue(failed.await(5, TimeUnit.SECONDS), "close() inside a handler did not return within 5 s");
            // The handler rolled back, and its close with it: the system stays open.
            Thread.sleep(500);
            CountDownLatch ran = new CountDownLatch(1);
            ActorRef<String> later = system.spawn(Behaviors.<String>receive((ctx, m) -> {
                ran.countDown();
                return Behaviors.same();
            }), "later");
            later.tell("still open?");
            assertTrue(ran.await(5, TimeUnit.SECONDS), "the system stopped running handlers");
        } finally {
            system.close();
        }
    }

    @Test
    void aHandlerInAWorkerProcessClosesTheWholeIsolatedSystem() throws Exception {
        ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().name("close-from-handler")
                .mode(Mode.ISOLATED_PROCESSES).workers(2).closeTimeout(CLOSE_TIMEOUT).build());
        try {
            TLong counted = TLong.of(0);
            ActorRef<Integer> counter = system.spawn(Behaviors.<Integer>receive((ctx, n) -> {
                counted.add(n);
                return Behaviors.same();
            }), "counter");
            ActorRef<String> reaper = system.spawn(Behaviors.<String>receive((ctx, m) -> {
                ctx.system().close();
                return Behaviors.same();
            }), "reaper");
            for (int i = 0; i < 200; i++) {
                counter.tell(1);
            }
            reaper.tell("done");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            IllegalStateException refused = null;
            while (refused == null && System.nanoTime() < deadline) {
                try {
                    system.spawn(Behaviors.receive((ctx, m) -> Behaviors.same()), "probe-" + System.nanoTime());
                    Thread.sleep(20);
                } catch (IllegalStateException e) {
                    refused = e;
                }
            }
            assertTrue(refused != null, "the system was still open 15 s after a handler closed it");
            assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
            system.close(); // waits for the close the handler asked for
            assertEquals(200, counted.get(), "close() drains the mailboxes first");
        } finally {
            system.close();
        }
    }

    /** Asks for a reply. */
    public record Ping(ActorRef<String> replyTo) {
    }

    @ParameterizedTest
    @MethodSource("io.stmactors.actors.reliability.ReliabilityModes#modes")
    void anAskCallbackThatClosesTheSystemDoesNotBlockTheThreadThatCompletesIt(Mode mode) throws Exception {
        ActorSystem system = ReliabilityModes.system(mode, "close-from-callback", 2, Ping.class);
        try {
            ActorRef<Ping> echo = system.spawn(Behaviors.<Ping>receive((ctx, p) -> {
                Thread.sleep(300); // so that the callback below is in place before the reply completes the future
                p.replyTo().tell("pong");
                return Behaviors.same();
            }), "echo");
            // The future completes on a thread of the system (a worker, or the coordinator's poll thread), which
            // then runs the callback: a close() that waited there would wait for that very thread.
            system.ask(echo, Ping::new, Duration.ofSeconds(10)).thenRun(system::close);
            ReliabilityModes.await(() -> {
                try {
                    system.spawn(Behaviors.receive((ctx, m) -> Behaviors.same()), "probe-" + System.nanoTime());
                    return false;
                } catch (IllegalStateException closed) {
                    return true;
                }
            }, Duration.ofSeconds(15), () -> "the system to close after the ask's callback closed it");
            long start = System.nanoTime();
            system.close();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 10_000, "the close started by the callback took another " + millis + " ms");
        } finally {
            system.close();
        }
    }
}
