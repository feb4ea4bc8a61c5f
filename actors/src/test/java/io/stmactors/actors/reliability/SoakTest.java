package io.stmactors.actors.reliability;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
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
 * Soak: a mixed workload for {@code stmactors.soak.seconds} per mode (default 36, in three phases), with an
 * independent checker after every phase.
 *
 * <p>Workload, from two driver threads (new threads each phase, so thread slots must be reclaimed):
 * bank transfers between account actors (the withdrawing handler sends the deposit, delivered only if it
 * commits); transfers between {@code TLong}s, from drivers directly and from inside handlers; per-sender
 * sequence-numbered increments of a counter actor; asks to an echo actor; spawns of short-lived children
 * that handle one message and reply, whereupon their parent stops them, watches them terminate and then
 * sends them a late message (a dead letter by design).
 *
 * <p>Checker, after the phase drained: money conserved in both banks (asked from the actors, read in one
 * transaction from the heap); every counted message handled exactly once (an in-flight count that must
 * reach zero, never below) and in order per sender (sequence numbers, checked in the handler and at the
 * end); every ask answered with its own value; no actor leaked ({@code liveActors()} back to the
 * long-lived ones); dead letters equal to the late messages sent; the STM conflict table within its cap;
 * thread slots back to where they were; retained heap flat.
 *
 * <p>Prints {@code RELIABILITY soak mode=... } lines with the figures. Run longer:
 * {@code mvn -B -pl actors -am verify -Dtest=SoakTest -Dstmactors.soak.seconds=600}.
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

    static final Class<?>[] TYPES = {Transfer.class, Deposit.class, HeapTransfer.class, GetBalance.class, Inc.class,
            GetCount.class, Ping.class, SpawnChild.class, Work.class, Done.class, Late.class, ChildGone.class};

    /** What the workload and the checker share for one mode. */
    static final class Books {
        final TLong[] heap = new TLong[HEAP_ACCOUNTS];
        final TLong[] lastSeq = new TLong[DRIVERS];
        final TLong count = TLong.named("soak-count", 0);
        final TLong seqViolations = TLong.named("soak-seq-violations", 0);
        /** Counted messages sent and not yet handled (committed). Must reach 0 and never go below. */
        final AtomicLong inFlight = new AtomicLong();
        final AtomicLong minInFlight = new AtomicLong();
        final LongAdder handled = new LongAdder();
        final LongAdder lateSent = new LongAdder();
        final LongAdder spawned = new LongAdder();
        final LongAdder asks = new LongAdder();
        final LongAdder heapTransfers = new LongAdder();
        final long[] sentSeq = new long[DRIVERS];

        Books() {
            for (int i = 0; i < HEAP_ACCOUNTS; i++) {
                heap[i] = TLong.named("soak-heap-" + i, INITIAL);
            }
            for (int i = 0; i < DRIVERS; i++) {
                lastSeq[i] = TLong.named("soak-last-seq-" + i, 0);
            }
        }

        /** A counted send from inside a handler: counted when (if) the handler commits. */
        void sentInHandler() {
            Stm.afterCommit(inFlight::incrementAndGet);
        }

        /** A counted message handled: counted when (if) the handler commits. */
        void handledInHandler() {
            Stm.afterCommit(() -> {
                handled.increment();
                long now = inFlight.decrementAndGet();
                minInFlight.accumulateAndGet(now, Math::min);
            });
        }

        void heapTransfer(int from, int to, long amount) {
            if (heap[from].get() >= amount) {
                heap[from].add(-amount);
                heap[to].add(amount);
            }
        }
    }

    static Behavior<Object> account(Books books) {
        return Behaviors.withState(INITIAL, (ctx, balance, msg) -> {
            if (msg instanceof Transfer t) {
                books.handledInHandler();
                if (balance < t.amount()) {
                    return balance;
                }
                books.sentInHandler();
                t.to().tell(new Deposit(t.amount()));
                return balance - t.amount();
            }
            if (msg instanceof Deposit d) {
                books.handledInHandler();
                return balance + d.amount();
            }
            if (msg instanceof HeapTransfer h) {
                books.handledInHandler();
                books.heapTransfer(h.from(), h.to(), h.amount());
                return balance;
            }
            ((GetBalance) msg).replyTo().tell(balance);
            return balance;
        });
    }

    static Behavior<Object> counter(Books books) {
        return Behaviors.receive((ctx, msg) -> {
            if (msg instanceof Inc inc) {
                books.handledInHandler();
                TLong last = books.lastSeq[inc.sender()];
                if (inc.seq() != last.get() + 1) {
                    books.seqViolations.increment(); // lost, duplicated or reordered
                }
                last.set(inc.seq());
                books.count.increment();
            } else {
                long[] snapshot = new long[DRIVERS + 2];
                snapshot[0] = books.count.get();
                snapshot[1] = books.seqViolations.get();
                for (int i = 0; i < DRIVERS; i++) {
                    snapshot[2 + i] = books.lastSeq[i].get();
                }
                ((GetCount) msg).replyTo().tell(snapshot);
            }
            return Behaviors.same();
        });
    }

    static Behavior<Object> echo(Books books) {
        return Behaviors.receive((ctx, msg) -> {
            Ping p = (Ping) msg;
            p.replyTo().tell(p.value());
            return Behaviors.same();
        });
    }

    static Behavior<Object> child(Books books) {
        return Behaviors.receive((ctx, msg) -> {
            Work w = (Work) msg;
            books.handledInHandler();
            books.sentInHandler();
            w.replyTo().tell(new Done(ctx.self()));
            return Behaviors.same(); // the parent stops it (self-stop is DeadLetterAccountingTest's subject)
        });
    }

    static Behavior<Object> spawner(Books books) {
        return Behaviors.receive((ctx, msg) -> {
            if (!(msg instanceof ChildGone)) {
                books.handledInHandler();
            }
            if (msg instanceof SpawnChild s) {
                ActorRef<Object> c = ctx.spawn(child(books), "child-" + s.n());
                books.sentInHandler();
                c.tell(new Work(s.n(), ctx.self()));
                Stm.afterCommit(books.spawned::increment);
            } else if (msg instanceof Done d) {
                ctx.watchWith(d.child(), new ChildGone(d.child()));
                ctx.stop(d.child());
            } else {
                // The child has stopped: a late message to it is a dead letter. (Sent right after the stop
                // request instead, it races the child's stop; see RELIABILITY.md, F6.)
                ((ChildGone) msg).child().tell(new Late());
                Stm.afterCommit(books.lateSent::increment);
            }
            return Behaviors.same();
        });
    }

    static java.util.stream.Stream<Mode> modes() {
        return ReliabilityModes.modes();
    }

    @ParameterizedTest
    @MethodSource("modes")
    void mixedWorkloadKeepsEveryInvariant(Mode mode) throws Exception {
        int seconds = ReliabilityModes.seconds("stmactors.soak.seconds", 36);
        long phaseNanos = TimeUnit.SECONDS.toNanos(Math.max(1, seconds / PHASES));
        Books books = new Books();
        long commitsBefore = Stm.diagnostics().commits();
        long started = System.nanoTime();
        try (ActorSystem system = ReliabilityModes.system(mode, "soak-" + mode, 2, TYPES)) {
            List<ActorRef<Object>> accounts = new ArrayList<>();
            for (int i = 0; i < ACCOUNTS; i++) {
                accounts.add(system.spawn(account(books), "account-" + i));
            }
            ActorRef<Object> counter = system.spawn(counter(books), "counter");
            ActorRef<Object> echo = system.spawn(echo(books), "echo");
            ActorRef<Object> spawner = system.spawn(spawner(books), "spawner");
            int longLived = ACCOUNTS + 3;
            await(() -> system.diagnostics().liveActors() == longLived, Duration.ofSeconds(10), () -> "actors to start");

            long deadLettersBefore = system.diagnostics().deadLetters();
            int slotsBaseline = -1;
            int threadsBaseline = -1;
            long heapBaseline = -1;
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
                            drive(id, seed, deadline, books, accounts, counter, echo, spawner, system, childNames);
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
                await(() -> books.inFlight.get() == 0, Duration.ofSeconds(60),
                        () -> books.inFlight.get() + " counted messages never handled (lost or stuck); "
                                + system.diagnostics().report());
                assertTrue(books.minInFlight.get() >= 0, "a message was handled more often than sent");
                long money = 0;
                for (ActorRef<Object> a : accounts) {
                    money += system.<Object, Long>ask(a, GetBalance::new, Duration.ofSeconds(30)).get(60, TimeUnit.SECONDS);
                }
                assertEquals(ACCOUNTS * INITIAL, money, "money conserved between account actors (phase " + phase + ")");
                long heapMoney = Stm.atomic(() -> {
                    long sum = 0;
                    for (TLong t : books.heap) {
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
                    assertEquals(books.sentSeq[d], counts[2 + d], "last sequence number of sender " + d);
                    expectedCount += books.sentSeq[d];
                }
                assertEquals(expectedCount, counts[0], "increments handled exactly once");
                await(() -> system.diagnostics().liveActors() == longLived, Duration.ofSeconds(30),
                        () -> "short-lived actors to be gone: " + system.diagnostics().liveActors() + " live, "
                                + longLived + " expected");
                await(() -> system.diagnostics().deadLetters() - deadLettersBefore == books.lateSent.sum(),
                        Duration.ofSeconds(30), () -> "dead letters " + (system.diagnostics().deadLetters()
                                - deadLettersBefore) + " to equal late messages " + books.lateSent.sum());
                int conflictRows = Stm.diagnostics().conflicts().size();
                assertTrue(conflictRows <= ConflictLog.MAX_ENTRIES + 1, "conflict table over its cap: " + conflictRows);

                int slots = settledSlots();
                int threads = ManagementFactory.getThreadMXBean().getThreadCount();
                long heap = settledHeap();
                if (phase == 1) {
                    slotsBaseline = slots;
                    threadsBaseline = threads;
                    heapBaseline = heap;
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
                System.out.printf(Locale.ROOT, "RELIABILITY soak mode=%s phase=%d handled=%d asks=%d spawned=%d "
                                + "deadLetters=%d heapTransfers=%d conflictRows=%d slots=%d heapKiB=%d%n",
                        mode, phase, books.handled.sum(), books.asks.sum(), books.spawned.sum(),
                        system.diagnostics().deadLetters() - deadLettersBefore, books.heapTransfers.sum(),
                        conflictRows, slots, heap / 1024);
            }
            System.out.printf(Locale.ROOT, "RELIABILITY soak mode=%s seconds=%d phases=%d messages=%d transactions=%d "
                            + "asks=%d spawned=%d deadLetters=%d violations=0%n",
                    mode, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), PHASES,
                    system.diagnostics().messagesProcessed(), Stm.diagnostics().commits() - commitsBefore,
                    books.asks.sum(), books.spawned.sum(), system.diagnostics().deadLetters() - deadLettersBefore);
        }
    }

    /** One driver thread: a random mix of operations until the deadline, with bounded in-flight messages. */
    private static void drive(int id, long seed, long deadline, Books books, List<ActorRef<Object>> accounts,
                              ActorRef<Object> counter, ActorRef<Object> echo, ActorRef<Object> spawner,
                              ActorSystem system, AtomicLong childNames) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        int ops = 0;
        while (System.nanoTime() - deadline < 0) {
            if (++ops % 256 == 0) {
                while (books.inFlight.get() > MAX_IN_FLIGHT && System.nanoTime() - deadline < 0) {
                    Thread.sleep(1); // let the actors catch up: the soak measures survival, not queues
                }
            }
            int r = random.nextInt(100);
            if (r < 35) {
                ActorRef<Object> from = accounts.get(random.nextInt(ACCOUNTS));
                ActorRef<Object> to = accounts.get(random.nextInt(ACCOUNTS));
                books.inFlight.incrementAndGet();
                from.tell(new Transfer(1 + random.nextInt(50), to));
            } else if (r < 55) {
                long seq = ++books.sentSeq[id];
                books.inFlight.incrementAndGet();
                counter.tell(new Inc(id, seq));
            } else if (r < 75) {
                int a = random.nextInt(HEAP_ACCOUNTS);
                int b = random.nextInt(HEAP_ACCOUNTS);
                long amount = 1 + random.nextInt(50);
                Stm.atomic("soak-heap-transfer", () -> books.heapTransfer(a, b, amount));
                books.heapTransfers.increment();
            } else if (r < 88) {
                books.inFlight.incrementAndGet();
                accounts.get(random.nextInt(ACCOUNTS)).tell(new HeapTransfer(random.nextInt(HEAP_ACCOUNTS),
                        random.nextInt(HEAP_ACCOUNTS), 1 + random.nextInt(50)));
            } else if (r < 94) {
                long value = random.nextLong();
                CompletableFuture<Long> reply = system.ask(echo, replyTo -> new Ping(value, replyTo), Duration.ofSeconds(30));
                assertEquals(value, reply.get(60, TimeUnit.SECONDS), "ask answered with another ask's value");
                books.asks.increment();
            } else {
                books.inFlight.incrementAndGet();
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
