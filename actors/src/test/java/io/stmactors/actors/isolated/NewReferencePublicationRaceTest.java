package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.stm.Replication;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * I11. A reference a worker creates is shipped to the heap owner as a <em>new</em> reference, with its value, by
 * every commit that meets it while it is not yet marked published on the worker; the mark is set by the thread of
 * the commit that published it, once that commit's verdict is back. A second commit of the same worker that
 * wrote the reference in that window also shipped it as new, and the owner, which already had it (from the first
 * commit), accepted that second commit but kept the first value: an accepted write was lost, and the worker's
 * replica (the second value, under version 1) and the owner (the first value, version 1) disagreed for good.
 *
 * <p>The test plays the coordinator with a real {@link HeapOwner} behind it, for a {@link WorkerRuntime} in this
 * JVM, and forces the interleaving with no hook in the runtime: the first commit (it stores the new reference
 * into a shared one, and ships the reference's value as it found it) is held by the scripted coordinator until the
 * second commit (it writes the new reference) arrives; the owner then decides both, in arrival order, as the
 * coordinator does.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NewReferencePublicationRaceTest {
    /** Bound of each wait; none of them is reached unless the runtime hangs. */
    private static final long WAIT_SECONDS = 20;
    private static final int WORKER = 1;

    @Test
    void aWriteToAReferenceThatAnotherCommitPublishesFirstIsNotLost() throws Exception {
        List<Class<?>> registered = ActorSystemConfig.builder().build().registeredClasses();
        ScriptedCoordinator coordinator = new ScriptedCoordinator(registered);
        OwnerSide owner = new OwnerSide(coordinator);
        TRef<Object> canonicalShared = TRef.of("nothing yet");
        long sharedId = owner.owner.adopt(canonicalShared);

        WorkerRuntime worker = new WorkerRuntime(WORKER, coordinator);
        Thread poller = new Thread(worker::run, "worker-under-test");
        poller.setDaemon(true);
        poller.start();
        try {
            coordinator.configure("publication-race", 2, WAIT_SECONDS);

            @SuppressWarnings("unchecked")
            TRef<Object> shared = (TRef<Object>) worker.ref(sharedId, false);
            TRef<Object> created = TRef.of("v0"); // created on the worker, known to no other process yet

            // The first commit is held until the next one arrives; then the owner decides both, in arrival order.
            // Any later commit (a re-run) is decided at once.
            CountDownLatch firstShipped = new CountDownLatch(1);
            AtomicReference<Frames.Commit> held = new AtomicReference<>();
            coordinator.onFrame = frame -> {
                if (frame instanceof Frames.Commit c) {
                    if (owner.decided.isEmpty() && held.compareAndSet(null, c)) {
                        firstShipped.countDown();
                        return;
                    }
                    Frames.Commit first = held.getAndSet(null);
                    if (first != null) {
                        owner.submit(first);
                    }
                    owner.submit(c);
                }
            };

            // Commit 1 (another thread): stores the new reference into a shared one. Encoding the shared value
            // binds the reference and ships it as new, with the value it has now ("v0"); this commit does not
            // write it, so it does not hold its lock while it waits for the verdict.
            AtomicReference<Throwable> publisherFailed = new AtomicReference<>();
            Thread publisher = new Thread(() -> {
                try {
                    Stm.atomic(() -> shared.set(created));
                } catch (Throwable t) {
                    publisherFailed.set(t);
                }
            }, "publisher");
            publisher.start();
            assertTrue(firstShipped.await(WAIT_SECONDS, TimeUnit.SECONDS), "the publishing commit was shipped");
            RefBinding binding = (RefBinding) Replication.binding(created);
            assertNotNull(binding, "shipping the shared value bound the new reference");
            assertFalse(binding.published, "the publishing commit has no verdict yet");

            // Commit 2 (this thread), before the first one's verdict: writes the new reference, which is not yet
            // marked published here, so it ships it as new too, with the value it wrote.
            Stm.atomic(() -> created.set("v1"));

            publisher.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertFalse(publisher.isAlive(), "the publishing commit ended");
            assertEquals(null, publisherFailed.get(), "the publishing commit failed");
            long id = binding.id;
            HeapOwner.Owned canonical = owner.owner.owned(id);
            assertNotNull(canonical, "the owner knows the new reference: " + owner.decided);
            assertEquals(canonical.ref, Replication.peek(canonicalShared), "the shared reference holds it");

            assertEquals("v1", Replication.peek(created), "the worker committed the write");
            assertEquals("v1", Replication.peek(canonical.ref),
                    "the owner accepted every commit that wrote the new reference, yet kept another value "
                            + "(the write was lost; verdicts, in order: " + owner.decided + ")");
            // How: the owner rejected the second publication, and the re-run shipped its write as a write.
            List<String> verdicts = List.copyOf(owner.decided);
            assertEquals(3, verdicts.size(), "publication, rejected second publication, re-run: " + verdicts);
            assertTrue(verdicts.get(0).endsWith("APPLIED"), verdicts.toString());
            assertTrue(verdicts.get(1).endsWith("CONFLICT on #" + Long.toHexString(id)), verdicts.toString());
            assertTrue(verdicts.get(2).contains("new [], writes [" + Long.toHexString(id) + "]): APPLIED"),
                    verdicts.toString());
            assertTrue(binding.published, "the worker knows the owner has it");
            assertEquals(canonical.binding.version, binding.version,
                    "the worker's replica and the owner agree on the version of the value they both hold");
        } finally {
            coordinator.deliver(new Frames.Shutdown());
            poller.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            owner.decider.shutdownNow();
        }
    }

    /**
     * The owner's rule on its own: a synchronous commit that publishes, as new, a reference the owner already has
     * is a conflict on it, and changes nothing; an asynchronous one (it wrote no shared reference: its value is a
     * snapshot) is applied without touching that reference.
     */
    @Test
    void theOwnerRejectsASynchronousCommitThatPublishesAKnownReferenceAgain() {
        List<Class<?>> registered = ActorSystemConfig.builder().build().registeredClasses();
        OwnerSide side = new OwnerSide(new ScriptedCoordinator(registered));
        HeapOwner owner = side.owner;
        long id = ((long) WORKER << 48) | 7;
        try {
            assertEquals(HeapOwner.Decision.APPLIED, side.check(commit(true, id, side.encode("first"))).decision());
            HeapOwner.Owned o = owner.owned(id);
            assertEquals(1, o.binding.version);

            HeapOwner.Verdict again = side.check(commit(true, id, side.encode("second")));
            assertEquals(HeapOwner.Decision.CONFLICT, again.decision(), "a second publication, synchronous");
            assertEquals(id, again.conflictId());
            assertEquals("first", Replication.peek(o.ref));
            assertEquals(1, o.binding.version);

            HeapOwner.Verdict async = side.check(commit(false, id, side.encode("snapshot")));
            assertEquals(HeapOwner.Decision.APPLIED, async.decision(), "a second publication, asynchronous");
            assertEquals("first", Replication.peek(o.ref), "an asynchronous snapshot never replaces the owner's value");
            assertEquals(1, o.binding.version);
        } finally {
            side.decider.shutdownNow();
        }
    }

    private static Frames.Commit commit(boolean sync, long newId, byte[] value) {
        return new Frames.Commit(1, sync, "test", List.of(), List.of(), List.of(new Frames.RefValue(newId, false, 0, value)),
                List.of(), List.of(), List.of(), List.of());
    }

    /**
     * The owner's part of the coordinator, as {@code IsolatedActorSystem.onCommit} plays it: under the owner lock,
     * check and apply the commit, then answer a synchronous one with the verdict. On a thread of its own, one
     * commit after the other, in the order submitted: applying a commit runs a transaction, which must not run
     * inside the worker's commit hook (where {@link ScriptedCoordinator#onFrame} is called).
     */
    static final class OwnerSide extends OwnerWireContext implements HeapOwner.Outlet {
        final HeapOwner owner = new HeapOwner(this);
        final List<String> decided = java.util.Collections.synchronizedList(new ArrayList<>());
        final ExecutorService decider = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "heap-owner");
            t.setDaemon(true);
            return t;
        });
        private final ScriptedCoordinator coordinator;

        OwnerSide(ScriptedCoordinator coordinator) {
            this.coordinator = coordinator;
        }

        void submit(Frames.Commit c) {
            decider.execute(() -> decide(c));
        }

        HeapOwner.Verdict check(Frames.Commit c) {
            owner.lock.lock();
            try {
                return owner.commit(WORKER, c, this::decode);
            } finally {
                owner.lock.unlock();
            }
        }

        private void decide(Frames.Commit c) {
            owner.lock.lock();
            try {
                HeapOwner.Verdict v = owner.commit(WORKER, c, this::decode);
                decided.add("commit " + c.seq() + " (new " + c.newRefs().stream().map(n -> Long.toHexString(n.id())).toList()
                        + ", writes " + c.writes().stream().map(n -> Long.toHexString(n.id())).toList() + "): "
                        + v.decision() + (v.decision() == HeapOwner.Decision.CONFLICT ? " on #" + Long.toHexString(v.conflictId()) : "")
                        + (v.refusal() != null ? " " + v.refusal() : ""));
                if (!c.sync()) {
                    return;
                }
                long seq = owner.lastUpdateTo(WORKER);
                coordinator.deliver(switch (v.decision()) {
                    case APPLIED -> new Frames.CommitResult(c.seq(), true, v.writtenIds(), v.versions(), 0, seq, null);
                    case CONFLICT -> new Frames.CommitResult(c.seq(), false, null, null, v.conflictId(), seq, null);
                    case REFUSED -> new Frames.CommitResult(c.seq(), false, null, null, 0, seq, v.refusal());
                });
            } finally {
                owner.lock.unlock();
            }
        }

        Object decode(byte[] bytes) {
            return Wire.unbox(Wire.with(this, () -> coordinator.codec.decode(Wire.present(bytes))));
        }

        // HeapOwner.Outlet: the worker under test is the only holder, and updates never go to the committer.

        @Override
        public boolean sendUpdate(int endpoint, Frames.Update update) {
            return false;
        }

        @Override
        public byte[] encode(Object value) {
            return Wire.with(this, () -> coordinator.codec.encode(new Boxed(value)));
        }

        @Override
        HeapOwner owner() {
            return owner;
        }
    }
}
