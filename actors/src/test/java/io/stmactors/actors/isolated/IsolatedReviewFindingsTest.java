package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.actors.Placement;
import io.stmactors.actors.reliability.LogCapture;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deterministic reproductions of the isolated-mode findings of a code review of the coordinator (R1..R3), each
 * failing before its fix, and a test that pins a limit the README documents instead (R4). Each test starts and
 * closes its own worker JVMs (one needs none) and stays well under 30 s.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IsolatedReviewFindingsTest {
    record Inc(ActorRef<Long> replyTo) {
    }

    private static ActorSystemConfig.Builder config(int workers) {
        return ActorSystemConfig.builder().mode(Mode.ISOLATED_PROCESSES).workers(workers)
                .register(Inc.class).closeTimeout(Duration.ofSeconds(10));
    }

    /** A counter actor, asked once (it answers 1): its worker is up and the counter has committed state. */
    private static ActorRef<Inc> counterAnsweringOne(ActorSystem system) throws Exception {
        ActorRef<Inc> counter = system.spawn(Behaviors.withState(0L, (ctx, n, inc) -> {
            inc.replyTo().tell(n + 1);
            return n + 1;
        }), "counter");
        assertEquals(1L, system.<Inc, Long>ask(counter, Inc::new, Duration.ofSeconds(20)).get(20, TimeUnit.SECONDS));
        return counter;
    }

    /**
     * R1. A restarted worker process that died before it said Ready was taken for a worker failing its first
     * start: its exit only failed the hello future, which nobody waits for after a restart, and was neither
     * logged nor handled. Its actors stayed "being restarted" forever: tells to them were dead letters, asks
     * failed at once.
     */
    @Test
    void aRestartedWorkerThatDiesBeforeItIsReadyIsRestartedAgain() throws Exception {
        try (ActorSystem system = ActorSystem.create(config(1).build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            ActorRef<Inc> counter = counterAnsweringOne(system);

            Process first = iso.workerProcess(0);
            first.destroyForcibly();
            await(() -> iso.workerProcess(0) != first, Duration.ofSeconds(20), "the relaunch");
            Process second = iso.workerProcess(0);
            second.destroyForcibly(); // at once: a JVM takes far longer than this to start and say Ready
            assertTrue(second.waitFor(10, TimeUnit.SECONDS), "the relaunched process exits");

            await(() -> iso.workerRestarts() == 2, Duration.ofSeconds(20), "a second restart");
            long answer = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (answer == 0 && System.nanoTime() < deadline) {
                try {
                    answer = system.<Inc, Long>ask(counter, Inc::new, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    Thread.sleep(50); // still restarting: asks fail at once
                }
            }
            assertEquals(2L, answer, "the counter came back with its committed state");
        }
    }

    /**
     * R1, its bound: a worker whose restarted processes keep dying before they are ready is not relaunched
     * forever; after {@link WorkerHandle#MAX_FAILED_STARTS} such deaths in a row its actors are reported lost.
     */
    @Test
    void aWorkerWhoseRestartsKeepDyingBeforeTheyAreReadyIsGivenUp() throws Exception {
        try (ActorSystem system = ActorSystem.create(config(1).build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            ActorRef<Inc> counter = counterAnsweringOne(system);
            Process previous = iso.workerProcess(0);
            previous.destroyForcibly();
            for (int i = 0; i < WorkerHandle.MAX_FAILED_STARTS; i++) {
                Process dead = previous;
                await(() -> iso.workerProcess(0) != dead, Duration.ofSeconds(20), "relaunch " + (i + 1));
                previous = iso.workerProcess(0);
                previous.destroyForcibly(); // before it is ready
                assertTrue(previous.waitFor(10, TimeUnit.SECONDS), "the relaunched process exits");
            }
            Process last = previous;
            ExecutionException failed = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (failed == null || !failed.getCause().getMessage().contains("was not restarted")) {
                assertTrue(System.nanoTime() < deadline, "asks never said the actor is lost: " + failed);
                try {
                    system.<Inc, Long>ask(counter, Inc::new, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    failed = e;
                }
                Thread.sleep(10);
            }
            assertTrue(failed.getCause().getMessage().contains("died before they were ready"),
                    failed.getCause().getMessage());
            assertEquals(WorkerHandle.MAX_FAILED_STARTS, iso.workerRestarts(), "no relaunch after giving up");
            assertTrue(iso.workerProcess(0) == last, "no new process after giving up");
        }
    }

    /**
     * R2. {@code ask} registered the pending ask before it ran the request function and before it scheduled the
     * timeout: a request that threw, or produced null, left its entry in the table for good.
     */
    @Test
    void anAskWhoseRequestFailsLeavesNoPendingAsk() throws Exception {
        try (ActorSystem system = ActorSystem.create(config(1).build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            ActorRef<Inc> counter = system.spawn(Behaviors.withState(0L, (ctx, n, inc) -> {
                inc.replyTo().tell(n + 1);
                return n + 1;
            }), "counter");
            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> system.<Inc, Long>ask(counter, r -> {
                        throw new IllegalStateException("injected: the request fails");
                    }, Duration.ofSeconds(5)));
            assertEquals("injected: the request fails", thrown.getMessage());
            assertThrows(NullPointerException.class, () -> system.<Inc, Long>ask(counter, r -> null, Duration.ofSeconds(5)));
            assertEquals(0, iso.tables().pendingAsks(), "a failed request left its ask pending");
            assertEquals(1L, system.<Inc, Long>ask(counter, Inc::new, Duration.ofSeconds(20)).get(20, TimeUnit.SECONDS));
            assertEquals(0, iso.tables().pendingAsks());
        }
    }

    /**
     * R3. {@code close()} closed the heap owner first and stopped the workers after; a closed owner accepted a
     * worker's commit without raising the versions it wrote (nor updating the other holders), so two workers
     * that both read a counter at version v were both accepted, and one increment was lost. With one worker
     * (I3) nothing shows it: its own replica carries its increments. Here two busy actors on two workers both
     * increment one shared counter while the system closes: every message is handled or a dead letter.
     */
    @Test
    void closeWhileTwoWorkersCommitToOneCounterLosesNoUpdate() throws Exception {
        TLong handled = TLong.named("review-close-handled", 0);
        int sentEach = 1_000;
        ActorSystem system = ActorSystem.create(config(2).closeTimeout(Duration.ZERO)
                .placement((name, n) -> name.equals("busy-0") ? 0 : 1).build());
        try (LogCapture log = new LogCapture()) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            List<ActorRef<Object>> busy = new ArrayList<>();
            for (int a = 0; a < 2; a++) {
                busy.add(system.spawn(Behaviors.receive((ctx, msg) -> {
                    handled.increment(); // a shared write: every commit waits for the owner's verdict
                    return Behaviors.same();
                }), "busy-" + a));
            }
            assertEquals(0, iso.workerOf("busy-0"));
            assertEquals(1, iso.workerOf("busy-1"));
            for (int i = 0; i < sentEach; i++) {
                busy.get(0).tell(i);
                busy.get(1).tell(i);
            }
            long started = System.nanoTime();
            system.close(); // at once: both workers are still handling, and committing to the same counter
            long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(closeMs < 15_000, "close() took " + closeMs + " ms");
            assertFalse(log.text().contains("did not exit"), "a worker had to be killed:\n" + log.text());
            long deadLetters = system.diagnostics().deadLetters();
            assertEquals(2L * sentEach, handled.get() + deadLetters, "handled " + handled.get() + " + dead letters "
                    + deadLetters + " (an increment accepted without a new version is lost)");
        } finally {
            system.close();
        }
    }

    /**
     * R3, the owner's side: a closed owner must refuse a worker commit that reads or writes shared references,
     * since it no longer raises versions: two workers that read the same version would otherwise both be
     * accepted.
     */
    @Test
    void aClosedHeapOwnerRefusesWorkerCommitsToSharedReferences() {
        ReplicationRouter.ensureInstalled();
        HeapOwner owner = new HeapOwner(new IsolatedWireFuzzTest.NoOutlet());
        TLong counter = TLong.of(10);
        long id = owner.adopt(counter);
        long version = owner.owned(id).binding.version;
        owner.close();
        for (int worker = 1; worker <= 2; worker++) {
            long written = 10 + worker;
            Frames.Commit commit = new Frames.Commit(worker, true, "increment", List.of(new Frames.ReadVersion(id, version)),
                    List.of(new Frames.RefValue(id, true, version, new byte[0])), List.of(), List.of(), List.of(),
                    List.of(), List.of());
            owner.lock.lock();
            try {
                HeapOwner.Verdict verdict = owner.commit(worker, commit, bytes -> written);
                assertEquals(HeapOwner.Decision.REFUSED, verdict.decision(), "worker " + worker + "'s commit");
            } finally {
                owner.lock.unlock();
            }
        }
        assertEquals(10L, counter.get(), "nothing applied");
    }

    /**
     * R4, a documented limit (README, isolated mode, "a worker dies"): a {@code Behaviors.concurrent} actor keeps
     * its behavior and state in the worker's own cell, and its commits ship neither to the owner, so a restarted
     * worker re-creates it from its initial behavior and state; what it wrote to shared references survives.
     * Restoring it needs changes to the actor cell ({@code actors.internal}); if they are made, this test must
     * change with the README.
     */
    @Test
    void aConcurrentActorRestartsFromItsInitialStateButItsSharedWritesSurvive() throws Exception {
        TLong total = TLong.named("review-concurrent-total", 0);
        try (ActorSystem system = ActorSystem.create(config(1).build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            ActorRef<Inc> counter = system.spawn(Behaviors.concurrent(Behaviors.withState(0L, (ctx, n, inc) -> {
                total.increment();
                inc.replyTo().tell(n + 1);
                return n + 1;
            })), "concurrent-counter");
            for (long i = 1; i <= 3; i++) {
                assertEquals(i, system.<Inc, Long>ask(counter, Inc::new, Duration.ofSeconds(20)).get(20, TimeUnit.SECONDS));
            }
            assertEquals(3L, total.get());

            Process first = iso.workerProcess(0);
            first.destroyForcibly();
            await(() -> iso.workerRestarts() == 1 && iso.workerProcess(0) != first, Duration.ofSeconds(20), "the restart");
            long answer = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (answer == 0 && System.nanoTime() < deadline) {
                try {
                    answer = system.<Inc, Long>ask(counter, Inc::new, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    Thread.sleep(50); // still restarting: asks fail at once
                }
            }
            assertEquals(1L, answer, "the concurrent actor restarted from its initial state (the documented limit)");
            assertEquals(4L, total.get(), "its writes to shared references were kept");
        }
    }

    record Start(String tag, ActorRef<String> replyTo) {
    }

    record Question(String tag, ActorRef<String> replyTo) {
    }

    /**
     * A reply names the asking worker's endpoint and its ask id only. A restarted worker numbered its asks from 1
     * again, so the answer to its dead predecessor's ask #1 completed the new incarnation's ask #1: silently the
     * wrong answer. {@code slow} (worker 1) holds both questions until the gate opens, then answers the old one
     * first.
     */
    @Test
    void aRestartedWorkersAskIsNotAnsweredWithTheReplyToItsPredecessorsAsk() throws Exception {
        TLong gate = TLong.named("review-ask-gate", 0);
        try (ActorSystem system = ActorSystem.create(config(2).register(Start.class, Question.class)
                .placement((name, n) -> name.equals("asker") ? 0 : 1).build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            ActorRef<Question> slow = system.spawn(Behaviors.<Question>receive((ctx, q) -> {
                if (gate.get() == 0) {
                    io.stmactors.stm.Stm.retry();
                }
                q.replyTo().tell("for-" + q.tag());
                return Behaviors.same();
            }), "slow");
            ActorRef<Start> asker = system.spawn(Behaviors.<Start>receive((ctx, start) -> {
                ctx.system().<Question, String>ask(slow, r -> new Question(start.tag(), r), Duration.ofSeconds(40))
                        .thenAccept(answer -> start.replyTo().tell(answer));
                return Behaviors.same();
            }), "asker");
            system.<Start, String>ask(asker, r -> new Start("old", r), Duration.ofSeconds(40)); // never answered
            Thread.sleep(1_000); // the old question waits in slow

            Process first = iso.workerProcess(0);
            first.destroyForcibly();
            await(() -> iso.workerRestarts() == 1 && iso.workerProcess(0) != first, Duration.ofSeconds(20), "the restart");
            java.util.concurrent.CompletableFuture<String> answer = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (answer == null) {
                java.util.concurrent.CompletableFuture<String> f =
                        system.<Start, String>ask(asker, r -> new Start("new", r), Duration.ofSeconds(40));
                Thread.sleep(200);
                if (f.isCompletedExceptionally()) { // still restarting: asks fail at once
                    assertTrue(System.nanoTime() < deadline, "the asker never came back");
                    continue;
                }
                answer = f;
            }
            Thread.sleep(1_000); // the new question waits in slow behind the old one
            gate.set(1);
            assertEquals("for-new", answer.get(30, TimeUnit.SECONDS));
        }
    }

    /**
     * An actor watching an actor of another worker process twice is told once when it stops (the coordinator kept
     * one watch entry per watch, and sent one Terminated for each).
     */
    @Test
    void aWatcherInAnotherProcessThatWatchesTwiceIsToldOnce() throws Exception {
        TLong told = TLong.named("review-watch-told", 0);
        TLong watched = TLong.named("review-watch-watched", 0);
        try (ActorSystem system = ActorSystem.create(config(2)
                .placement((name, n) -> name.equals("watched") ? 1 : 0).build())) {
            ActorRef<String> target = system.spawn(Behaviors.<String>receive((ctx, m) -> Behaviors.stopped()),
                    "watched");
            ActorRef<Object> watcher = system.spawn(Behaviors.<Object>receive((ctx, m) -> {
                if ("watch".equals(m)) {
                    ctx.watch(target);
                    watched.increment();
                } else if (m instanceof io.stmactors.actors.Terminated) {
                    told.increment();
                }
                return Behaviors.same();
            }), "watcher");
            watcher.tell("watch");
            watcher.tell("watch");
            await(() -> watched.get() == 2, Duration.ofSeconds(20), "both watches committed");
            Thread.sleep(500); // the coordinator applies each commit's watches as it reads the commit
            target.tell("stop");
            await(() -> told.get() >= 1, Duration.ofSeconds(20), "the watcher to be told");
            Thread.sleep(1_000); // a second Terminated would have come by now
            assertEquals(1, told.get(), "told once");
        }
    }

    record Blob(byte[] data) {
    }

    /** Tells the echo actor to answer the ask it holds. */
    record Release() {
    }

    /**
     * A tell from the coordinator to a worker whose inbox stays full gets TransportBackPressureException, as the
     * README's failure table says of a full ring; it waited out the send timeout, then returned normally with the
     * message counted as a dead letter (logged at debug level only). A spawn onto it too (before, it was accepted
     * and the actor never created, with a warning only), also from an ask's callback on the coordinator's poll
     * thread (before, accepted there, never created, and its name taken for good), as a tell from there (before,
     * a dead letter).
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS) // four send timeouts of 5 s, three JVMs
    void aCoordinatorTellToAWorkerWhoseInboxStaysFullFailsWithBackPressure() throws Exception {
        Placement secondWorkerForEcho = (name, workers) -> name.startsWith("echo") ? 1 : 0;
        try (ActorSystem system = ActorSystem.create(config(2).register(Blob.class, Release.class)
                .placement(secondWorkerForEcho).build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            counterAnsweringOne(system); // the first worker is up
            // On the second worker, which keeps reading: it holds an ask until released, so that the asker's callback
            // is attached first and runs on the poll thread, which completes the ask.
            ActorRef<Object> echo = system.spawn(Behaviors.<ActorRef<Long>, Object>withState(null,
                    (ctx, held, m) -> {
                        if (m instanceof Inc inc) {
                            return inc.replyTo();
                        }
                        held.tell(1L);
                        return null;
                    }), "echo");
            ActorRef<Blob> sink = system.spawn(Behaviors.<Blob>receive((ctx, b) -> Behaviors.same()), "sink");
            long pid = iso.workerProcess(0).pid();
            assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor());
            try {
                long deadLettersBefore = system.diagnostics().deadLetters();
                assertThrows(io.stmactors.transport.TransportBackPressureException.class, () -> {
                    // small messages, so that the ring is full to the last few dozen bytes: no frame fits then
                    for (int i = 0; i < 1_000_000; i++) { // 64 MB of payload against an inbox ring of 8 MiB
                        sink.tell(new Blob(new byte[64]));
                    }
                });
                assertEquals(deadLettersBefore, system.diagnostics().deadLetters(), "nothing counted as dropped");
                // A spawn onto that worker fails the same way (before, it was accepted and the actor never existed).
                assertThrows(io.stmactors.transport.TransportBackPressureException.class,
                        () -> system.spawn(Behaviors.<Inc>receive((ctx, inc) -> Behaviors.same()), "late"));
                // And from the callback of an ask answered by the second worker, run on the poll thread: a spawn, and
                // a tell (before, a dead letter there, while the same tell from a program's thread threw).
                CompletableFuture<String> callbackThread = new CompletableFuture<>();
                CompletableFuture<Throwable> spawnFromCallback = new CompletableFuture<>();
                CompletableFuture<Throwable> tellFromCallback = new CompletableFuture<>();
                system.<Object, Long>ask(echo, Inc::new, Duration.ofSeconds(30)).whenComplete((answer, failure) -> {
                    callbackThread.complete(Thread.currentThread().getName());
                    try {
                        system.spawn(Behaviors.<Inc>receive((ctx, inc) -> Behaviors.same()), "late-from-callback");
                        spawnFromCallback.complete(null);
                    } catch (Throwable t) {
                        spawnFromCallback.complete(t);
                    }
                    try {
                        sink.tell(new Blob(new byte[64]));
                        tellFromCallback.complete(null);
                    } catch (Throwable t) {
                        tellFromCallback.complete(t);
                    }
                });
                echo.tell(new Release());
                assertTrue(callbackThread.get(40, TimeUnit.SECONDS).endsWith("-coordinator"),
                        "the callback ran on the poll thread: " + callbackThread.get());
                assertInstanceOf(io.stmactors.transport.TransportBackPressureException.class,
                        spawnFromCallback.get(40, TimeUnit.SECONDS));
                assertInstanceOf(io.stmactors.transport.TransportBackPressureException.class,
                        tellFromCallback.get(40, TimeUnit.SECONDS));
                assertEquals(deadLettersBefore, system.diagnostics().deadLetters(), "nothing counted as dropped");
            } finally {
                new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
            }
            // The refused spawn left its name free, and the same spawn works once the worker reads again.
            ActorRef<Inc> late = system.spawn(Behaviors.<Inc>receive((ctx, inc) -> {
                inc.replyTo().tell(7L);
                return Behaviors.same();
            }), "late");
            assertEquals(7L, system.<Inc, Long>ask(late, Inc::new, Duration.ofSeconds(30)).get(40, TimeUnit.SECONDS));
            ActorRef<Inc> lateFromCallback = system.spawn(Behaviors.<Inc>receive((ctx, inc) -> {
                inc.replyTo().tell(8L);
                return Behaviors.same();
            }), "late-from-callback");
            assertEquals(8L, system.<Inc, Long>ask(lateFromCallback, Inc::new, Duration.ofSeconds(30))
                    .get(40, TimeUnit.SECONDS));
        }
    }

    /**
     * A handler whose shared write cannot be shipped (65 MiB: over the 64 MiB message limit) fails: nothing of it
     * reaches the owner, and close() does not wait for it. (The commit is refused while it is encoded, before it is
     * registered as pending; a commit or fetch whose send fails after that, a full coordinator inbox or the 60 s wait
     * for a verdict, is now taken off the pending list too, which this test cannot provoke.)
     */
    @Test
    void aSharedWriteTooLargeToShipFailsItsHandlerAndDoesNotHoldUpClose() throws Exception {
        io.stmactors.stm.TRef<byte[]> big = io.stmactors.stm.TRef.named("review-big", new byte[0]);
        ActorSystem system = ActorSystem.create(config(1).register(Blob.class).closeTimeout(Duration.ofSeconds(30)).build());
        long closeStart;
        try {
            counterAnsweringOne(system); // the worker is up
            ActorRef<String> writer = system.spawn(Behaviors.<String>receive((ctx, m) -> {
                big.set(new byte[65 << 20]);
                return Behaviors.same();
            }), "writer");
            writer.tell("go");
            Thread.sleep(3_000); // the handler ran and failed: its commit could not be sent
            assertEquals(0, big.get().length, "nothing of the failed handler reached the owner");
        } finally {
            closeStart = System.nanoTime();
            system.close();
        }
        long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStart);
        assertTrue(closeMs < 10_000, "close() took " + closeMs + " ms (close timeout 30 s)");
    }

    static void await(java.util.function.BooleanSupplier condition, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(1);
        }
    }

    /**
     * A worker that dies just as the system begins to close must not be started again once its shutdown was
     * requested: the close waits for the processes it knows, and a process started after that would outlive the
     * system. (The death handler checked "closed" and then relaunched: a close that began in between told the
     * workers to stop and waited only for the processes it knew.) The race is narrow, so the test drives the handle:
     * shutdown requested, then the relaunch the death handler would do.
     */
    @Test
    void aWorkerIsNotRelaunchedOnceItsShutdownWasRequested() throws Exception {
        try (ActorSystem system = ActorSystem.create(config(1).build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            counterAnsweringOne(system);
            Process running = iso.workerProcess(0);
            WorkerHandle handle = iso.workerHandle(0);

            handle.stopping(() -> { }); // as close() does first (here without sending the request)
            assertFalse(handle.relaunch(), "no new process once the worker was told to stop");
            assertEquals(0, iso.workerRestarts());
            assertSame(running, iso.workerProcess(0));
            assertTrue(running.isAlive(), "the running process is left to the close");
        }
    }
}
