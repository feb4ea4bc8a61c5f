package io.stmactors.actors.reliability;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.actors.isolated.IsolatedActorSystem;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import io.stmactors.stm.internal.ConflictLog;
import io.stmactors.stm.internal.ThreadSlots;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import static io.stmactors.actors.reliability.ReliabilityModes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Soak: a mixed workload for {@code stmactors.soak.seconds} per mode (default 36, in three phases; the
 * isolated-process mode runs {@code stmactors.soak.isolated.seconds}, default half as long), with an
 * independent checker after every phase.
 *
 * <p>Workload, from two driver threads (new threads each phase, so thread slots must be reclaimed):
 * bank transfers between account actors (the withdrawing handler sends the deposit, delivered only if it
 * commits); transfers between {@code TLong}s, from drivers directly and from inside handlers; per-sender
 * sequence-numbered increments of a counter actor; asks to an echo actor; spawns of short-lived children
 * that handle one message and reply, whereupon their parent stops them, watches them terminate and then
 * sends them a late message (a dead letter by design). What the handlers count is on the shared heap
 * ({@link Ledger}): in {@code ISOLATED_PROCESSES} they run in worker JVMs, and their counts commit with them
 * at the heap owner.
 *
 * <p>Checker, after the phase drained: money conserved in both banks (asked from the actors, read in one
 * transaction from the heap); every counted message handled exactly once (sent by the drivers and by
 * committed handlers minus handled by committed handlers, read in one transaction, must reach zero and not
 * go below) and in order per sender (sequence numbers, checked in the handler and at the end); every ask
 * answered with its own value; no actor leaked ({@code liveActors()} back to the long-lived ones); dead
 * letters equal to the late messages sent; the STM conflict table within its cap; thread slots back to
 * where they were (but for the descriptor cache); retained heap flat. In {@code ISOLATED_PROCESSES} also the
 * coordinator's and workers' tables ({@link IsolatedActorSystem#tables()}): the heap owner's reference table
 * the same size after every phase, no ask or watch left pending, no worker restarted.
 *
 * <p>Prints {@code RELIABILITY soak mode=... } lines with the figures. Run longer:
 * {@code mvn -B -pl actors -am verify -Dtest=SoakTest -Dstmactors.soak.seconds=600}; one mode:
 * {@code -Dstmactors.modes=ISOLATED_PROCESSES}.
 */
@Tag("soak")
@Timeout(value = 30, unit = TimeUnit.MINUTES) // the phases are bounded; this only guards a hang in close()
class SoakTest {
    static final int ACCOUNTS = 8;
    static final long INITIAL = 1_000;
    static final int HEAP_ACCOUNTS = 16;
    static final int DRIVERS = 2;
    static final int PHASES = 3;
    static final long MAX_IN_FLIGHT = 20_000;

    // ---- messages
    record Transfer(long amount, ActorRef<Object> to) {
    }

    record Deposit(long amount) {
    }

    record HeapTransfer(int from, int to, long amount) {
    }

    record GetBalance(ActorRef<Long> replyTo) {
    }

    record Inc(int sender, long seq) {
    }

    record GetCount(ActorRef<long[]> replyTo) {
    }

    record Ping(long value, ActorRef<Long> replyTo) {
    }

    record SpawnChild(long n) {
    }

    record Work(long n, ActorRef<Object> replyTo) {
    }

    record Done(ActorRef<Object> child) {
    }

    record Late() {
    }

    record ChildGone(ActorRef<Object> child) {
    }

    /** Who counts in {@link Ledger#handled} and {@link Ledger#sent}: the accounts, then these. */
    static final int COUNTER = ACCOUNTS;
    static final int SPAWNER = ACCOUNTS + 1;
    static final int CHILDREN = ACCOUNTS + 2;
    static final int COUNTING = ACCOUNTS + 3;

    /**
     * What the actors count, on the shared heap: in {@code ISOLATED_PROCESSES} the handlers run in worker
     * processes, so a plain counter (or an after-commit hook) would count there; a {@code TLong} written by
     * the handler commits with it at the heap owner, and the checker reads them all in one coordinator
     * transaction. One pair of counters per counting actor (the children share theirs), so handlers of
     * different actors do not conflict over them.
     */
    record Ledger(TLong[] heap, TLong[] lastSeq, TLong count, TLong seqViolations, TLong[] handled, TLong[] sent,
                  TLong spawned, TLong lateSent) {
        static Ledger create() {
            return new Ledger(tlongs("soak-heap-", HEAP_ACCOUNTS, INITIAL), tlongs("soak-last-seq-", DRIVERS, 0),
                    TLong.named("soak-count", 0), TLong.named("soak-seq-violations", 0),
                    tlongs("soak-handled-", COUNTING, 0), tlongs("soak-sent-", COUNTING, 0),
                    TLong.named("soak-spawned", 0), TLong.named("soak-late-sent", 0));
        }

        private static TLong[] tlongs(String prefix, int n, long initial) {
            TLong[] out = new TLong[n];
            for (int i = 0; i < n; i++) {
                out[i] = TLong.named(prefix + i, initial);
            }
            return out;
        }

        /** A counted message handled by {@code who}: counted if (when) the handler commits. */
        void handledBy(int who) {
            handled[who].increment();
        }

        /** A counted send from a handler of {@code who}: counted if (when) the handler commits. */
        void sentBy(int who) {
            sent[who].increment();
        }

        void heapTransfer(int from, int to, long amount) {
            if (heap[from].get() >= amount) {
                heap[from].add(-amount);
                heap[to].add(amount);
            }
        }

        /** Counted messages sent and not handled (committed) yet, given what the drivers sent: must reach 0. */
        long inFlight(long sentByDrivers) {
            return Stm.atomic("soak-checker", () -> {
                long n = sentByDrivers;
                for (int i = 0; i < COUNTING; i++) {
                    n += sent[i].get() - handled[i].get();
                }
                return n;
            });
        }

        long handledTotal() {
            return Stm.atomic("soak-checker", () -> {
                long n = 0;
                for (TLong t : handled) {
                    n += t.get();
                }
                return n;
            });
        }
    }

    /** What the driver threads count (in this JVM: only the behaviors travel to worker processes). */
    static final class Drivers {
        /** Counted messages sent by the drivers (to the accounts, the counter, the spawner). */
        final AtomicLong sent = new AtomicLong();
        final LongAdder asks = new LongAdder();
        final LongAdder heapTransfers = new LongAdder();
        final long[] sentSeq = new long[DRIVERS];
    }

    static final Class<?>[] TYPES = {Transfer.class, Deposit.class, HeapTransfer.class, GetBalance.class, Inc.class,
            GetCount.class, Ping.class, SpawnChild.class, Work.class, Done.class, Late.class, ChildGone.class,
            Ledger.class};

    static Behavior<Object> account(Ledger books, int me) {
        return Behaviors.withState(INITIAL, (ctx, balance, msg) -> {
            if (msg instanceof Transfer t) {
                books.handledBy(me);
                if (balance < t.amount()) {
                    return balance;
                }
                books.sentBy(me);
                t.to().tell(new Deposit(t.amount()));
                return balance - t.amount();
            }
            if (msg instanceof Deposit d) {
                books.handledBy(me);
                return balance + d.amount();
            }
            if (msg instanceof HeapTransfer h) {
                books.handledBy(me);
                books.heapTransfer(h.from(), h.to(), h.amount());
                return balance;
            }
            ((GetBalance) msg).replyTo().tell(balance);
            return balance;
        });
    }

    static Behavior<Object> counter(Ledger books) {
        return Behaviors.receive((ctx, msg) -> {
            if (msg instanceof Inc inc) {
                books.handledBy(COUNTER);
                TLong last = books.lastSeq()[inc.sender()];
                if (inc.seq() != last.get() + 1) {
                    books.seqViolations().increment(); // lost, duplicated or reordered
                }
                last.set(inc.seq());
                books.count().increment();
            } else {
                long[] snapshot = new long[DRIVERS + 2];
                snapshot[0] = books.count().get();
                snapshot[1] = books.seqViolations().get();
                for (int i = 0; i < DRIVERS; i++) {
                    snapshot[2 + i] = books.lastSeq()[i].get();
                }
                ((GetCount) msg).replyTo().tell(snapshot);
            }
            return Behaviors.same();
        });
    }

    static Behavior<Object> echo() {
        return Behaviors.receive((ctx, msg) -> {
            Ping p = (Ping) msg;
            p.replyTo().tell(p.value());
            return Behaviors.same();
        });
    }

    static Behavior<Object> child(Ledger books) {
        return Behaviors.receive((ctx, msg) -> {
            Work w = (Work) msg;
            books.handledBy(CHILDREN);
            books.sentBy(CHILDREN);
            w.replyTo().tell(new Done(ctx.self()));
            return Behaviors.same(); // the parent stops it (self-stop is DeadLetterAccountingTest's subject)
        });
    }

    static Behavior<Object> spawner(Ledger books) {
        return Behaviors.receive((ctx, msg) -> {
            if (!(msg instanceof ChildGone)) {
                books.handledBy(SPAWNER);
            }
            if (msg instanceof SpawnChild s) {
                ActorRef<Object> c = ctx.spawn(child(books), "child-" + s.n());
                books.sentBy(SPAWNER);
                c.tell(new Work(s.n(), ctx.self()));
                books.spawned().increment();
            } else if (msg instanceof Done d) {
                ctx.watchWith(d.child(), new ChildGone(d.child()));
                ctx.stop(d.child());
            } else {
                // The child has stopped: a late message to it is a dead letter. (Sent right after the stop
                // request instead, it races the child's stop; see RELIABILITY.md, F6.)
                ((ChildGone) msg).child().tell(new Late());
                books.lateSent().increment();
            }
            return Behaviors.same();
        });
    }

    static java.util.stream.Stream<Mode> modes() {
        return ReliabilityModes.modes();
    }

    /** Seconds for {@code mode}: the isolated mode runs half as long by default (worker JVMs, slower messages). */
    static int secondsFor(Mode mode) {
        int seconds = ReliabilityModes.seconds("stmactors.soak.seconds", 36);
        return mode == Mode.ISOLATED_PROCESSES ? ReliabilityModes.seconds("stmactors.soak.isolated.seconds",
                Math.max(PHASES, seconds / 2)) : seconds;
    }

    @ParameterizedTest
    @MethodSource("modes")
    void mixedWorkloadKeepsEveryInvariant(Mode mode) throws Exception {
        int seconds = secondsFor(mode);
        long phaseNanos = TimeUnit.SECONDS.toNanos(Math.max(1, seconds / PHASES));
        Ledger books = Ledger.create();
        Drivers driven = new Drivers();
        long commitsBefore = Stm.diagnostics().commits();
        long started = System.nanoTime();
        try (ActorSystem system = ReliabilityModes.system(mode, "soak-" + mode, 2, TYPES)) {
            List<ActorRef<Object>> accounts = new ArrayList<>();
            for (int i = 0; i < ACCOUNTS; i++) {
                accounts.add(system.spawn(account(books, i), "account-" + i));
            }
            ActorRef<Object> counter = system.spawn(counter(books), "counter");
            ActorRef<Object> echo = system.spawn(echo(), "echo");
            ActorRef<Object> spawner = system.spawn(spawner(books), "spawner");
            int longLived = ACCOUNTS + 3;
            await(() -> system.diagnostics().liveActors() == longLived, Duration.ofSeconds(10), () -> "actors to start");

            long deadLettersBefore = system.diagnostics().deadLetters();
            int slotsBaseline = -1;
            int threadsBaseline = -1;
            long heapBaseline = -1;
            IsolatedActorSystem.Tables tablesBaseline = null;
            AtomicLong childNames = new AtomicLong();
            for (int phase = 1; phase <= PHASES; phase++) {
                long deadline = System.nanoTime() + phaseNanos;
                AtomicReference<Throwable> driverFailure = new AtomicReference<>();
                List<Thread> drivers = new ArrayList<>();
                for (int d = 0; d < DRIVERS; d++) {
                    int id = d;
                    long seed = 31L * phase + d;
                    Thread t = new Thread(() -> {
                        try {
                            drive(id, seed, deadline, books, driven, accounts, counter, echo, spawner, system, childNames);
                        } catch (Throwable e) {
                            driverFailure.compareAndSet(null, e);
                        }
                    }, "soak-driver-" + phase + "-" + d);
                    drivers.add(t);
                    t.start();
                }
                for (Thread t : drivers) {
                    t.join(TimeUnit.SECONDS.toMillis(seconds + 120L));
                    assertTrue(!t.isAlive(), "driver " + t.getName() + " did not finish");
                }
                if (driverFailure.get() != null) {
                    throw new AssertionError("driver failed in phase " + phase, driverFailure.get());
                }

                // ---- checker
                long sentByDrivers = driven.sent.get();
                await(() -> books.inFlight(sentByDrivers) <= 0, Duration.ofSeconds(60),
                        () -> books.inFlight(sentByDrivers) + " counted messages never handled (lost or stuck); "
                                + system.diagnostics().report());
                assertEquals(0, books.inFlight(sentByDrivers), "a message was handled more often than sent");
                long money = 0;
                for (ActorRef<Object> a : accounts) {
                    money += system.<Object, Long>ask(a, GetBalance::new, Duration.ofSeconds(30)).get(60, TimeUnit.SECONDS);
                }
                assertEquals(ACCOUNTS * INITIAL, money, "money conserved between account actors (phase " + phase + ")");
                long heapMoney = Stm.atomic(() -> {
                    long sum = 0;
                    for (TLong t : books.heap()) {
                        sum += t.get();
                    }
                    return sum;
                });
                assertEquals(HEAP_ACCOUNTS * INITIAL, heapMoney, "money conserved between TLongs (phase " + phase + ")");
                long[] counts = system.<Object, long[]>ask(counter, GetCount::new, Duration.ofSeconds(30))
                        .get(60, TimeUnit.SECONDS);
                assertEquals(0, counts[1], "increments lost, duplicated or out of order per sender");
                long expectedCount = 0;
                for (int d = 0; d < DRIVERS; d++) {
                    assertEquals(driven.sentSeq[d], counts[2 + d], "last sequence number of sender " + d);
                    expectedCount += driven.sentSeq[d];
                }
                assertEquals(expectedCount, counts[0], "increments handled exactly once");
                await(() -> system.diagnostics().liveActors() == longLived, Duration.ofSeconds(30),
                        () -> "short-lived actors to be gone: " + system.diagnostics().liveActors() + " live, "
                                + longLived + " expected");
                long lateSent = books.lateSent().get();
                await(() -> system.diagnostics().deadLetters() - deadLettersBefore == lateSent,
                        Duration.ofSeconds(30), () -> "dead letters " + (system.diagnostics().deadLetters()
                                - deadLettersBefore) + " to equal late messages " + lateSent);
                int conflictRows = Stm.diagnostics().conflicts().size();
                assertTrue(conflictRows <= ConflictLog.MAX_ENTRIES + 1, "conflict table over its cap: " + conflictRows);

                int slots = settledSlots();
                int threads = ManagementFactory.getThreadMXBean().getThreadCount();
                long heap = settledHeap();
                IsolatedActorSystem.Tables tables = system instanceof IsolatedActorSystem iso ? iso.tables() : null;
                if (phase == 1) {
                    slotsBaseline = slots;
                    threadsBaseline = threads;
                    heapBaseline = heap;
                    tablesBaseline = tables;
                } else {
                    // Slots are per thread, not per transaction or message: they may grow only by the driver
                    // threads of the ended phases (the STM's direct-mapped descriptor cache keeps up to 256 ended
                    // threads' descriptors, and their slots, until later threads take their entries) and by
                    // threads that are alive now (other tests' pools growing or winding down).
                    int allowed = slotsBaseline + DRIVERS * (phase - 1) + Math.max(0, threads - threadsBaseline) + 1;
                    assertTrue(slots <= allowed, "thread slots grow: " + slotsBaseline + " -> " + slots
                            + " (at most " + allowed + "), live threads " + threadsBaseline + " -> " + threads);
                    assertTrue(heap <= heapBaseline + 64L * 1024 * 1024,
                            "retained heap grows: " + heapBaseline / 1024 + " KiB -> " + heap / 1024 + " KiB");
                }
                if (tables != null) {
                    checkTables(phase, tables, tablesBaseline, longLived);
                }
                System.out.printf(Locale.ROOT, "RELIABILITY soak mode=%s phase=%d handled=%d asks=%d spawned=%d "
                                + "deadLetters=%d heapTransfers=%d conflictRows=%d slots=%d heapKiB=%d%s%n%s",
                        mode, phase, books.handledTotal(), driven.asks.sum(), books.spawned().get(),
                        system.diagnostics().deadLetters() - deadLettersBefore, driven.heapTransfers.sum(),
                        conflictRows, slots, heap / 1024, tables == null ? "" : " " + tables,
                        System.getProperty("stmactors.soak.report") != null ? system.diagnostics().report() : "");
            }
            long transactions = Stm.diagnostics().commits() - commitsBefore
                    + (mode == Mode.ISOLATED_PROCESSES ? system.diagnostics().commits() : 0);
            System.out.printf(Locale.ROOT, "RELIABILITY soak mode=%s seconds=%d phases=%d messages=%d transactions=%d "
                            + "asks=%d spawned=%d deadLetters=%d violations=0%n",
                    mode, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), PHASES,
                    system.diagnostics().messagesProcessed(), transactions, driven.asks.sum(), books.spawned().get(),
                    system.diagnostics().deadLetters() - deadLettersBefore);
        }
    }

    /**
     * The isolated mode's own tables, once a phase drained: the heap owner's reference table does not grow (the
     * workload creates no reference after the start), no ask or watch is left pending, every worker holds at
     * most the references there are, and no worker was restarted.
     */
    private static void checkTables(int phase, IsolatedActorSystem.Tables now, IsolatedActorSystem.Tables first,
                                    int longLived) {
        assertEquals(first.sharedReferences(), now.sharedReferences(),
                "heap owner's reference table changed between phases: " + first + " -> " + now);
        assertEquals(longLived, now.actors(), "actor registry (phase " + phase + "): " + now);
        assertEquals(0, now.watches(), "watches left in the coordinator (phase " + phase + "): " + now);
        assertEquals(0, now.pendingAsks(), "asks left pending in the coordinator (phase " + phase + "): " + now);
        assertEquals(0, now.workerPendingAsks(), "asks left pending in the workers (phase " + phase + "): " + now);
        assertTrue(now.workerReplicas() <= 2L * now.sharedReferences(),
                "workers hold more replicas than there are shared references: " + now);
        assertEquals(0, now.workerRestarts(), "a worker was restarted: " + now);
    }

    /** One driver thread: a random mix of operations until the deadline, with bounded in-flight messages. */
    private static void drive(int id, long seed, long deadline, Ledger books, Drivers driven,
                              List<ActorRef<Object>> accounts, ActorRef<Object> counter, ActorRef<Object> echo,
                              ActorRef<Object> spawner, ActorSystem system, AtomicLong childNames) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        int ops = 0;
        while (System.nanoTime() - deadline < 0) {
            if (++ops % 256 == 0) {
                while (books.inFlight(driven.sent.get()) > MAX_IN_FLIGHT && System.nanoTime() - deadline < 0) {
                    Thread.sleep(1); // let the actors catch up: the soak measures survival, not queues
                }
            }
            int r = random.nextInt(100);
            if (r < 35) {
                ActorRef<Object> from = accounts.get(random.nextInt(ACCOUNTS));
                ActorRef<Object> to = accounts.get(random.nextInt(ACCOUNTS));
                driven.sent.incrementAndGet();
                from.tell(new Transfer(1 + random.nextInt(50), to));
            } else if (r < 55) {
                long seq = ++driven.sentSeq[id];
                driven.sent.incrementAndGet();
                counter.tell(new Inc(id, seq));
            } else if (r < 75) {
                int a = random.nextInt(HEAP_ACCOUNTS);
                int b = random.nextInt(HEAP_ACCOUNTS);
                long amount = 1 + random.nextInt(50);
                Stm.atomic("soak-heap-transfer", () -> books.heapTransfer(a, b, amount));
                driven.heapTransfers.increment();
            } else if (r < 88) {
                driven.sent.incrementAndGet();
                accounts.get(random.nextInt(ACCOUNTS)).tell(new HeapTransfer(random.nextInt(HEAP_ACCOUNTS),
                        random.nextInt(HEAP_ACCOUNTS), 1 + random.nextInt(50)));
            } else if (r < 94) {
                long value = random.nextLong();
                CompletableFuture<Long> reply = system.ask(echo, replyTo -> new Ping(value, replyTo), Duration.ofSeconds(30));
                assertEquals(value, reply.get(60, TimeUnit.SECONDS), "ask answered with another ask's value");
                driven.asks.increment();
            } else {
                driven.sent.incrementAndGet();
                spawner.tell(new SpawnChild(childNames.incrementAndGet()));
            }
        }
    }

    /** Thread slots in use once the collector has freed those of ended threads (bounded wait). */
    static int settledSlots() throws InterruptedException {
        int slots = ThreadSlots.inUse();
        for (int i = 0; i < 20; i++) {
            System.gc();
            Thread.sleep(50);
            int now = ThreadSlots.inUse();
            if (now == slots) {
                return now;
            }
            slots = now;
        }
        return slots;
    }

    /** Heap in use after a few collections. */
    static long settledHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
