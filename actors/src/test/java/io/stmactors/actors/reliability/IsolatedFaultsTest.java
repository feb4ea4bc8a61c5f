package io.stmactors.actors.reliability;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.actors.isolated.IsolatedActorSystem;
import io.stmactors.actors.reliability.FaultInjectionTest.Add;
import io.stmactors.actors.reliability.FaultInjectionTest.Get;
import io.stmactors.actors.reliability.FaultInjectionTest.Hog;
import io.stmactors.actors.reliability.FaultInjectionTest.Spin;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.stmactors.actors.reliability.ReliabilityModes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Faults only worker processes have ({@code ISOLATED_PROCESSES}): a worker JVM killed (SIGKILL) at random
 * points while its handlers commit, repeatedly, with and without {@code restartWorkers}; a handler that never
 * returns (only killing its worker stops it); a handler that runs its worker out of memory. Each time: no
 * committed update lost, no half-commit visible to coordinator transactions, the rest of the system keeps
 * running, and what happened is reported by actor and worker. Prints {@code RELIABILITY isolated-faults ...}
 * lines. More kills: {@code -Dstmactors.faults.kills=N}.
 */
@Tag("stress")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class IsolatedFaultsTest {
    static final int ACCOUNTS = 8;
    static final long INITIAL = 1_000;
    static final int TELLERS = 4;
    static final long MAX_IN_FLIGHT = Long.getLong("stmactors.faults.inFlight", 2_000);

    record Transfer(int from, int to, long amount) {
    }

    record Count(ActorRef<Long> replyTo) {
    }

    static final Class<?>[] TYPES = {Transfer.class, Count.class, Add.class, Get.class, Spin.class, Hog.class};

    /** Workers and where each actor lives: the name's last character picks the worker ({@code "teller-3"}: 1). */
    static ActorSystemConfig.Builder config(String name, int workers) {
        return ActorSystemConfig.builder().name(name).mode(Mode.ISOLATED_PROCESSES).workers(workers).register(TYPES)
                .closeTimeout(Duration.ofSeconds(20))
                .placement((actor, n) -> Character.getNumericValue(actor.charAt(actor.length() - 1)) % n);
    }

    /** Moves money between the accounts and counts its committed transfers, all in one transaction. */
    static Behavior<Transfer> teller(TLong[] bank, TLong done) {
        return Behaviors.receive((ctx, t) -> {
            if (bank[t.from()].get() >= t.amount()) {
                bank[t.from()].add(-t.amount());
                bank[t.to()].add(t.amount());
            }
            done.increment();
            return Behaviors.same();
        });
    }

    /** An actor whose state is the number of requests it answered (its state travels with its commits). */
    static Behavior<Count> counter() {
        return Behaviors.withState(0L, (ctx, n, c) -> {
            c.replyTo().tell(n + 1);
            return n + 1;
        });
    }

    /** Money and committed transfers, read in one coordinator transaction. */
    static long[] books(TLong[] bank, TLong[] done) {
        return Stm.atomic("isolated-faults-checker", () -> {
            long money = 0;
            long transfers = 0;
            for (TLong a : bank) {
                money += a.get();
            }
            for (TLong d : done) {
                transfers += d.get();
            }
            return new long[] {money, transfers};
        });
    }

    @Test
    void killedWorkersLoseNoCommittedUpdateShowNoHalfCommitAndComeBack() throws Exception {
        int kills = Integer.getInteger("stmactors.faults.kills", 5);
        TLong[] bank = new TLong[ACCOUNTS];
        TLong[] done = new TLong[TELLERS];
        for (int i = 0; i < ACCOUNTS; i++) {
            bank[i] = TLong.named("kill-bank-" + i, INITIAL);
        }
        for (int i = 0; i < TELLERS; i++) {
            done[i] = TLong.named("kill-done-" + i, 0);
        }
        SplittableRandom random = new SplittableRandom(42);
        long started = System.nanoTime();
        try (LogCapture log = new LogCapture();
             ActorSystem system = ActorSystem.create(config("isolated-kills", 2).build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            List<ActorRef<Transfer>> tellers = new ArrayList<>();
            for (int i = 0; i < TELLERS; i++) {
                tellers.add(system.spawn(teller(bank, done[i]), "teller-" + i));
            }
            List<ActorRef<Count>> counters = List.of(system.spawn(counter(), "counter-0"),
                    system.spawn(counter(), "counter-1"));
            long[] acknowledged = new long[counters.size()];

            // Load: transfers, from a thread of this JVM, at most about MAX_IN_FLIGHT ahead of the commits (those
            // lost with a killed worker's mailboxes never commit: after 200 ms the load goes on anyway).
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong told = new AtomicLong();
            Thread load = new Thread(() -> {
                SplittableRandom r = new SplittableRandom(7);
                long lost = 0;
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        int from = r.nextInt(ACCOUNTS);
                        tellers.get(r.nextInt(TELLERS)).tell(new Transfer(from, r.nextInt(ACCOUNTS), 1 + r.nextInt(20)));
                        if (told.incrementAndGet() % 64 == 0) {
                            long waitedMs = 0;
                            while (told.get() - lost - books(bank, done)[1] > MAX_IN_FLIGHT && waitedMs < 200) {
                                Thread.sleep(1);
                                waitedMs++;
                            }
                            if (waitedMs >= 200) {
                                lost = told.get() - books(bank, done)[1];
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    // stopped
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "isolated-kills-load");
            // Checker: coordinator transactions over all accounts and counts, all the time.
            AtomicLong checks = new AtomicLong();
            Thread checker = new Thread(() -> {
                long lastTransfers = 0;
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        long[] b = books(bank, done);
                        if (b[0] != ACCOUNTS * INITIAL) {
                            throw new AssertionError("half a transfer visible: money " + b[0]);
                        }
                        if (b[1] < lastTransfers) {
                            throw new AssertionError("committed transfers lost: " + lastTransfers + " -> " + b[1]);
                        }
                        lastTransfers = b[1];
                        checks.incrementAndGet();
                        Thread.sleep(1);
                    }
                } catch (InterruptedException e) {
                    // stopped
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "isolated-kills-checker");
            load.start();
            checker.start();
            int pendingFailedClearly = 0;
            int pendingAnswered = 0;
            try {
                for (int kill = 1; kill <= kills; kill++) {
                    for (int c = 0; c < counters.size(); c++) {
                        acknowledged[c] = askCount(system, counters.get(c), acknowledged[c], Duration.ofSeconds(60));
                    }
                    long transfersBefore = books(bank, done)[1];
                    int victim = random.nextInt(2);
                    CompletableFuture<Long> pending = system.ask(counters.get(victim), Count::new, Duration.ofSeconds(30));
                    Thread.sleep(20 + random.nextInt(300)); // somewhere among the commits of the load
                    Process process = iso.workerProcess(victim);
                    long pid = process.pid();
                    process.destroyForcibly();
                    int restarts = kill;
                    await(() -> iso.workerRestarts() == restarts && iso.workerProcess(victim).pid() != pid
                            && iso.workerProcess(victim).isAlive(), Duration.ofSeconds(60), () -> "restart " + restarts);
                    try {
                        long answered = pending.get(60, TimeUnit.SECONDS);
                        assertTrue(answered > acknowledged[victim], "an answer from before the kill");
                        acknowledged[victim] = answered;
                        pendingAnswered++;
                    } catch (ExecutionException e) {
                        assertInstanceOf(IllegalStateException.class, e.getCause());
                        assertTrue(e.getCause().getMessage().contains("counter-" + victim)
                                && e.getCause().getMessage().contains("died"), e.getCause().getMessage());
                        pendingFailedClearly++;
                    }
                    // Back with its committed state: the next answer follows the last one acknowledged.
                    acknowledged[victim] = askCount(system, counters.get(victim), acknowledged[victim], Duration.ofSeconds(60));
                    // The system keeps running: transfers commit again (on both workers).
                    await(() -> books(bank, done)[1] > transfersBefore + 100, Duration.ofSeconds(60),
                            () -> "transfers to go on after kill " + restarts);
                    assertNull(failure.get(), () -> "failed: " + failure.get());
                }
            } finally {
                load.interrupt();
                checker.interrupt();
                load.join(10_000);
                checker.join(10_000);
            }
            assertNull(failure.get(), () -> "failed: " + failure.get());
            assertEquals(kills, iso.workerRestarts(), "one restart per kill");
            assertEquals(TELLERS + counters.size(), system.diagnostics().liveActors(), "every actor re-created");
            long closing = System.nanoTime();
            system.close();
            long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing);
            assertTrue(closeMs < 10_000 && !log.text().contains("still busy after the close timeout (PT20S)"),
                    "close() found the system busy for its whole timeout (" + closeMs + " ms): the frame counters of "
                            + "a restarted worker are off:\n" + log.text());
            long[] b = books(bank, done);
            assertEquals(ACCOUNTS * INITIAL, b[0], "money conserved");
            String text = log.text();
            assertTrue(text.contains("died (exit code 137); actors lost:"), "the dead worker is reported");
            System.out.printf(Locale.ROOT, "RELIABILITY isolated-faults kind=kill kills=%d restarts=%d told=%d "
                            + "committedTransfers=%d checks=%d pendingAsksAnswered=%d pendingAsksFailedClearly=%d "
                            + "halfCommitsSeen=0 lostUpdates=0 seconds=%d%n", kills, iso.workerRestarts(), told.get(),
                    b[1], checks.get(), pendingAnswered, pendingFailedClearly,
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        }
    }

    /** Asks {@code counter} until it answers (its worker may be restarting); the answer must follow {@code after}. */
    static long askCount(ActorSystem system, ActorRef<Count> counter, long after, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                long answer = system.ask(counter, Count::new, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                assertTrue(answer > after, "actor '" + counter.name() + "' lost committed state: it answered "
                        + answer + " after " + after);
                return answer;
            } catch (ExecutionException e) {
                if (System.nanoTime() - deadline > 0) {
                    fail("'" + counter.name() + "' never answered again", e);
                }
                Thread.sleep(100); // its worker is being restarted and its actors re-created
            }
        }
    }

    @Test
    void withoutRestartsAKilledWorkersActorsFailAsksClearlyAndTheRestKeepsRunning() throws Exception {
        TLong gate = TLong.named("no-restart-gate", 0);
        TLong total = TLong.named("no-restart-total", 0);
        try (ActorSystem system = ActorSystem.create(config("isolated-no-restart", 2).restartWorkers(false).build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            // counter-0 waits (retry) until the gate opens: an ask to it stays pending until its worker dies.
            ActorRef<Count> waiting = system.spawn(Behaviors.receive((ctx, c) -> {
                if (gate.get() == 0) {
                    Stm.retry();
                }
                c.replyTo().tell(1L);
                return Behaviors.same();
            }), "counter-0");
            ActorRef<Count> alive = system.spawn(Behaviors.receive((ctx, c) -> {
                c.replyTo().tell(total.incrementAndGet()); // a shared write: the owner must still answer
                return Behaviors.same();
            }), "counter-1");
            assertEquals(1L, system.ask(alive, Count::new, Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS));
            CompletableFuture<Long> pending = system.ask(waiting, Count::new, Duration.ofSeconds(60));
            await(() -> system.diagnostics().retryWaits() > 0, Duration.ofSeconds(20), () -> "the handler to wait");

            iso.workerProcess(0).destroyForcibly();
            ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> pending.get(30, TimeUnit.SECONDS), "a pending ask to an actor of the dead worker fails");
            assertInstanceOf(IllegalStateException.class, failed.getCause());
            assertTrue(failed.getCause().getMessage().contains("'counter-0'")
                    && failed.getCause().getMessage().contains("died"), failed.getCause().getMessage());

            // A new ask to it fails at once, saying why (not a timeout).
            long asked = System.nanoTime();
            CompletableFuture<Long> late = system.ask(waiting, Count::new, Duration.ofSeconds(30));
            ExecutionException lateFailure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> late.get(30, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, lateFailure.getCause(), lateFailure.getCause().toString());
            assertTrue(lateFailure.getCause().getMessage().contains("'counter-0'")
                    && lateFailure.getCause().getMessage().contains("died"), lateFailure.getCause().getMessage());
            assertTrue(System.nanoTime() - asked < TimeUnit.SECONDS.toNanos(5), "failed at once, not by timeout");

            long deadBefore = system.diagnostics().deadLetters();
            waiting.tell(new Count(null));
            await(() -> system.diagnostics().deadLetters() == deadBefore + 1, Duration.ofSeconds(10),
                    () -> "a tell to the lost actor to be a dead letter");
            for (long i = 2; i <= 20; i++) {
                assertEquals(i, system.ask(alive, Count::new, Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS),
                        "the live worker keeps committing");
            }
            assertEquals(20, total.get());
            assertEquals(1, system.diagnostics().liveActors(), "the lost actor is gone");
            assertEquals(0, iso.workerRestarts());

            // A new actor whose placement picks the dead worker runs on the live one instead (before, it was
            // accepted there: its messages were dead letters and its asks said "being restarted").
            String name = "late-0";
            for (int k = 1; system.config().placement().workerFor(name, 2) != 0; k++) {
                name = "late-" + k;
            }
            ActorRef<Count> replaced = system.spawn(Behaviors.receive((ctx, c) -> {
                c.replyTo().tell(-1L);
                return Behaviors.same();
            }), name);
            assertEquals(-1L, system.ask(replaced, Count::new, Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS),
                    "an actor placed on the dead worker answers from the live one");
            System.out.printf(Locale.ROOT, "RELIABILITY isolated-faults kind=kill-no-restart pendingAskFailedClearly=true "
                    + "newAskFailedMs=%d liveWorkerCommits=20%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked));
        }
    }

    /** Asks a bystander for its sum until it answers: its worker may be restarting (asks fail at once then). */
    static long askSumOnceBack(ActorSystem system, ActorRef<Object> bystander) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                return system.<Object, Long>ask(bystander, Get::new, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (System.nanoTime() - deadline > 0) {
                    fail("'" + bystander.name() + "' never answered again", e);
                }
                Thread.sleep(50);
            }
        }
    }

    /** Never returns (a handler cannot be preempted; only killing its worker ends it). */
    static boolean spinForever() {
        return true;
    }

    @Test
    void aHandlerThatNeverReturnsIsReportedByNameAndItsWorkerIsReplaced() throws Exception {
        try (LogCapture log = new LogCapture();
             ActorSystem system = ActorSystem.create(config("isolated-loop", 2)
                     .handlerTimeout(Duration.ofMillis(200)).build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            ActorRef<Object> neighbour = system.spawn(FaultInjectionTest.bystander(), "neighbour-0"); // with the looper
            ActorRef<Object> bystander = system.spawn(FaultInjectionTest.bystander(), "bystander-1");
            neighbour.tell(new Add(5));
            assertEquals(5, FaultInjectionTest.askSum(system, neighbour));
            ActorRef<Object> looper = system.spawn(Behaviors.receive((ctx, msg) -> {
                while (spinForever()) {
                    Thread.onSpinWait();
                }
                return Behaviors.same();
            }), "looper-0");
            looper.tell(new Spin());
            Thread.sleep(1_000); // five handler timeouts
            for (int i = 1; i <= 100; i++) {
                bystander.tell(new Add(1));
            }
            assertEquals(100, FaultInjectionTest.askSum(system, bystander), "the other worker keeps running");

            // The looper's worker runs one handler thread, now lost for good: kill it; it comes back.
            iso.workerProcess(0).destroyForcibly();
            await(() -> iso.workerRestarts() == 1, Duration.ofSeconds(30), () -> "the restart");
            long sum = askSumOnceBack(system, neighbour);
            assertEquals(5, sum, "the looper's neighbour is back with its committed state");
            assertEquals(3, system.diagnostics().liveActors());
            system.close(); // relays the workers' logs
            String text = log.text();
            assertTrue(text.contains("Actor 'looper-0' has been handling Spin"), "the report names the actor:\n" + text);
            assertTrue(text.contains("died (exit code 137); actors lost: [looper-0, neighbour-0]"),
                    "the dead worker and its actors are reported:\n" + text);
            System.out.printf(Locale.ROOT, "RELIABILITY isolated-faults kind=loop reportedByName=true othersProgressed=true "
                    + "workerReplaced=true%n");
        }
    }

    static Behavior<Object> hog() {
        return Behaviors.receive((ctx, msg) -> {
            List<long[]> hoard = new ArrayList<>();
            while (true) {
                hoard.add(new long[128 * 1024]); // 1 MiB at a time, until the worker's heap is gone
            }
        });
    }

    @Test
    void aHandlerRunningItsWorkerOutOfMemoryIsStoppedAndTheWorkerSurvives() throws Exception {
        try (LogCapture log = new LogCapture();
             ActorSystem system = ActorSystem.create(config("isolated-oom", 2)
                     .workerJvmOptions("-Xmx64m", "-XX:+UseSerialGC").build())) {
            ActorRef<Object> neighbour = system.spawn(FaultInjectionTest.bystander(), "neighbour-0");
            ActorRef<Object> bystander = system.spawn(FaultInjectionTest.bystander(), "bystander-1");
            ActorRef<Object> hog = system.spawn(hog(), "hog-0");
            neighbour.tell(new Add(5));
            hog.tell(new Hog());
            await(() -> system.diagnostics().failures() == 1, Duration.ofSeconds(60), () -> "the hog's failure");
            for (int i = 0; i < 10; i++) {
                neighbour.tell(new Add(1));
                bystander.tell(new Add(1));
            }
            assertEquals(15, FaultInjectionTest.askSum(system, neighbour), "the hog's worker survives");
            assertEquals(10, FaultInjectionTest.askSum(system, bystander));
            await(() -> system.diagnostics().liveActors() == 2, Duration.ofSeconds(10), () -> "the hog to be stopped");
            assertEquals(0, ((IsolatedActorSystem) system).workerRestarts());
            system.close();
            String text = log.text();
            assertTrue(text.contains("Actor 'hog-0' failed handling Hog; stopping"), "the report names the actor:\n" + text);
            assertTrue(text.contains("java.lang.OutOfMemoryError"), "the report says what happened:\n" + text);
            System.out.printf(Locale.ROOT, "RELIABILITY isolated-faults kind=oom exitOnOom=false workerSurvived=true "
                    + "reportedByName=true%n");
        }
    }

    @Test
    void aWorkerThatExitsOnOutOfMemoryIsReportedAndRestartedWithItsActorsCommittedState() throws Exception {
        try (LogCapture log = new LogCapture();
             ActorSystem system = ActorSystem.create(config("isolated-oom-exit", 2)
                     .workerJvmOptions("-Xmx64m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError").build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            ActorRef<Object> neighbour = system.spawn(FaultInjectionTest.bystander(), "neighbour-0");
            ActorRef<Object> bystander = system.spawn(FaultInjectionTest.bystander(), "bystander-1");
            ActorRef<Object> hog = system.spawn(hog(), "hog-0");
            neighbour.tell(new Add(5));
            assertEquals(5, FaultInjectionTest.askSum(system, neighbour));
            hog.tell(new Hog());
            await(() -> iso.workerRestarts() == 1, Duration.ofSeconds(60), () -> "the worker to die and restart");
            bystander.tell(new Add(3));
            assertEquals(3, FaultInjectionTest.askSum(system, bystander), "the other worker never stopped");
            long sum = askSumOnceBack(system, neighbour);
            assertEquals(5, sum, "the neighbour is back with its committed state");
            assertEquals(3, system.diagnostics().liveActors(), "the hog is re-created too (its message died with it)");
            String text = log.text();
            assertTrue(text.contains("Worker process 1 died (exit code 3); actors lost: [hog-0, neighbour-0]"),
                    "the dead worker is reported:\n" + text);
            System.out.printf(Locale.ROOT, "RELIABILITY isolated-faults kind=oom exitOnOom=true workerRestarted=true "
                    + "stateKept=true%n");
        }
    }
}
