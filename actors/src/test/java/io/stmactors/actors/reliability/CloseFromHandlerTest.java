package io.stmactors.actors.reliability;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code close()} called on one of the system's own threads: a handler's {@code ctx.system().close()} (a "reaper"
 * that ends the work), or the callback of an ask's future completed by the system. Such a close() cannot wait for
 * the thread it runs on: it starts the shutdown (from a handler, once the handler commits) and returns at once.
 * Before, a handler's close() waited out the whole close timeout for its own handler, then five seconds for the
 * actors to stop and five for its own worker pool (about 40 s with the default timeout); in isolated mode the
 * handler runs in a worker process, whose close() closed only that worker's local runtime, silently, and a
 * callback on the coordinator's poll thread blocked the very thread the close waits on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseFromHandlerTest {
    private static ActorSystem system(Mode mode) {
        return ReliabilityModes.system(mode, "close-from-handler", 2); // close timeout 20 s
    }

    /** Waits until the system refuses a new top-level actor, as it does once a close has begun. */
    private static void awaitClosing(ActorSystem system, String after) {
        ReliabilityModes.await(() -> {
            try {
                system.spawn(Behaviors.receive((ctx, m) -> Behaviors.same()), "probe-" + System.nanoTime());
                return false;
            } catch (IllegalStateException closed) {
                assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
                return true;
            }
        }, Duration.ofSeconds(15), () -> "the system to close after " + after);
    }

    /** An actor that closes its system on any message. */
    private static Behavior<String> reaper() {
        return Behaviors.receive((ctx, m) -> {
            ctx.system().close();
            return Behaviors.same();
        });
    }

    /** Closes {@code system} from the test's thread, which waits for the close already running; checks it is prompt. */
    private static void closeAndCheckPrompt(ActorSystem system) {
        long start = System.nanoTime();
        system.close();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 10_000, "the close already running took another " + millis + " ms");
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
        reaper.tell("done");
        assertTrue(closeReturned.await(5, TimeUnit.SECONDS), "close() inside a handler did not return within 5 s");
        awaitClosing(system, "a handler closed it"); // the handler's own close, not the one below
        closeAndCheckPrompt(system);
        assertEquals(1000, counted.get(), "close() drains the mailboxes first");
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
        ActorSystem system = system(Mode.ISOLATED_PROCESSES);
        try {
            TLong counted = TLong.of(0);
            ActorRef<Integer> counter = system.spawn(Behaviors.<Integer>receive((ctx, n) -> {
                counted.add(n);
                return Behaviors.same();
            }), "counter");
            ActorRef<String> reaper = system.spawn(reaper(), "reaper");
            for (int i = 0; i < 200; i++) {
                counter.tell(1);
            }
            reaper.tell("done");
            awaitClosing(system, "a handler in a worker process closed it");
            closeAndCheckPrompt(system);
            assertEquals(200, counted.get(), "close() drains the mailboxes first");
        } finally {
            system.close();
        }
    }

    /** Asks for a reply. */
    public record Ping(ActorRef<String> replyTo) {
    }

    /** Asks {@code echo} from inside a worker process and closes the system in the ask's callback. */
    public record AskThenClose(ActorRef<Ping> echo) {
    }

    private static ActorRef<Ping> echo(ActorSystem system, String name) {
        return system.spawn(Behaviors.<Ping>receive((ctx, p) -> {
            Thread.sleep(300); // so that the asker's callback is in place before the reply completes its future
            p.replyTo().tell("pong");
            return Behaviors.same();
        }), name);
    }

    @ParameterizedTest
    @MethodSource("io.stmactors.actors.reliability.ReliabilityModes#modes")
    void anAskCallbackThatClosesTheSystemDoesNotBlockTheThreadThatCompletesIt(Mode mode) throws Exception {
        ActorSystem system = ReliabilityModes.system(mode, "close-from-callback", 2, Ping.class);
        try {
            ActorRef<Ping> echo = echo(system, "echo");
            // The future completes on a thread of the system (a worker, or the coordinator's poll thread), which
            // then runs the callback: a close() that waited there would wait for that very thread.
            system.ask(echo, Ping::new, Duration.ofSeconds(10)).thenRun(system::close);
            awaitClosing(system, "the ask's callback closed it");
            closeAndCheckPrompt(system);
        } finally {
            system.close();
        }
    }

    @Test
    void anAskCallbackInAWorkerProcessClosesTheWholeIsolatedSystem() throws Exception {
        ActorSystem system = ReliabilityModes.system(Mode.ISOLATED_PROCESSES, "close-from-worker-callback", 2,
                Ping.class, AskThenClose.class);
        try {
            ActorRef<Ping> echo = echo(system, "echo");
            ActorRef<AskThenClose> asker = system.spawn(Behaviors.<AskThenClose>receive((ctx, m) -> {
                ActorSystem own = ctx.system();
                // completed by the worker process's own threads (its inbox reader), which then run the callback
                own.ask(m.echo(), Ping::new, Duration.ofSeconds(10)).thenRun(own::close);
                return Behaviors.same();
            }), "asker");
            asker.tell(new AskThenClose(echo));
            awaitClosing(system, "an ask callback in a worker process closed it");
            closeAndCheckPrompt(system);
        } finally {
            system.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.stmactors.actors.reliability.ReliabilityModes#modes")
    void aTimedOutAskWhoseCallbackClosesTheSystemDoesNotHoldUpTheTimer(Mode mode) throws Exception {
        ActorSystem system = ReliabilityModes.system(mode, "close-from-timeout", 2, Ping.class);
        try {
            ActorRef<Ping> silent = system.spawn(Behaviors.<Ping>receive((ctx, p) -> Behaviors.same()), "silent");
            ActorRef<String> busy = system.spawn(Behaviors.<String>receive((ctx, m) -> {
                Thread.sleep(3_000); // the system is not quiet for 3 s: a close waiting for it takes that long
                return Behaviors.same();
            }), "busy");
            busy.tell("work");
            CountDownLatch callbackDone = new CountDownLatch(1);
            // The timeout fails the future on the system's timer thread, which runs the callback.
            system.ask(silent, Ping::new, Duration.ofMillis(200)).whenComplete((reply, failure) -> {
                system.close();
                callbackDone.countDown();
            });
            assertTrue(callbackDone.await(2, TimeUnit.SECONDS), "close() in the timeout's callback did not return at once");
            awaitClosing(system, "the timed-out ask's callback closed it");
            system.close();
        } finally {
            system.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"SHARED_STM", "GLOBAL_LOCK"})
    void anInterruptedCloseWaitingForAHandlersCloseCutsItShort(Mode mode) throws Exception {
        ActorSystem system = system(mode);
        // never quiet: the close the handler starts would wait its whole timeout (20 s) for this one to drain
        ActorRef<String> loop = system.spawn(Behaviors.<String>receive((ctx, m) -> {
            ctx.self().tell(m);
            return Behaviors.same();
        }), "loop");
        loop.tell("again");
        // two of them, on the two workers: only one close may run, and it is the one the interrupt must reach
        List<ActorRef<String>> reapers = new ArrayList<>();
        for (String name : new String[] {"reaper-1", "reaper-2"}) {
            reapers.add(system.spawn(reaper(), name));
        }
        reapers.forEach(reaper -> reaper.tell("done")); // told once both exist: the first close refuses new spawns
        awaitClosing(system, "a handler closed it");
        long start = System.nanoTime();
        Thread.currentThread().interrupt();
        try {
            system.close(); // waits for the handler's close, which the interrupt cuts short as it would its own
        } finally {
            assertTrue(Thread.interrupted(), "close() must leave the interrupt flag set"); // and clears it
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 10_000, "an interrupted close() waited " + millis + " ms");
    }

    @ParameterizedTest
    @MethodSource("io.stmactors.actors.reliability.ReliabilityModes#modes")
    void aCloseWhoseFailedAskCallsCloseAgainFinishes(Mode mode) throws Exception {
        ActorSystem system = ReliabilityModes.system(mode, "close-reentered", 2, Ping.class);
        ActorRef<Ping> silent = system.spawn(Behaviors.<Ping>receive((ctx, p) -> Behaviors.same()), "silent");
        // still pending when the system closes: the close fails it, on the closing thread, which runs this callback
        system.ask(silent, Ping::new, Duration.ofMinutes(1)).whenComplete((reply, failure) -> system.close());
        Thread closer = new Thread(system::close, "test-closer");
        closer.start();
        closer.join(30_000);
        boolean stuck = closer.isAlive();
        if (stuck) {
            closer.interrupt();
        }
        assertTrue(!stuck, "close() never returned: the callback it ran waited for the close itself");
    }
}
