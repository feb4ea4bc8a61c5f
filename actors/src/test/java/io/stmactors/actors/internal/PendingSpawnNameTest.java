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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
            CompletableFuture<Void> a = CompletableFuture.runAsync(() -> Stm.atomic(() -> {
                system.spawn(IDLE, "x");
                reserved.countDown();
                await(bStarted);
                sleep(100);
                throw new IllegalStateException("A changes its mind");
            }));
            assertTrue(reserved.await(20, TimeUnit.SECONDS));
            bStarted.countDown();
            ActorRef<Object> b = system.spawn(IDLE, "x");
            assertThrows(ExecutionException.class, () -> a.get(20, TimeUnit.SECONDS));
            assertSame(b, ((LocalActorSystem) system).lookup("x"));
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
