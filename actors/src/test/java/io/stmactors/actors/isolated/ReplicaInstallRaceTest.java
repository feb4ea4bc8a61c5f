package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.stm.Replication;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * I9. The bank demo lost money in isolated mode under heavy load ({@code refs isolated x2: money not conserved:
 * total 15,931, expected 16,000}). A worker's replica paired an old value with a newer version: the applier
 * thread installed an update in one local transaction and only then, after that transaction had released
 * the references' locks, set their bindings' versions; a handler that had fetched one of those references (its
 * first read) installed the older fetched value in between, and the applier then raised the binding to the
 * update's version. The replica claimed version 2 while holding version 1's value; the next transfer that read
 * it told the owner it had read version 2, the owner (at version 2) accepted it, and the transfer built on an
 * old balance.
 *
 * <p>The test plays the coordinator and forces that interleaving with no hook in the runtime: the fetched value
 * is a {@link Gate} whose decoding, on the fetching thread, waits until the applier committed the update; the
 * applier is held right after that commit (before anything else it does for the update) by a retry callback
 * ({@link Stm#tryAtomic}) that runs on the committing thread, until the fetch has finished.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplicaInstallRaceTest {
    /** Bound of each wait; none of them is reached unless the runtime hangs. */
    private static final long WAIT_SECONDS = 20;
    private static final long X = 1;
    private static final long Y = 2;

    /** A value; decoding the one labelled {@link #GATED} waits for {@link #gate}, if it is set. */
    record Gate(String label) {
        static final String GATED = "x v1";
        static volatile CountDownLatch gate;

        Gate {
            CountDownLatch g = gate;
            if (g != null && GATED.equals(label)) {
                try {
                    g.await(WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Test
    void aFetchAnsweredJustBeforeAnUpdateNeverLeavesTheOldValueUnderTheNewVersion() throws Exception {
        List<Class<?>> registered = ActorSystemConfig.builder().register(Gate.class).build().registeredClasses();
        ScriptedCoordinator coordinator = new ScriptedCoordinator(registered);
        WorkerRuntime worker = new WorkerRuntime(1, coordinator);
        Thread poller = new Thread(worker::run, "worker-under-test");
        poller.setDaemon(true);
        poller.start();
        try {
            coordinator.configure("install-race", 1, WAIT_SECONDS);

            @SuppressWarnings("unchecked")
            TRef<Object> x = (TRef<Object>) worker.ref(X, false);
            @SuppressWarnings("unchecked")
            TRef<Object> y = (TRef<Object>) worker.ref(Y, false);
            byte[] x1 = coordinator.encodeValue(new Gate(Gate.GATED));
            byte[] x2 = coordinator.encodeValue(new Gate("x v2"));

            // y: fetched at version 1; the worker holds it.
            coordinator.onFrame = frame -> {
                if (frame instanceof Frames.Fetch f) {
                    coordinator.deliver(new Frames.Fetched(f.requestId(),
                            List.of(new Frames.RefValue(Y, false, 1, coordinator.encodeValue("y v1"))), 0));
                }
            };
            assertEquals("y v1", Stm.atomic(() -> y.get()));

            // The applier will stop right after committing the update (it writes y), until the fetch of x is done.
            CountDownLatch updateCommitted = new CountDownLatch(1);
            CountDownLatch fetchDone = new CountDownLatch(1);
            boolean committed = Stm.tryAtomic("wait for the update of y", () -> {
                y.get();
                Stm.retry();
            }, () -> {
                updateCommitted.countDown();
                try {
                    fetchDone.await(WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertFalse(committed, "the callback waits for a commit of y");

            // x: the owner answers the fetch at version 1, then a commit of another worker moves x and y to
            // version 2, and the owner sends that update to this worker (a holder of both by now).
            coordinator.onFrame = frame -> {
                if (frame instanceof Frames.Fetch f) {
                    coordinator.deliver(new Frames.Fetched(f.requestId(), List.of(new Frames.RefValue(X, false, 1, x1)), 0));
                    coordinator.deliver(new Frames.Update(1, List.of(new Frames.RefValue(X, false, 2, x2),
                            new Frames.RefValue(Y, false, 2, coordinator.encodeValue("y v2")))));
                }
            };
            Gate.gate = updateCommitted; // the fetched value is decoded only once the update is committed
            Object[] fetched = new Object[1];
            Thread reader = new Thread(() -> {
                try {
                    fetched[0] = Stm.atomic(() -> x.get());
                } finally {
                    fetchDone.countDown();
                }
            }, "first-read-of-x");
            reader.start();
            reader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertFalse(reader.isAlive(), "the first read of x ends");
            awaitIdle(coordinator);

            RefBinding bx = (RefBinding) Replication.binding(x);
            assertEquals(2, bx.version, "the replica applied the update of x");
            assertEquals(new Gate("x v2"), Replication.peek(x),
                    "the replica says it holds version 2 of x: it must hold version 2's value (read: " + fetched[0] + ")");

            // What that cost: a transaction reads x and writes y. It tells the owner it read x at version 2, which
            // is current there: the owner accepts it, so it must have read version 2's value.
            coordinator.onFrame = frame -> {
                if (frame instanceof Frames.Commit c) {
                    coordinator.deliver(new Frames.CommitResult(c.seq(), true, new long[] {Y}, new long[] {3}, 0, 1, null));
                }
            };
            Stm.atomic(() -> y.set("copy of " + ((Gate) x.get()).label()));
            Frames.Commit commit = coordinator.await(Frames.Commit.class, WAIT_SECONDS);
            assertNotNull(commit, "the transaction shipped its commit");
            assertTrue(commit.reads().contains(new Frames.ReadVersion(X, 2)), "it read x at version 2: " + commit.reads());
            assertEquals("copy of x v2", coordinator.decodeValue(commit.writes().get(0).value()),
                    "a commit accepted as having read version 2 of x wrote what it computed from another value");
        } finally {
            Gate.gate = null;
            coordinator.deliver(new Frames.Shutdown());
            poller.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
    }

    /** Waits until the worker says it is idle: every update it received is applied. */
    private static void awaitIdle(ScriptedCoordinator coordinator) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (long seq = 1; System.nanoTime() < deadline; seq++) {
            coordinator.deliver(new Frames.StatusRequest(seq));
            long asked = seq;
            while (System.nanoTime() < deadline) {
                Frames.Status status = coordinator.received.stream()
                        .filter(f -> f instanceof Frames.Status s && s.seq() == asked)
                        .map(Frames.Status.class::cast).findFirst().orElse(null);
                if (status != null) {
                    if (status.idle()) {
                        return;
                    }
                    break;
                }
                Thread.sleep(5);
            }
        }
        throw new AssertionError("the worker did not become idle within " + WAIT_SECONDS + " s");
    }
}
