package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import io.stmactors.stm.TRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A worker's transaction that the heap owner keeps rejecting is not escalated to inevitable. It was: after a
 * dozen rejections its next attempt ran inevitable, which locks each reference it reads; when that attempt then
 * read a reference for the first time, the fetch waited for the owner's updates sent before the answer to be
 * installed, but the installer could not write the reference the attempt held locked (and, after a dozen
 * conflicts of its own, waited for the inevitability token the attempt held). Both waited until the owner
 * timeout (60 s): in the contention demo, a handler failed with "worker 1 did not receive the heap owner's
 * update" about once in six full test runs.
 *
 * <p>The test plays the coordinator: it rejects a transaction's first {@link #REJECTIONS} commits (more than the
 * engine's escalation threshold), and when the attempt after them reads {@code y} for the first time, answers
 * the fetch after an update that moves {@code x}, which the attempt has already read.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerEscalationTest {
    private static final long WAIT_SECONDS = 20;
    private static final int REJECTIONS = 20;
    private static final long X = 1;
    private static final long Y = 2;

    @Test
    void aTransactionTheOwnerKeepsRejectingNeverRunsInevitableAndCommitsOnceAccepted() throws Exception {
        ScriptedCoordinator coordinator = new ScriptedCoordinator(ActorSystemConfig.builder().build().registeredClasses());
        WorkerRuntime worker = new WorkerRuntime(1, coordinator);
        Thread poller = start("worker-under-test", worker::run);
        try {
            coordinator.configure("escalation", 1, WAIT_SECONDS);
            TLong x = (TLong) worker.ref(X, true);
            @SuppressWarnings("unchecked")
            TRef<Object> y = (TRef<Object>) worker.ref(Y, false);

            AtomicInteger commits = new AtomicInteger();
            List<Long> committedX = new CopyOnWriteArrayList<>();
            coordinator.onFrame = frame -> {
                if (frame instanceof Frames.Fetch f) {
                    answer(coordinator, f, () -> true);
                } else if (frame instanceof Frames.Commit c) {
                    if (commits.incrementAndGet() <= REJECTIONS) {
                        coordinator.deliver(new Frames.CommitResult(c.seq(), false, null, null, X, 0, null));
                    } else {
                        committedX.add((Long) coordinator.decodeValue(c.writes().get(0).value()));
                        coordinator.deliver(new Frames.CommitResult(c.seq(), true, new long[] {X}, new long[] {3},
                                0, 1, null));
                    }
                }
            };

            List<Boolean> inevitable = new CopyOnWriteArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread txn = start("rejected-transaction", () -> failure.set(failureOf(() -> Stm.atomic("increment x", () -> {
                inevitable.add(Stm.isInevitable());
                x.increment();
                if (inevitable.size() > REJECTIONS) {
                    y.get(); // first read: a fetch answered after the update of x
                }
            }))));
            txn.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertFalse(txn.isAlive(), () -> "the transaction ended (attempts so far: " + inevitable.size() + ")");
            assertNull(failure.get(), () -> "it committed: " + failure.get());
            assertFalse(inevitable.contains(true), () -> "no attempt ran inevitable: " + inevitable);
            assertEquals(List.of(101L), committedX, "the accepted commit built on the update of x");
            assertEquals(101L, x.get());
        } finally {
            coordinator.deliver(new Frames.Shutdown());
            poller.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
    }

    /**
     * The same wait with {@link Stm#inevitable()} called by the body: the attempt has locked {@code x} when its
     * first read of {@code y} must wait for an update of {@code x}. It restarts instead (the wait runs after its
     * rollback, locks released) and commits, inevitable, on the updated {@code x}; before, it waited for the
     * installer, which waited for its lock, until the owner timeout.
     */
    @Test
    void anInevitableAttemptWhoseFirstReadNeedsAnUpdateOfWhatItHoldsRestartsInsteadOfWaiting() throws Exception {
        ScriptedCoordinator coordinator = new ScriptedCoordinator(ActorSystemConfig.builder().build().registeredClasses());
        WorkerRuntime worker = new WorkerRuntime(1, coordinator);
        Thread poller = start("worker-under-test", worker::run);
        try {
            coordinator.configure("inevitable", 1, WAIT_SECONDS);
            TLong x = (TLong) worker.ref(X, true);
            @SuppressWarnings("unchecked")
            TRef<Object> y = (TRef<Object>) worker.ref(Y, false);

            AtomicInteger fetchesOfY = new AtomicInteger();
            List<Long> committedX = new CopyOnWriteArrayList<>();
            coordinator.onFrame = frame -> {
                if (frame instanceof Frames.Fetch f) {
                    answer(coordinator, f, () -> fetchesOfY.incrementAndGet() == 1); // the update goes out once
                } else if (frame instanceof Frames.Commit c) {
                    committedX.add((Long) coordinator.decodeValue(c.writes().get(0).value()));
                    coordinator.deliver(new Frames.CommitResult(c.seq(), true, new long[] {X}, new long[] {3}, 0, 1,
                            null));
                }
            };

            List<Boolean> inevitable = new CopyOnWriteArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread txn = start("inevitable-transaction", () -> failure.set(failureOf(() -> Stm.atomic("inevitable increment", () -> {
                Stm.inevitable();
                inevitable.add(Stm.isInevitable());
                x.increment(); // locks x
                y.get(); // first read: answered after an update of x
            }))));
            txn.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertFalse(txn.isAlive(), () -> "the transaction ended (attempts so far: " + inevitable.size() + ")");
            assertNull(failure.get(), () -> "it committed: " + failure.get());
            assertEquals(List.of(true, true), inevitable, "one restart, both attempts inevitable");
            assertEquals(List.of(101L), committedX, "the commit built on the update of x");
            assertEquals(2, fetchesOfY.get(), "the restarted attempt fetched y again");
        } finally {
            coordinator.deliver(new Frames.Shutdown());
            poller.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
    }

    /**
     * The owner's answer to a fetch: {@code x} at version 1 (0); {@code y} at version 1, as of owner update 1,
     * which moves {@code x} to version 2 (100) and is sent first when {@code sendUpdate} says so (another
     * worker's commit moved {@code x} meanwhile).
     */
    private static void answer(ScriptedCoordinator coordinator, Frames.Fetch f, BooleanSupplier sendUpdate) {
        for (long id : f.ids()) {
            if (id == X) {
                coordinator.deliver(new Frames.Fetched(f.requestId(),
                        List.of(new Frames.RefValue(X, true, 1, coordinator.encodeValue(0L))), 0));
                continue;
            }
            if (sendUpdate.getAsBoolean()) {
                coordinator.deliver(new Frames.Update(1,
                        List.of(new Frames.RefValue(X, true, 2, coordinator.encodeValue(100L)))));
            }
            coordinator.deliver(new Frames.Fetched(f.requestId(),
                    List.of(new Frames.RefValue(Y, false, 1, coordinator.encodeValue("y"))), 1));
        }
    }

    /** A started daemon thread running {@code body}. */
    private static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** What {@code body} threw, or null. */
    private static Throwable failureOf(Runnable body) {
        try {
            body.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }
}
