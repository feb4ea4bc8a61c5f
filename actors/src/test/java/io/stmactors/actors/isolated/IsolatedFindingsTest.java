package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.actors.reliability.LogCapture;
import io.stmactors.stm.Replication;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import io.stmactors.stm.TRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Minimal deterministic reproductions of the isolated-mode findings of the reliability suite (RELIABILITY.md,
 * "Isolated mode"), one test per finding, each failing before its fix.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IsolatedFindingsTest {
    record Add(long delta, ActorRef<Long> replyTo) {
    }

    record Read(ActorRef<String> replyTo) {
    }

    record Make(String label, ActorRef<TRef<String>> replyTo) {
    }

    record Put(String value, ActorRef<String> replyTo) {
    }

    /** A value the coordinator cannot decode (its constructor refuses to run there): a commit it must refuse. */
    record Undecodable(String text) {
        Undecodable {
            if (!System.getProperty("sun.java.command", "").startsWith(WorkerMain.class.getName())) {
                throw new IllegalStateException("injected: an Undecodable cannot be decoded in the coordinator");
            }
        }
    }

    /** A value whose first decode in a worker process fails: an update that never takes effect there. */
    record Flaky(String text) {
        static final java.util.concurrent.atomic.AtomicBoolean FAILED_ONCE = new java.util.concurrent.atomic.AtomicBoolean();

        Flaky {
            if (System.getProperty("sun.java.command", "").startsWith(WorkerMain.class.getName())
                    && FAILED_ONCE.compareAndSet(false, true)) {
                throw new IllegalStateException("injected: the first Flaky decoded in a worker fails");
            }
        }
    }

    private static ActorSystemConfig.Builder config() {
        return ActorSystemConfig.builder().mode(Mode.ISOLATED_PROCESSES).workers(1)
                .register(Add.class, Read.class, Make.class, Put.class, Flaky.class, Undecodable.class).closeTimeout(Duration.ofSeconds(10));
    }

    /**
     * I1. A coordinator thread's write to a shared reference outside a transaction ({@code set}, {@code add},
     * {@code increment}: the engine's one-reference fast path) skipped the replication hook: the owner kept the
     * old version and told no replica, so a worker went on reading the old value, and its next commit, validated
     * against the unchanged version, overwrote the write (a lost update). A handler waiting in {@code retry()}
     * for such a write was never woken (how {@code RetryWakeUpStressTest} found it).
     */
    @Test
    void aWriteOutsideATransactionReachesTheReplicasAndIsNotLost() throws Exception {
        TLong counter = TLong.named("single-write-counter", 0);
        TRef<String> text = TRef.named("single-write-text", "old");
        try (ActorSystem system = ActorSystem.create(config().build())) {
            ActorRef<Object> adder = system.spawn(Behaviors.receive((ctx, msg) -> {
                if (msg instanceof Add a) {
                    a.replyTo().tell(counter.addAndGet(a.delta()));
                } else {
                    ((Read) msg).replyTo().tell(text.get());
                }
                return Behaviors.same();
            }), "adder");
            assertEquals(1L, ask(system, adder, 1), "the worker fetched the counter and holds a replica");
            assertEquals("old", system.<Object, String>ask(adder, Read::new, Duration.ofSeconds(20)).get());

            counter.add(10);      // outside any transaction, in the coordinator
            counter.increment();
            text.set("new");
            assertEquals(12L, counter.get());
            assertEquals("new", Replication.peek(text));

            assertEquals(13L, ask(system, adder, 1), "the worker's commit builds on the coordinator's writes");
            assertEquals(13L, counter.get(), "no lost update at the owner");
            assertEquals(13L, (long) Stm.atomic(counter::get));
        }
    }

    /**
     * I2. A worker delivered a message as soon as it arrived, while the owner's updates that arrived before it
     * were still queued for the applier thread: a handler could read state older than the state its message was
     * sent from (here: a coordinator thread writes, then asks; the read-only handler answers the old value; a
     * read-only transaction is not validated by the owner, so nothing caught it).
     */
    @Test
    void aMessageIsHandledWithTheStateItWasSentFrom() throws Exception {
        TRef<String> text = TRef.named("causal-text", "v0");
        try (ActorSystem system = ActorSystem.create(config().build())) {
            ActorRef<Object> reader = system.spawn(Behaviors.receive((ctx, msg) -> {
                ((Read) msg).replyTo().tell(text.get());
                return Behaviors.same();
            }), "reader");
            assertEquals("v0", system.<Object, String>ask(reader, Read::new, Duration.ofSeconds(20)).get(),
                    "the worker fetched the reference and holds a replica");
            for (int i = 1; i <= 50; i++) {
                String value = "v" + i;
                Stm.atomic(() -> text.set(value));
                assertEquals(value, system.<Object, String>ask(reader, Read::new, Duration.ofSeconds(20))
                        .get(30, TimeUnit.SECONDS), "the handler sees the write made before its message was sent");
            }
        }
    }

    /**
     * I3. A worker stopped reading its inbox as soon as the coordinator said "shut down", while its handlers
     * were still running: a handler waiting for the owner's verdict on its commit (or for a fetch) waited for
     * an answer the worker no longer read, its local close gave up after 5 + 5 s, and the coordinator killed it
     * after 10 s more. The messages left in its mailboxes were counted as dead letters only in the dying
     * worker, so after close {@code handled + dead letters} fell short of what was sent.
     */
    @Test
    void closeWhileHandlersCommitEndsPromptlyAndAccountsForEveryMessage() throws Exception {
        TLong handled = TLong.named("close-handled", 0);
        int sent = 2_000;
        ActorSystem system = ActorSystem.create(config().closeTimeout(Duration.ZERO).build());
        try (LogCapture log = new LogCapture()) {
            ActorRef<Object> busy = system.spawn(Behaviors.receive((ctx, msg) -> {
                handled.increment(); // a shared write: every commit waits for the owner's verdict
                return Behaviors.same();
            }), "busy");
            for (int i = 0; i < sent; i++) {
                busy.tell(new Add(i, null));
            }
            long started = System.nanoTime();
            system.close(); // at once: the worker is still handling (and committing)
            long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(closeMs < 8_000, "close() took " + closeMs + " ms");
            assertFalse(log.text().contains("did not exit"), "a worker had to be killed:\n" + log.text());
            assertEquals(sent, handled.get() + system.diagnostics().deadLetters(),
                    "handled " + handled.get() + " + dead letters " + system.diagnostics().deadLetters());
        } finally {
            system.close();
        }
    }

    /**
     * I4. A restarted worker numbered the references it creates from 1 again, as its predecessor had: the
     * first one it shared had the id of one its predecessor shared, the owner took it for a re-publication and
     * kept the old reference, and every process resolved the new reference to the old one (its value, its
     * writes).
     */
    @Test
    void referencesMadeByARestartedWorkerAreNotTakenForItsPredecessors() throws Exception {
        try (ActorSystem system = ActorSystem.create(config().build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            ActorRef<Make> maker = system.spawn(Behaviors.receive((ctx, m) -> {
                m.replyTo().tell(TRef.of(m.label())); // a new reference, shared by the reply
                return Behaviors.same();
            }), "maker");
            TRef<String> first = system.<Make, TRef<String>>ask(maker, r -> new Make("first", r),
                    Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
            assertEquals("first", first.get());

            long pid = iso.workerProcess(0).pid();
            iso.workerProcess(0).destroyForcibly();
            TRef<String> second = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (second == null && System.nanoTime() < deadline) {
                try {
                    second = system.<Make, TRef<String>>ask(maker, r -> new Make("second", r),
                            Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    Thread.sleep(100); // the worker is being restarted
                }
            }
            assertTrue(iso.workerProcess(0).pid() != pid && iso.workerRestarts() == 1, "the worker was restarted");
            assertTrue(second != null, "the restarted worker answers");
            assertTrue(second != first, "a new reference, not its predecessor's");
            assertEquals("second", second.get());
            assertEquals("first", first.get());
        }
    }

    /**
     * I5. The owner remembers, per worker, the sequence of the last update it sent there, and makes the worker
     * wait for it before using a fetched value or re-running a rejected commit. A restarted worker inherited
     * its predecessor's sequence: its first fetch waited for an update sent to the dead process, until some
     * other write happened to send it a later one, or for 60 s, after which the handler failed ("did not
     * receive the heap owner's update"). Two restarted workers waiting so stalled each other (how the kill
     * test found it).
     */
    @Test
    void aRestartedWorkerDoesNotWaitForUpdatesSentToItsPredecessor() throws Exception {
        TLong x = TLong.named("restart-x", 0);
        try (ActorSystem system = ActorSystem.create(config().build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            ActorRef<Object> reader = system.spawn(Behaviors.receive((ctx, msg) -> {
                ((Add) msg).replyTo().tell(x.get());
                return Behaviors.same();
            }), "reader");
            assertEquals(0L, ask(system, reader, 0), "the worker holds a replica of x");
            for (int i = 1; i <= 10; i++) {
                x.set(i); // ten updates sent to the worker
            }
            assertEquals(10L, ask(system, reader, 0));
            iso.workerProcess(0).destroyForcibly();
            await(() -> iso.workerRestarts() == 1 && iso.workerProcess(0).isAlive(), "the restart");
            long answer = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (answer < 0 && System.nanoTime() < deadline) {
                try {
                    answer = system.<Object, Long>ask(reader, r -> new Add(0, r), Duration.ofSeconds(10))
                            .get(20, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    assertFalse(e.getCause() instanceof java.util.concurrent.TimeoutException,
                            "the restarted worker's first fetch waits for an update sent to its predecessor");
                    Thread.sleep(50); // still restarting: asks fail at once
                }
            }
            assertEquals(10L, answer, "the restarted worker fetched the current value");
        }
    }

    /**
     * I6. An update that never took effect in a worker (the coordinator could not deliver it: the worker's
     * inbox stayed full for the 5 s back-pressure timeout; or the worker failed to apply it: out of memory)
     * left the replica stale for good: a handler that read and wrote it was rejected by the owner, waited for
     * the updates sent before the rejection, read the same stale value again, and was rejected again, forever.
     */
    @Test
    void aReplicaThatMissedAnUpdateIsFetchedAgainInsteadOfRetriedForever() throws Exception {
        TRef<Object> box = TRef.named("flaky-box", "a");
        try (ActorSystem system = ActorSystem.create(config().build())) {
            ActorRef<Put> writer = system.spawn(Behaviors.receive((ctx, p) -> {
                Object before = box.get();
                box.set(p.value());
                p.replyTo().tell(String.valueOf(before));
                return Behaviors.same();
            }), "writer");
            assertEquals("a", system.<Put, String>ask(writer, r -> new Put("b", r), Duration.ofSeconds(20))
                    .get(30, TimeUnit.SECONDS), "the worker holds a replica of the box");
            Stm.atomic(() -> box.set(new Flaky("c"))); // the update reaches the worker, which fails to apply it
            String before = system.<Put, String>ask(writer, r -> new Put("d", r), Duration.ofSeconds(10))
                    .get(20, TimeUnit.SECONDS);
            assertEquals(new Flaky("c").toString(), before, "the handler ran on the current value");
            assertEquals("d", box.get());
        }
    }

    /**
     * I7. The frame counters of the quiescence check were reset when a worker's process died (on the thread
     * that sees the exit) while the coordinator's poll thread could still be handling frames the dead process
     * wrote before dying: those were counted for the new process, so "every frame the worker sent was
     * received" never held again, and every later {@code close()} waited its whole close timeout. Made
     * deterministic here by holding the heap owner's lock, which the poll thread needs for each commit frame,
     * until the dead worker's frames have piled up.
     */
    @Test
    void framesOfADeadWorkerAreNotCountedForItsSuccessor() throws Exception {
        try (LogCapture log = new LogCapture()) {
            ActorSystem system = ActorSystem.create(config().workers(2).closeTimeout(Duration.ofSeconds(3))
                    .placement((name, n) -> name.equals("sink") ? 1 : 0).build());
            try {
                IsolatedActorSystem iso = (IsolatedActorSystem) system;
                ActorRef<Object> sink = system.spawn(Behaviors.receive((ctx, m) -> Behaviors.same()), "sink");
                ActorRef<Object> flooder = system.spawn(Behaviors.receive((ctx, m) -> {
                    sink.tell(m); // through the coordinator: one commit frame per message
                    return Behaviors.same();
                }), "flooder");
                assertEquals(0, iso.workerOf("flooder"));
                java.util.concurrent.locks.ReentrantLock ownerLock = iso.heapOwner().lock;
                ownerLock.lock();
                try {
                    for (int i = 0; i < 200; i++) {
                        flooder.tell(new Add(i, null));
                    }
                    Thread.sleep(1_000); // handled: 200 commit frames wait in the coordinator's inbox
                    Process p = iso.workerProcess(0);
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                    Thread.sleep(500); // the exit is seen; the worker's restart waits for the owner's lock too
                } finally {
                    ownerLock.unlock();
                }
                await(() -> iso.workerRestarts() == 1 && iso.workerProcess(0).isAlive(), "the restart");
                flooder.tell(new Add(-1, null)); // the restarted worker works
            } finally {
                long started = System.nanoTime();
                system.close();
                long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertFalse(log.text().contains("still busy after the close timeout (PT3S)"),
                        "close() never saw the system quiet (" + closeMs + " ms):\n" + log.text());
            }
        }
    }

    /**
     * I9. The owner applied a commit step by step: the references it published were created and initialized
     * before the written values were decoded, so a commit that then failed (a value the coordinator cannot
     * decode) left them behind, with the values of an attempt the worker rolled back; and the failure was
     * answered like a conflict, so the worker re-ran the handler forever. Now the owner checks and decodes
     * everything first, changes nothing on a refusal, and the refusal fails the handler (supervision decides).
     */
    @Test
    void aCommitTheOwnerCannotApplyChangesNothingAndFailsTheHandler() throws Exception {
        TRef<Object> box = TRef.named("refused-box", "a");
        try (LogCapture log = new LogCapture(); ActorSystem system = ActorSystem.create(config().build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            ActorRef<Put> writer = system.spawn(Behaviors.receive((ctx, p) -> {
                TRef<String> fresh = TRef.of(p.value()); // published by this commit
                box.set(p.value().equals("poison") ? List.of(fresh, new Undecodable(p.value())) : fresh);
                if (p.replyTo() != null) {
                    p.replyTo().tell("ok");
                }
                return Behaviors.same();
            }), "writer");
            assertEquals("ok", system.<Put, String>ask(writer, r -> new Put("fine", r), Duration.ofSeconds(20))
                    .get(30, TimeUnit.SECONDS));
            int references = iso.tables().sharedReferences();
            Object before = box.get();
            writer.tell(new Put("poison", null));
            await(() -> system.diagnostics().failures() == 1, "the handler to fail (not to be re-run forever)");
            assertEquals(references, iso.tables().sharedReferences(), "the refused commit published nothing");
            assertTrue(before == box.get(), "the refused commit wrote nothing");
            await(() -> system.diagnostics().liveActors() == 0, "the writer to stop (default supervision)");
            assertTrue(log.text().contains("refused commit"), "the coordinator reports the refusal:\n" + log.text());
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    private static long ask(ActorSystem system, ActorRef<Object> to, long delta) throws Exception {
        return system.<Object, Long>ask(to, r -> new Add(delta, r), Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
    }
}
