package io.stmactors.actors.internal;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A name spawned inside a transaction is reserved before that transaction commits. Another thread
 * spawning the same name meanwhile must not see that tentative reservation as a taken name (as if
 * the first transaction had already committed): it waits for the decision, as under one big lock.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PendingSpawnNameTest {
    private static final Behavior<Object> IDLE = Behaviors.receive((ctx, m) -> Behaviors.same());

    private static ActorSystem system(Mode mode) {
        return ActorSystem.create(ActorSystemConfig.builder().mode(mode).workers(2).build());
    }

    /**
     * Thread A spawns "x" in a transaction and then rolls back; thread B spawns "x" while A is
     * undecided. B must end up owning "x" (before the fix: "already in use", for a name no
     * committed transaction ever took).
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"SHARED_STM", "GLOBAL_LOCK"})
    void aSpawnWaitsForAnUndecidedReservationThatIsThenRolledBack(Mode mode) throws Exception {
        try (ActorSystem system = system(mode)) {
            CountDownLatch reserved = new CountDownLatch(1);
            AtomicInteger bAttempts = new AtomicInteger();
            CompletableFuture<Void> a = CompletableFuture.runAsync(() -> Stm.atomic(() -> {
                system.spawn(IDLE, "x");
                reserved.countDown();
                while (bAttempts.get() == 0) {
                    Thread.onSpinWait();
                }
                sleep(100); // B's spawn (right after its count) meets the reservation meanwhile
                throw new IllegalStateException("A changes its mind");
            }));
            assertTrue(reserved.await(20, TimeUnit.SECONDS));
            ActorRef<Object> b = Stm.atomic(() -> {
                bAttempts.incrementAndGet();
                return system.spawn(IDLE, "x");
            });
            ExecutionException aFailure = assertThrows(ExecutionException.class, () -> a.get(20, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, aFailure.getCause());
            assertNotNull(b);
            assertSame(b, ((LocalActorSystem) system).lookup("x"), "B's actor owns the name");
            assertTrue(bAttempts.get() >= 2, "B ran again once A had decided: " + bAttempts.get());
            assertEquals(1, system.diagnostics().liveActors());
        }
    }

    /**
     * The same race where A commits: B then fails with "already in use", and only after A's commit
     * (before the fix it failed while A was still undecided).
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"SHARED_STM", "GLOBAL_LOCK"})
    void aSpawnThatLosesToAnUndecidedReservationFailsOnlyAfterItCommits(Mode mode) throws Exception {
        try (ActorSystem system = system(mode)) {
            TLong aCommitted = TLong.of(0);
            CountDownLatch reserved = new CountDownLatch(1);
            AtomicInteger bAttempts = new AtomicInteger();
            CompletableFuture<ActorRef<Object>> a = CompletableFuture.supplyAsync(() -> Stm.atomic(() -> {
                ActorRef<Object> ref = system.spawn(IDLE, "x");
                reserved.countDown();
                while (bAttempts.get() == 0) {
                    Thread.onSpinWait();
                }
                sleep(100);
                aCommitted.set(1);
                return ref;
            }));
            assertTrue(reserved.await(20, TimeUnit.SECONDS));
            IllegalArgumentException inUse = assertThrows(IllegalArgumentException.class, () -> Stm.atomic(() -> {
                bAttempts.incrementAndGet();
                system.spawn(IDLE, "x");
            }));
            assertEquals(1, aCommitted.get(), "B failed only after A committed");
            assertTrue(inUse.getMessage().contains("'x' is already in use"), inUse.getMessage());
            assertSame(a.get(20, TimeUnit.SECONDS), ((LocalActorSystem) system).lookup("x"));
        }
    }

    /** Outside a transaction, a spawn waits the same way (no rollback to go through). */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"SHARED_STM", "GLOBAL_LOCK"})
    void aSpawnOutsideATransactionWaitsToo(Mode mode) throws Exception {
        try (ActorSystem system = system(mode)) {
            CountDownLatch reserved = new CountDownLatch(1);
            CountDownLatch bStarted = new CountDownLatch(1);
            CompletableFuture<Void> a = reserveX(system, reserved, bStarted, 100, true);
            assertTrue(reserved.await(20, TimeUnit.SECONDS));
            bStarted.countDown();
            ActorRef<Object> b = system.spawn(IDLE, "x");
            assertThrows(ExecutionException.class, () -> a.get(20, TimeUnit.SECONDS));
            assertSame(b, ((LocalActorSystem) system).lookup("x"));
        }
    }

    /** Isolated mode's coordinator keeps its own registry of top-level names: it waits the same way. */
    @org.junit.jupiter.api.Test
    void isolatedModeTopLevelSpawnWaitsForAnUndecidedReservationToo() throws Exception {
        try (ActorSystem system = system(Mode.ISOLATED_PROCESSES)) {
            CountDownLatch reserved = new CountDownLatch(1);
            CountDownLatch bStarted = new CountDownLatch(1);
            CompletableFuture<Void> a = reserveX(system, reserved, bStarted, 200, true);
            assertTrue(reserved.await(20, TimeUnit.SECONDS));
            bStarted.countDown();
            ActorRef<Object> b = system.spawn(IDLE, "x"); // before: "already in use" at once
            assertThrows(ExecutionException.class, () -> a.get(20, TimeUnit.SECONDS));
            assertEquals("x", b.name());
            assertThrows(IllegalArgumentException.class, () -> system.spawn(IDLE, "x"), "now it is taken");
        }
    }

    /**
     * An inevitable transaction (it may have done I/O) cannot wait for an undecided name, which
     * would mean running it again: it fails at once with a clear IllegalStateException, its body
     * having run once.
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"SHARED_STM", "GLOBAL_LOCK"})
    void anInevitableTransactionFailsInsteadOfRunningAgainToWait(Mode mode) throws Exception {
        try (ActorSystem system = system(mode)) {
            CountDownLatch reserved = new CountDownLatch(1);
            CountDownLatch bDone = new CountDownLatch(1);
            CompletableFuture<Void> a = reserveX(system, reserved, bDone, 0, true);
            assertTrue(reserved.await(20, TimeUnit.SECONDS));
            AtomicInteger runs = new AtomicInteger();
            IllegalStateException e;
            try {
                e = assertThrows(IllegalStateException.class, () -> Stm.atomic(() -> {
                    runs.incrementAndGet();
                    Stm.inevitable();
                    system.spawn(IDLE, "x");
                }));
            } finally {
                bDone.countDown();
            }
            assertEquals(1, runs.get(), "the inevitable body ran once");
            assertTrue(e.getMessage().contains("inevitable transaction cannot wait"), e.getMessage());
            assertThrows(ExecutionException.class, () -> a.get(20, TimeUnit.SECONDS));
            assertNotNull(system.spawn(IDLE, "x"), "A rolled back: the name is free");
        }
    }

    /** A thread interrupted while it waits for an undecided name is told so (not "already in use"). */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"SHARED_STM", "GLOBAL_LOCK"})
    void anInterruptedWaitSaysSo(Mode mode) throws Exception {
        try (ActorSystem system = system(mode)) {
            CountDownLatch reserved = new CountDownLatch(1);
            CountDownLatch bDone = new CountDownLatch(1);
            CompletableFuture<Void> a = reserveX(system, reserved, bDone, 0, false);
            assertTrue(reserved.await(20, TimeUnit.SECONDS));
            Thread.currentThread().interrupt();
            IllegalStateException e;
            try {
                e = assertThrows(IllegalStateException.class, () -> system.spawn(IDLE, "x"));
            } finally {
                Thread.interrupted();
                bDone.countDown();
            }
            assertTrue(e.getMessage().contains("interrupted while waiting"), e.getMessage());
            a.get(20, TimeUnit.SECONDS);
        }
    }

    /** One transaction spawning a name twice still fails at once: it is its own reservation. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"SHARED_STM", "GLOBAL_LOCK"})
    void theSameTransactionSpawningANameTwiceFails(Mode mode) throws Exception {
        try (ActorSystem system = system(mode)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Stm.atomic(() -> {
                system.spawn(IDLE, "twice");
                system.spawn(IDLE, "twice");
            }));
            assertTrue(e.getMessage().contains("'twice' is already in use"), e.getMessage());
            assertEquals(null, ((LocalActorSystem) system).lookup("twice"), "rolled back: the name is free again");
            assertNotNull(system.spawn(IDLE, "twice"));
        }
    }

    /**
     * Two committed transactions, each with an after-commit hook (registered before its spawn) that
     * spawns the other's name: a committed name is decided at the commit, not when the spawn's own
     * after-commit hook runs, so neither hook waits for the other (a first version did, forever).
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"SHARED_STM", "GLOBAL_LOCK"})
    void aNameIsDecidedAtTheCommitNotAtTheSpawnsOwnHook(Mode mode) throws Exception {
        try (ActorSystem system = system(mode)) {
            CyclicBarrier bothCommitted = new CyclicBarrier(2);
            CompletableFuture<Boolean> t1 = CompletableFuture.supplyAsync(() -> spawnThenInHook(system, "p", "q", bothCommitted));
            CompletableFuture<Boolean> t2 = CompletableFuture.supplyAsync(() -> spawnThenInHook(system, "q", "p", bothCommitted));
            assertFalse(t1.get(20, TimeUnit.SECONDS), "'q' was committed: in use");
            assertFalse(t2.get(20, TimeUnit.SECONDS), "'p' was committed: in use");
        }
    }

    /** Spawns {@code mine}; an after-commit hook registered first spawns {@code theirs}: whether it got it. */
    private static boolean spawnThenInHook(ActorSystem system, String mine, String theirs, CyclicBarrier barrier) {
        boolean[] got = new boolean[1];
        Stm.atomic(() -> {
            Stm.afterCommit(() -> {
                await(barrier);
                try {
                    system.spawn(IDLE, theirs);
                    got[0] = true;
                } catch (IllegalArgumentException inUse) {
                    got[0] = false;
                }
            });
            system.spawn(IDLE, mine);
        });
        return got[0];
    }

    /**
     * A handler (under the global lock in GLOBAL_LOCK mode) that spawns a name another thread's
     * committed transaction took fails at once, even while that transaction's after-commit hooks
     * still run (here: one that waits for another actor, which needs the lock to run).
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"SHARED_STM", "GLOBAL_LOCK"})
    void aHandlerDoesNotWaitForANameWhoseTransactionCommitted(Mode mode) throws Exception {
        try (ActorSystem system = system(mode)) {
            CountDownLatch bHandled = new CountDownLatch(1);
            CountDownLatch aStarted = new CountDownLatch(1);
            TLong aGotInUse = TLong.of(0);
            ActorRef<Object> a = system.spawn(Behaviors.receive((ctx, m) -> {
                aStarted.countDown();
                try {
                    ctx.system().spawn(IDLE, "x");
                } catch (IllegalArgumentException inUse) {
                    aGotInUse.set(1);
                }
                return Behaviors.same();
            }), "a");
            ActorRef<Object> b = system.spawn(Behaviors.receive((ctx, m) -> {
                bHandled.countDown();
                return Behaviors.same();
            }), "b");
            boolean[] handled = new boolean[1];
            Stm.atomic(() -> {
                Stm.afterCommit(() -> {
                    a.tell("go");
                    await(aStarted);
                    sleep(200); // a's handler meets the committed name meanwhile
                    b.tell("ping");
                    try {
                        handled[0] = bHandled.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                system.spawn(IDLE, "x");
            });
            assertTrue(handled[0], "actor b ran while the hook waited for it");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (aGotInUse.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(1, aGotInUse.get(), "a's spawn found 'x' in use");
        }
    }

    /**
     * Two transactions crossing names, where a careless nested body catches the restart and
     * rethrows it wrapped (its rollback hooks then run inside the live attempt): nobody waits while
     * holding an attempt, so they do not deadlock; one gets both names, the other fails.
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"SHARED_STM", "GLOBAL_LOCK"})
    void crossedSpawnsWithANestedBodyThatWrapsTheRestartDoNotDeadlock(Mode mode) throws Exception {
        try (ActorSystem system = system(mode)) {
            CyclicBarrier bothReserved = new CyclicBarrier(2);
            CompletableFuture<Void> t1 = CompletableFuture.runAsync(() -> crossing(system, bothReserved, "a", "b"));
            CompletableFuture<Void> t2 = CompletableFuture.runAsync(() -> crossing(system, bothReserved, "b", "a"));
            CompletableFuture.allOf(t1, t2).handle((v, e) -> null).get(30, TimeUnit.SECONDS);
            assertTrue(t1.isCompletedExceptionally() != t2.isCompletedExceptionally(), "exactly one got both names");
            assertEquals(2, system.diagnostics().liveActors());
        }
    }

    private static void crossing(ActorSystem system, CyclicBarrier barrier, String mine, String theirs) {
        boolean[] first = {true};
        Stm.atomic(() -> {
            system.spawn(IDLE, mine);
            if (first[0]) {
                first[0] = false;
                barrier.await(20, TimeUnit.SECONDS);
            }
            Stm.atomic(() -> {
                try {
                    system.spawn(IDLE, theirs);
                } catch (Throwable t) {
                    throw new RuntimeException("wrapped", t); // a careless nested body
                }
            });
        });
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Thread A: spawns "x" in a transaction, counts {@code reserved} down, waits for {@code release},
     * pauses {@code pauseMillis}, then rolls back ({@code rollBack}: throws "A changes its mind") or commits.
     */
    private static CompletableFuture<Void> reserveX(ActorSystem system, CountDownLatch reserved, CountDownLatch release,
                                                    long pauseMillis, boolean rollBack) {
        return CompletableFuture.runAsync(() -> Stm.atomic(() -> {
            system.spawn(IDLE, "x");
            reserved.countDown();
            await(release);
            if (pauseMillis > 0) {
                sleep(pauseMillis); // B's spawn meets the undecided reservation meanwhile
            }
            if (rollBack) {
                throw new IllegalStateException("A changes its mind");
            }
        }));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(20, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
