package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.actors.SupervisorStrategy;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import io.stmactors.stm.TMap;
import io.stmactors.stm.TRef;
import io.stmactors.stm.TSet;
import io.stmactors.transport.UnregisteredClassException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** What only the isolated-process mode has: serialization failures, big messages, dead workers, files. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class IsolatedModeTest {
    record Registered(String text) {
    }

    record NotRegistered(String text) {
    }

    record Blob(byte[] bytes, ActorRef<Integer> replyTo) {
    }

    record Transfer(int from, int to, long amount) {
    }

    record Inc(ActorRef<Long> replyTo) {
    }

    record Send(ActorRef<Object> to, Object what) {
    }

    /** Two workers: actors named relay* on worker 0, the others on worker 1, so what a relay sends is serialized. */
    private static ActorSystem relayAndSinkSystem() {
        return ActorSystem.create(config(2).placement((name, workers) -> name.startsWith("relay") ? 0 : 1).build());
    }

    /** Counts every message it gets in {@code received}. */
    private static Behavior<Object> countInto(TLong received) {
        return Behaviors.receive((ctx, m) -> {
            received.increment();
            return Behaviors.same();
        });
    }

    private static ActorSystemConfig.Builder config(int workers) {
        return ActorSystemConfig.builder().mode(Mode.ISOLATED_PROCESSES).workers(workers)
                .register(Registered.class, Blob.class, Transfer.class, Inc.class, Send.class)
                .closeTimeout(Duration.ofSeconds(20));
    }

    /**
     * Asks the four {@code actors} in turn, 40 times, and checks that the answers are 1..40 in some
     * order: each answer is the position of its transaction in a serial order.
     */
    private static void assertAnswersOneToForty(ActorSystem system, List<ActorRef<Inc>> actors, String what)
            throws Exception {
        List<Long> seen = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            seen.add(system.ask(actors.get(i % actors.size()), Inc::new, Duration.ofSeconds(60)).get());
        }
        long[] sorted = seen.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] expected = new long[40];
        for (int i = 0; i < 40; i++) {
            expected[i] = i + 1;
        }
        assertArrayEquals(expected, sorted, what);
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    @Test
    void anUnregisteredMessageFailsInTheSenderNamingTheClassAndNothingIsSent() throws Exception {
        TLong received = TLong.of(0);
        // The relay and the sink live in different processes, so the relayed message must be serialized.
        try (ActorSystem system = relayAndSinkSystem()) {
            ActorRef<Object> sink = system.spawn(countInto(received), "sink");
            UnregisteredClassException e = assertThrows(UnregisteredClassException.class,
                    () -> sink.tell(new NotRegistered("x")));
            assertTrue(e.getMessage().contains(NotRegistered.class.getName()), e.getMessage());
            assertTrue(e.getMessage().contains("register"), "the message says how to fix it: " + e.getMessage());

            // Inside a worker's handler: the handler fails, rolls back, and sends nothing.
            ActorRef<Send> relay = system.spawn(Behaviors.supervise(Behaviors.<Send>receive((ctx, s) -> {
                s.to().tell(new Registered("before"));
                s.to().tell("boom".equals(s.what()) ? new NotRegistered("made in the worker") : new Registered("fine"));
                return Behaviors.same();
            })).onFailure(UnregisteredClassException.class, SupervisorStrategy.resume()), "relay-a");
            assertNotEquals(-1, ((IsolatedActorSystem) system).workerOf("relay-a"));
            sink.tell(new Registered("direct"));
            await(() -> received.get() == 1, Duration.ofSeconds(20), "the direct message");
            relay.tell(new Send(sink, "boom"));
            relay.tell(new Send(sink, "ok"));
            await(() -> received.get() >= 3, Duration.ofSeconds(20), "the relayed messages");
            Thread.sleep(300);
            assertEquals(3, received.get(), "the failed handler sent nothing, not even what it sent before failing");
            await(() -> system.diagnostics().failures() == 1, Duration.ofSeconds(20), "the failure to be counted");
        }
    }

    @Test
    void aNewReferenceWhoseValueCannotBeShippedFailsTheHandlerAndNothingIsSent() throws Exception {
        TLong received = TLong.of(0);
        try (ActorSystem system = relayAndSinkSystem()) {
            ActorRef<Object> sink = system.spawn(countInto(received), "sink");
            // A reference made in the handler travels by identity in the message, its value separately, shipped
            // after the handler committed (it wrote no shared reference, so no verdict is awaited). The value is
            // encoded once before the commit, so an unregistered one fails the handler, which rolls back: nothing
            // is sent, the failure is counted, and the actor goes on (it was once left scheduled forever).
            ActorRef<Send> relay = system.spawn(Behaviors.supervise(Behaviors.<Long, Send>withState(0L, (ctx, n, s) -> {
                if (s.what() instanceof ActorRef<?> replyTo) {
                    ((ActorRef<Long>) replyTo).tell(n);
                    return n;
                }
                s.to().tell("share".equals(s.what())
                        ? new Send(null, TRef.of(new NotRegistered("in a new reference")))
                        : new Registered("fine"));
                return n + 1; // messages relayed, as committed
            })).onFailure(Exception.class, SupervisorStrategy.resume()), "relay-b");
            relay.tell(new Send(sink, "share"));
            relay.tell(new Send(sink, "ok"));
            await(() -> received.get() >= 1, Duration.ofSeconds(20), "the message after the failed one");
            await(() -> system.diagnostics().failures() == 1, Duration.ofSeconds(20), "the failure to be counted");
            assertEquals(1L, system.<Send, Long>ask(relay, r -> new Send(null, r), Duration.ofSeconds(20)).get(),
                    "the failed handler rolled back (its new state too), the next one committed");
            Thread.sleep(300);
            assertEquals(1, received.get(), "the failed handler's message was never sent");
        }
    }

    @Test
    void aNewReferenceInTheActorsStateWhoseValueCannotBeShippedFailsTheHandler() throws Exception {
        try (ActorSystem system = ActorSystem.create(config(1).build())) {
            // The state (a registered record) is shipped to the heap owner with the commit; the reference in it is
            // new, so its value travels too: an unregistered value must fail the handler before it commits.
            ActorRef<Send> holder = system.spawn(Behaviors.supervise(Behaviors.<Send, Send>withState(
                    new Send(null, "empty"), (ctx, state, s) -> {
                        if (s.what() instanceof ActorRef<?> replyTo) {
                            ((ActorRef<Object>) replyTo).tell(new Registered(String.valueOf(state.what())));
                            return state;
                        }
                        return "bad".equals(s.what())
                                ? new Send(null, TRef.of(new NotRegistered("in the state")))
                                : new Send(null, s.what());
                    })).onFailure(Exception.class, SupervisorStrategy.resume()), "holder");
            holder.tell(new Send(null, "good"));
            holder.tell(new Send(null, "bad"));
            await(() -> system.diagnostics().failures() == 1, Duration.ofSeconds(20), "the failure to be counted");
            Registered seen = system.<Send, Registered>ask(holder, r -> new Send(null, r), Duration.ofSeconds(20)).get();
            assertEquals("good", seen.text(), "the failed handler's new state was rolled back");
        }
    }

    @Test
    void aBehaviorThatCannotBeShippedFailsAtSpawnInTheCoordinator() {
        AtomicInteger local = new AtomicInteger(); // a plain JVM object: it cannot be shared with a worker
        try (ActorSystem system = ActorSystem.create(config(1).build())) {
            Behavior<String> b = Behaviors.receive((ctx, m) -> {
                local.incrementAndGet();
                return Behaviors.same();
            });
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> system.spawn(b, "counter"));
            assertTrue(e.getMessage().contains("counter"), e.getMessage());
            assertTrue(e.getMessage().contains(AtomicInteger.class.getName()), e.getMessage());
            assertTrue(e.getMessage().contains("register"), e.getMessage());
            assertEquals(0, system.diagnostics().liveActors(), "nothing was spawned, the name is free");
            system.spawn(Behaviors.<String>receive((ctx, m) -> Behaviors.same()), "counter");
        }
    }

    @Test
    void largeMessagesArriveWholeAndOversizedOnesFailClearly() throws Exception {
        try (ActorSystem system = ActorSystem.create(config(1).build())) {
            ActorRef<Blob> checker = system.spawn(Behaviors.receive((ctx, blob) -> {
                int sum = 0;
                for (byte b : blob.bytes()) {
                    sum += b;
                }
                blob.replyTo().tell(sum);
                return Behaviors.same();
            }), "checker");
            byte[] big = new byte[5 * 1024 * 1024]; // larger than one ring record: sent in fragments
            new Random(7).nextBytes(big);
            int expected = 0;
            for (byte b : big) {
                expected += b;
            }
            assertEquals(expected, system.<Blob, Integer>ask(checker, r -> new Blob(big, r), Duration.ofSeconds(60)).get());
            byte[] huge = new byte[65 * 1024 * 1024]; // beyond the 64 MiB message limit
            RuntimeException e = assertThrows(RuntimeException.class, () -> checker.tell(new Blob(huge, null)));
            assertTrue(e.getMessage().contains("maximum message size"), e.getMessage());
        }
    }

    @Test
    void aKilledWorkerLosesNoCommittedStateAndComesBack() throws Exception {
        int accounts = 8;
        TMap<Integer, Long> bank = TMap.named("bank");
        for (int i = 0; i < accounts; i++) {
            bank.put(i, 1_000L);
        }
        try (ActorSystem system = ActorSystem.create(config(2).build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            List<ActorRef<Transfer>> tellers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                tellers.add(system.spawn(Behaviors.receive((ctx, tr) -> {
                    bank.put(tr.from(), bank.get(tr.from()) - tr.amount());
                    bank.put(tr.to(), bank.get(tr.to()) + tr.amount());
                    return Behaviors.same();
                }), "teller-" + t));
            }
            ActorRef<Inc> counter = system.spawn(Behaviors.withState(0L, (ctx, n, inc) -> {
                inc.replyTo().tell(n + 1);
                return n + 1;
            }), "counter");
            int victim = iso.workerOf("counter");
            long acknowledged = 0;
            for (int i = 0; i < 20; i++) {
                acknowledged = system.<Inc, Long>ask(counter, Inc::new, Duration.ofSeconds(20)).get();
            }
            Random rnd = new Random(1);
            Thread load = new Thread(() -> {
                for (int i = 0; i < 3_000; i++) {
                    int from = rnd.nextInt(accounts);
                    tellers.get(i % tellers.size()).tell(new Transfer(from, (from + 1) % accounts, 1 + rnd.nextInt(5)));
                }
            });
            load.start();
            CompletableFuture<Long> pending = system.ask(counter, Inc::new, Duration.ofSeconds(30));
            Process process = iso.workerProcess(victim);
            long pid = process.pid();
            process.destroyForcibly();
            load.join();

            // The committed heap is whole at every moment: transfers commit at the owner or not at all.
            long total = Stm.atomic(() -> {
                long sum = 0;
                for (int i = 0; i < accounts; i++) {
                    sum += bank.get(i);
                }
                return sum;
            });
            assertEquals(accounts * 1_000L, total, "no committed transfer was lost or half-applied");

            // A pending ask to an actor of the dead worker fails clearly (or was answered just before).
            try {
                long answered = pending.get(30, TimeUnit.SECONDS);
                assertTrue(answered > acknowledged);
                acknowledged = answered;
            } catch (ExecutionException e) {
                assertInstanceOf(IllegalStateException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("counter"), e.getCause().getMessage());
            }

            await(() -> iso.workerRestarts() == 1, Duration.ofSeconds(30), "the restart");
            await(() -> iso.workerProcess(victim).pid() != pid && iso.workerProcess(victim).isAlive(),
                    Duration.ofSeconds(30), "a new worker process");
            long after = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (after == 0 && System.nanoTime() < deadline) {
                try {
                    after = system.<Inc, Long>ask(counter, Inc::new, Duration.ofSeconds(5)).get();
                } catch (ExecutionException e) {
                    Thread.sleep(100); // the worker may still be re-creating its actors
                }
            }
            assertTrue(after > acknowledged, "the counter came back with its committed state: acknowledged "
                    + acknowledged + ", next answer " + after);
            total = Stm.atomic(() -> {
                long sum = 0;
                for (int i = 0; i < accounts; i++) {
                    sum += bank.get(i);
                }
                return sum;
            });
            assertEquals(accounts * 1_000L, total);
        }
    }

    @Test
    void closeStopsTheWorkersAndRemovesEveryFile() throws Exception {
        ActorSystem system = ActorSystem.create(config(2).build());
        IsolatedActorSystem iso = (IsolatedActorSystem) system;
        Path dir = iso.directory();
        Process p0 = iso.workerProcess(0);
        Process p1 = iso.workerProcess(1);
        assertTrue(Files.isDirectory(dir));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        system.spawn(Behaviors.<String>receive((ctx, m) -> Behaviors.same()), "idle");
        system.close();
        assertFalse(Files.exists(dir), "the private directory and its ring files are removed");
        assertFalse(p0.isAlive());
        assertFalse(p1.isAlive());
    }

    @Test
    void sharedStructuresAreReadThroughReplicasAndWrittenThroughTheOwner() throws Exception {
        TMap<String, Long> stock = TMap.named("stock");
        for (int i = 0; i < 200; i++) {
            stock.put("item-" + i, 10L);
        }
        try (ActorSystem system = ActorSystem.create(config(2).build())) {
            List<ActorRef<Inc>> buyers = new ArrayList<>();
            for (int b = 0; b < 4; b++) {
                buyers.add(system.spawn(Behaviors.receive((ctx, inc) -> {
                    long total = 0;
                    for (int i = 0; i < 200; i++) {
                        total += stock.get("item-" + i);
                    }
                    stock.merge("item-" + (total % 200), -1L, Long::sum);
                    inc.replyTo().tell(total);
                    return Behaviors.same();
                }), "buyer-" + b));
            }
            List<CompletableFuture<Long>> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                answers.add(system.ask(buyers.get(i % 4), Inc::new, Duration.ofSeconds(60)));
            }
            List<Long> seen = new ArrayList<>();
            for (CompletableFuture<Long> f : answers) {
                seen.add(f.get());
            }
            long left = 0;
            for (int i = 0; i < 200; i++) {
                left += stock.get("item-" + i);
            }
            assertEquals(2_000 - 40, left, "every purchase committed exactly once");
            long[] sorted = seen.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] expected = new long[40];
            for (int i = 0; i < 40; i++) {
                expected[i] = 2_000 - 39 + i;
            }
            assertArrayEquals(expected, sorted, "each buyer saw a consistent total: serializable purchases");
        }
    }
    @Test
    void entriesInsertedInWorkersReachTheOwnerAndCanBeReplacedAnywhere() throws Exception {
        TMap<String, Long> orders = TMap.named("orders");
        orders.put("seed", 0L);
        try (ActorSystem system = ActorSystem.create(config(2).build())) {
            List<ActorRef<Inc>> clerks = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                clerks.add(system.spawn(Behaviors.receive((ctx, inc) -> {
                    long n = orders.size(); // every insertion conflicts with this read: keys stay distinct
                    orders.put("order-" + n, n);
                    orders.put("order-" + n, 10 * n); // replaced in the same transaction
                    if (n > 1) {
                        orders.merge("order-" + (n - 1), 1L, Long::sum); // an entry another clerk inserted
                    }
                    inc.replyTo().tell(n);
                    return Behaviors.same();
                }), "clerk-" + c));
            }
            assertAnswersOneToForty(system, clerks, "each insertion saw the size left by the one before");
            assertEquals(41, orders.size());
            for (long n = 1; n <= 40; n++) {
                long want = 10 * n + (n < 40 ? 1 : 0); // each but the last was merged into by the next
                assertEquals(want, orders.get("order-" + n), "order-" + n);
            }
            orders.put("order-40", 7L); // the owner replaces an entry a worker created
            assertEquals(7L, orders.get("order-40"));
        }
    }

    @Test
    void aSetIsSharedBetweenWorkersAndTheOwner() throws Exception {
        // A TSet's entries share one cell per process: elements added in one worker must be seen,
        // removed and re-checked in the other worker and in the owner like any other entry.
        TSet<String> members = TSet.named("members");
        members.addAll(List.of("a", "b", "c"));
        TLong next = TLong.named("next", 0);
        try (ActorSystem system = ActorSystem.create(config(2).build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            List<ActorRef<Inc>> joiners = new ArrayList<>();
            for (int j = 0; j < 4; j++) {
                joiners.add(system.spawn(Behaviors.receive((ctx, inc) -> {
                    long n = next.incrementAndGet(); // serializes the joiners: each sees the one before
                    boolean ok = !members.contains("m-" + n) && members.add("m-" + n) && members.contains("m-" + n);
                    if (n > 1) {
                        ok &= members.contains("m-" + (n - 1)); // added by another joiner, maybe in the other worker
                    }
                    if (n % 3 == 0) {
                        ok &= members.remove("m-" + (n - 1));
                    }
                    if (n == 1) {
                        ok &= members.remove("b"); // added by the owner
                    }
                    inc.replyTo().tell(ok ? n : -n);
                    return Behaviors.same();
                }), "joiner-" + j));
            }
            Set<Integer> workers = new HashSet<>();
            for (int j = 0; j < 4; j++) {
                workers.add(iso.workerOf("joiner-" + j));
            }
            assertEquals(2, workers.size(), "the joiners span both workers");
            assertAnswersOneToForty(system, joiners, "every joiner saw the set left by the one before (negative: a check failed)");

            Set<String> want = new HashSet<>(List.of("a", "c"));
            for (int n = 1; n <= 40; n++) {
                want.add("m-" + n);
                if (n % 3 == 0) {
                    want.remove("m-" + (n - 1));
                }
            }
            assertEquals(want, members);
            assertEquals(want, new HashSet<>(members), "iteration in the owner");
            assertEquals(want.size(), members.size());

            assertTrue(members.remove("m-40"), "the owner removes an element a worker added");
            assertTrue(members.add("z"));
            int size = want.size();
            // The owner has iterated the set above, which made its map's views: they stay behind
            // (they made the set impossible to ship before they were transient).
            ActorRef<Inc> checker = system.spawn(Behaviors.receive((ctx, inc) -> {
                boolean ok = !members.contains("m-40") && members.contains("z") && members.contains("m-39")
                        && members.size() == size && !members.add("a") && members.add("m-40");
                inc.replyTo().tell(ok ? 1L : 0L);
                return Behaviors.same();
            }), "checker");
            assertEquals(1L, system.ask(checker, Inc::new, Duration.ofSeconds(60)).get(),
                    "a worker sees the owner's removal and addition");
            assertTrue(members.contains("m-40"), "and the owner sees the worker's");
            assertEquals(size + 1, members.size());
        }
    }
}
