package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.internal.ActorCell;
import io.stmactors.actors.internal.IsolationHooks;
import io.stmactors.actors.internal.LocalActorSystem;
import io.stmactors.actors.internal.PromiseRef;
import io.stmactors.stm.Replication;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import io.stmactors.stm.TRef;
import io.stmactors.transport.CodecException;
import io.stmactors.transport.KryoCodec;
import io.stmactors.transport.Transport;
import io.stmactors.transport.TransportException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The runtime of one worker process: a local actor system (its dispatcher runs the handlers of the
 * actors placed here), a replica of the shared heap, and the frames to and from the coordinator.
 *
 * <h2>The replica</h2>
 * Each shared reference this process has seen is a local {@code TRef}/{@code TLong} bound to a
 * {@link RefBinding}. Its value arrives on first read ({@link Frames.Fetch}, blocking the reading
 * handler) and is then kept current by the owner's {@link Frames.Update}s, which one applier thread
 * installs in commit order, each as one local transaction: local transactions therefore always see
 * a consistent prefix of the owner's history (the local STM's opacity). A handler transaction that
 * wrote shared references ships its read versions and written values to the owner during its local
 * commit (the engine's replication hook, locks held) and waits for the verdict; a rejected commit
 * aborts locally and re-runs once this process has applied the updates the owner sent before the
 * rejection.
 *
 * <h2>Effects of a handler</h2>
 * Everything a committed handler did that other processes must learn — sends to actors elsewhere,
 * references it created and shared, its actor's new behavior and state (kept by the owner to
 * re-create the actor after a crash), spawns, watches — travels in one {@link Frames.Commit}: with
 * the owner's verdict when the handler wrote shared references, otherwise asynchronously after the
 * local commit. The owner forwards the sends, so they arrive after the state they were sent from.
 *
 * <h2>Threads</h2>
 * The main thread polls the inbox and never blocks on a send or a lock; handler threads send and
 * wait; the applier thread installs updates. Nothing waits on the poll thread except through
 * futures it completes, so a handler waiting for a verdict while holding reference locks cannot
 * stall the updates that would release someone else.
 */
final class WorkerRuntime implements IsolationHooks, IsolatedNode, WireContext, ReplicationRouter.Side {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerRuntime.class);
    private static final Duration OWNER_TIMEOUT = Duration.ofSeconds(60);
    private static final Object STALE = "stale read (owner has a newer version)";
    private static final long HELLO_AGAIN_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    /**
     * Thrown under a reference's lock by a fetch's install that finds a newer value there: the install then
     * writes nothing ({@code Replication.install} releases the lock unchanged when its {@code underLock} throws).
     */
    private static final NewerInstalled NEWER_INSTALLED = new NewerInstalled();

    private static final class NewerInstalled extends RuntimeException {
        NewerInstalled() {
            super("a newer value is installed", null, false, false);
        }
    }

    private final int id;
    /** The runtime's own types until {@link Frames.Configure} arrives, then also the user's. */
    private volatile KryoCodec codec;
    private final Transport transport;
    /** Null until configured. */
    private volatile LocalActorSystem local;
    private final Map<Long, WeakReference<Object>> refs = new ConcurrentHashMap<>();
    private final AtomicLong nextRefId = new AtomicLong();
    private final AtomicLong nextSeq = new AtomicLong();
    private final AtomicLong nextAsk = new AtomicLong(askIdBase());
    private final Map<Long, CompletableFuture<Frames.CommitResult>> pendingCommits = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Frames.Fetched>> pendingFetches = new ConcurrentHashMap<>();
    private final Map<Long, PromiseRef<?>> asks = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Frames.Update> updates = new LinkedBlockingQueue<>();
    private final Thread applier;
    private volatile boolean applierBusy;
    /**
     * Completes the asks of this process's handlers, in the order the answers (or failures) arrive: not on the poll
     * thread, because a callback may run a transaction whose first read of a shared reference waits for a fetch
     * that only the poll thread can take.
     */
    private final java.util.concurrent.ExecutorService askCallbacks;
    /** Ask completions handed to {@link #askCallbacks} and not yet run: the worker is not idle meanwhile. */
    private final java.util.concurrent.atomic.AtomicInteger askCallbacksPending = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * The update the applier is installing: each written reference's binding and the version it gets (see
     * {@link #stampInstalled}). Applier thread only.
     */
    private final Map<RefBinding, Long> installing = new IdentityHashMap<>();
    private volatile long appliedSeq;
    /** The owner sequence of the last update received (poll thread only writes it). */
    private volatile long receivedSeq;
    private final AtomicLong framesSent = new AtomicLong();
    private final AtomicLong framesReceived = new AtomicLong();
    private final List<Object> orphanNewRefs = new ArrayList<>(); // guarded by itself
    private final ThreadLocal<Outbox> outbox = ThreadLocal.withInitial(Outbox::new);
    private volatile boolean running = true;
    /** A close of the whole system was asked of the coordinator ({@link #closeRequested}): asked once. */
    private final java.util.concurrent.atomic.AtomicBoolean closeRequestSent = new java.util.concurrent.atomic.AtomicBoolean();
    /** Told to shut down: the local system is closing (on another thread) while the inbox is still read. */
    private volatile boolean closing;

    /** What one handler attempt did that the owner must learn. Confined to the handler's thread. */
    static final class Outbox {
        boolean active;
        ActorCell<?> cell;
        final List<Frames.Outgoing> sends = new ArrayList<>();
        final List<Object> newRefs = new ArrayList<>();
        Frames.ActorState actorState;
        final List<Frames.ChildSpawned> spawns = new ArrayList<>();
        final List<Frames.Watch> watches = new ArrayList<>();
        boolean shipped;
        long awaitSeq;
        /** The reference a rejected commit read stale, and the version it read (see {@link #attemptStarted}). */
        RefBinding staleRead;
        long staleVersion;
        /** Whether this thread is marked as one that runs the worker's transactions (never reset). */
        boolean replicaThread;

        void reset() {
            active = false;
            cell = null;
            sends.clear();
            newRefs.clear();
            actorState = null;
            spawns.clear();
            watches.clear();
            shipped = false;
            awaitSeq = 0;
            staleRead = null;
        }

        boolean hasContent() {
            return !sends.isEmpty() || !newRefs.isEmpty() || actorState != null || !spawns.isEmpty() || !watches.isEmpty();
        }
    }

    WorkerRuntime(int id, Transport transport) {
        this.id = id;
        ReplicationRouter.ensureInstalled();
        this.codec = Wire.codec(List.of());
        this.transport = transport;
        this.applier = new Thread(this::applyLoop, "stm-actors-worker-" + id + "-applier");
        this.applier.setDaemon(true);
        this.applier.start();
        this.askCallbacks = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "stm-actors-worker-" + id + "-ask-callbacks");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Says hello and polls the inbox until told to shut down. Says hello again every second until it is
     * configured: the answer can be lost (over a Pekko cluster, a restarted worker's hello may arrive while
     * its dead predecessor, with the same endpoint id, is still a member, and the answer goes there).
     */
    void run() {
        Frames.Hello hello = new Frames.Hello(id, ProcessHandle.current().pid(), codec.fingerprint());
        sendUncounted(hello);
        long helloAt = System.nanoTime();
        IdleStrategy idle = new BackoffIdleStrategy(64, 64, 1_000, 200_000);
        while (running) {
            if (local == null && !closing && System.nanoTime() - helloAt > HELLO_AGAIN_NANOS) {
                sendUncounted(hello);
                helloAt = System.nanoTime();
            }
            int n;
            try {
                n = transport.poll(this::onFrame, 256);
            } catch (TransportException e) {
                if (!running) {
                    break;
                }
                LOG.error("Worker {} transport failed", id, e);
                n = 0;
            } catch (RuntimeException | Error e) {
                LOG.error("Worker {} failed handling a frame", id, e);
                n = 1;
            }
            idle.idle(n);
        }
        try {
            if (local != null && !closing) {
                local.closeRuntime();
            }
        } finally {
            transport.close();
        }
    }

    /**
     * The coordinator said "shut down": close the local system on another thread while this one goes on
     * reading the inbox, because handlers that are still running may wait for the owner's verdict on their
     * commit, for a fetch, or for updates. Messages that arrive meanwhile become dead letters of the closing
     * system. Once it is closed, a final {@link Frames.Status} tells the coordinator the last counters (the
     * dead letters of the close among them), and the inbox is no longer read. The coordinator sends no new
     * work after the shutdown request, so nothing that needs an answer arrives after the final status.
     */
    private void shutdown() {
        if (closing) {
            return;
        }
        closing = true;
        if (local == null) {
            running = false;
            return;
        }
        Thread closer = new Thread(() -> {
            try {
                local.closeRuntime();
            } catch (RuntimeException | Error e) {
                LOG.error("Worker {} failed closing its actor system", id, e);
            } finally {
                try {
                    sendUncounted(status(Frames.FINAL_STATUS));
                } finally {
                    running = false;
                }
            }
        }, "stm-actors-worker-" + id + "-closer");
        closer.setDaemon(true);
        closer.start();
    }

    /** The coordinator's configuration: load the user's classes, build the full codec, start the dispatcher. */
    private void configure(Frames.Configure c) {
        if (local != null) {
            return;
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        ActorSystemConfig.Builder builder = ActorSystemConfig.builder().name(c.systemName() + "-w" + id)
                .mode(io.stmactors.actors.Mode.ISOLATED_PROCESSES).workers(c.threads())
                // The coordinator waits for the whole system to be quiet before it says "shut down" (or gives
                // up after its own close timeout): a worker then drains for at most half a second more.
                .throughput(c.throughput()).closeTimeout(Duration.ofMillis(500));
        if (c.handlerTimeoutMs() > 0) {
            builder.handlerTimeout(Duration.ofMillis(c.handlerTimeoutMs()));
        }
        List<Class<?>> classes = new ArrayList<>();
        for (String name : c.classNames()) {
            try {
                classes.add(Class.forName(name, false, loader != null ? loader : WorkerRuntime.class.getClassLoader()));
            } catch (ClassNotFoundException | LinkageError e) {
                LOG.error("Worker {} cannot load registered class {}: is its classpath the coordinator's?", id, name);
                running = false;
                return;
            }
        }
        builder.register(classes.toArray(new Class<?>[0]));
        ActorSystemConfig config = builder.build();
        this.codec = Wire.codec(config.registeredClasses());
        nextRefId.set(c.refIdFloor()); // above every id an earlier incarnation of this worker shared
        this.local = new LocalActorSystem(config, this);
        sendUncounted(new Frames.Ready(id, codec.fingerprint()));
    }

    // =====================================================================================
    // Frames from the coordinator (poll thread)
    // =====================================================================================

    private void onFrame(int source, int type, DirectBuffer buffer, int offset, int length) {
        if (source != 0 || type != Frames.TYPE) {
            LOG.warn("Worker {} dropped a frame from endpoint {} of type {}", id, source, type);
            return;
        }
        Object frame;
        try {
            frame = Frames.checked(Wire.with(this, () -> codec.decode(buffer, offset, length)));
        } catch (CodecException e) {
            framesReceived.incrementAndGet();
            LOG.error("Worker {} could not decode a frame: {}", id, e.getMessage());
            return;
        }
        if (frame instanceof Frames.Configure c) {
            configure(c);
            return;
        }
        if (local == null) {
            if (frame instanceof Frames.Shutdown) {
                shutdown();
            } else if (frame instanceof Frames.StatusRequest s) {
                sendUncounted(new Frames.Status(s.seq(), true, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
            } else {
                LOG.warn("Worker {} got a {} before its configuration; dropped", id, frame.getClass().getSimpleName());
            }
            return;
        }
        if (!(frame instanceof Frames.StatusRequest) && !(frame instanceof Frames.Shutdown)) {
            framesReceived.incrementAndGet();
        }
        if (frame instanceof Frames.Spawn s) {
            spawn(s);
        } else if (frame instanceof Frames.Tell t) {
            deliver(t);
        } else if (frame instanceof Frames.Reply r) {
            reply(r);
        } else if (frame instanceof Frames.StopActor s) {
            ActorCell<?> cell = local.lookup(s.name());
            if (cell != null) {
                cell.requestStop();
            }
        } else if (frame instanceof Frames.Update u) {
            updates.add(u);
            if (u.ownerSeq() > receivedSeq) {
                receivedSeq = u.ownerSeq();
            }
        } else if (frame instanceof Frames.Fetched f) {
            complete(pendingFetches.remove(f.requestId()), f);
        } else if (frame instanceof Frames.CommitResult r) {
            complete(pendingCommits.remove(r.seq()), r);
        } else if (frame instanceof Frames.StatusRequest s) {
            sendUncounted(status(s.seq()));
        } else if (frame instanceof Frames.Shutdown) {
            shutdown();
        } else if (frame instanceof Frames.AsksFail f) {
            failAsks(f);
        } else {
            LOG.warn("Worker {} got an unexpected {}", id, frame.getClass().getSimpleName());
        }
    }

    private static <T> void complete(CompletableFuture<T> future, T value) {
        if (future != null) {
            future.complete(value);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void spawn(Frames.Spawn s) {
        try {
            Behavior<Object> initial = (Behavior<Object>) decode(s.behavior());
            ActorCell.Restored restored = null;
            if (s.restoredBehavior() != null || s.hasState()) {
                Behavior<Object> current = s.restoredBehavior() != null ? (Behavior<Object>) decode(s.restoredBehavior()) : null;
                Object state = s.hasState() ? decode(s.restoredState()) : ActorCell.NO_STATE;
                if (current != null) {
                    restored = new ActorCell.Restored(current, state);
                }
            }
            local.spawnShipped(s.name(), initial, restored);
        } catch (RuntimeException e) {
            LOG.error("Worker {} could not start actor '{}'", id, s.name(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private void deliver(Frames.Tell t) {
        ActorCell<Object> cell = (ActorCell<Object>) local.lookup(t.target());
        if (cell == null) {
            local.countDeadLetter(t.target(), "(serialized message)");
            return;
        }
        Object message;
        try {
            message = decode(t.message());
        } catch (CodecException e) {
            LOG.error("Worker {} could not decode a message for '{}': {}", id, t.target(), e.getMessage());
            return;
        }
        cell.tell(message);
    }

    /** The coordinator says asks of this process's handlers cannot be answered: fail them now. */
    private void failAsks(Frames.AsksFail f) {
        if (f.askId() == 0) {
            completeAsks(local.asksToFail(f.targets(), f.reason())); // the asks pending now, not when it runs
            return;
        }
        PromiseRef<?> promise = asks.get(f.askId());
        if (promise != null) {
            String target = f.targets().isEmpty() ? "?" : f.targets().get(0);
            completeAsks(() -> promise.future().completeExceptionally(new IllegalStateException(
                    "ask to actor '" + target + "' failed: " + f.reason())));
        }
    }

    @SuppressWarnings("unchecked")
    private void reply(Frames.Reply r) {
        PromiseRef<Object> promise = (PromiseRef<Object>) asks.remove(r.askId());
        if (promise != null) {
            Object answer = decode(r.message());
            completeAsks(() -> promise.tell(answer));
        }
    }

    /** Runs {@code completion} (which runs the ask's callbacks) on {@link #askCallbacks}, in arrival order. */
    private void completeAsks(Runnable completion) {
        askCallbacksPending.incrementAndGet();
        try {
            askCallbacks.execute(() -> {
                try {
                    completion.run();
                } catch (RuntimeException | Error e) {
                    LOG.warn("Worker {}: an ask's callback failed", id, e);
                } finally {
                    askCallbacksPending.decrementAndGet();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException | OutOfMemoryError e) { // no thread: run it here
            try {
                completion.run();
            } finally {
                askCallbacksPending.decrementAndGet();
            }
        }
    }

    private Frames.Status status(long seq) {
        boolean callbacksIdle = askCallbacksPending.get() == 0; // first: a callback's tell lands in a mailbox before it ends
        boolean idle = callbacksIdle && local.isQuiescent() && updates.isEmpty() && !applierBusy
                && pendingCommits.isEmpty() && pendingFetches.isEmpty();
        var d = local.diagnostics();
        return new Frames.Status(seq, idle, framesReceived.get(), framesSent.get(), d.messagesProcessed(), d.commits(),
                d.aborts(), d.retryWaits(), d.failures(), d.deadLetters(), d.liveActors(), refs.size(), asks.size());
    }

    // =====================================================================================
    // The replica: updates, fetches, commits
    // =====================================================================================

    private void applyLoop() {
        ReplicationRouter.markReplicaThread();
        while (true) {
            Frames.Update u;
            try {
                u = updates.take();
            } catch (InterruptedException e) {
                return;
            }
            applierBusy = true;
            try {
                apply(u);
            } catch (RuntimeException | Error e) {
                LOG.error("Worker {} could not apply update {}; its next reads of the references it held fetch them again",
                        id, u.ownerSeq(), e);
                forgetReplicas(u);
            } finally {
                appliedSeq = Math.max(appliedSeq, u.ownerSeq());
                applierBusy = false;
            }
        }
    }

    /**
     * An update that could not be installed (a value that does not decode here): the replicas it would have
     * changed are stale, and a read-only handler, which never asks the owner, would serve their old values for
     * good. Each one is marked absent instead, so that its next read fetches it again, as a first read does.
     */
    private void forgetReplicas(Frames.Update u) {
        for (Frames.RefValue v : u.values()) {
            Object ref = existing(v.id());
            if (ref != null && Replication.binding(ref) instanceof RefBinding b && !(b.present && b.version >= v.version())) {
                if (b.staleBelow < v.version()) {
                    b.staleBelow = v.version(); // (only this applier thread writes it)
                }
                b.present = false;
            }
        }
    }

    /**
     * Installs one update as one local transaction. The bindings' versions are set by that transaction's commit
     * hook ({@link #stampInstalled}), while it holds the references' locks, not after it: a reference's value
     * and its version must change together. Set afterwards, a handler's first-read install
     * ({@link #beforeRead}) of an older fetched value could land in between, under the update's version: the
     * replica then claimed a version whose value it did not hold, and a commit that read it was accepted by the
     * owner on that stale value (the bank demo lost money so). The body skips what is already as new (a fetch
     * installed it), and re-runs if that changes before its commit.
     */
    private void apply(Frames.Update u) {
        List<Object> targets = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        List<RefBinding> bindings = new ArrayList<>();
        try {
            for (Frames.RefValue v : u.values()) {
                Object ref = existing(v.id());
                if (ref == null) {
                    continue;
                }
                RefBinding b = (RefBinding) Replication.binding(ref);
                if (b.present && b.version >= v.version()) {
                    continue;
                }
                targets.add(ref);
                values.add(decode(v.value()));
                bindings.add(b);
                installing.put(b, v.version());
            }
            if (targets.isEmpty()) {
                return;
            }
            Stm.atomic("replica update " + u.ownerSeq(), () -> {
                for (int i = 0; i < targets.size(); i++) {
                    RefBinding b = bindings.get(i);
                    if (!(b.present && b.version >= installing.get(b))) {
                        set(targets.get(i), values.get(i));
                    }
                }
            });
        } finally {
            installing.clear();
        }
    }

    /**
     * The commit hook of the applier's transaction ({@link #apply}), locks held: sets the written references'
     * versions, and marks them present, before their new values are published. If one of them meanwhile got
     * a value at least as new (a fetch installed it under its lock), rejects the commit: the body re-runs and
     * skips it, instead of replacing a newer value with an older one.
     */
    private Object stampInstalled(Replication.CommitView view) {
        int n = view.writeCount();
        RefBinding[] written = new RefBinding[n];
        long[] versions = new long[n];
        for (int i = 0; i < n; i++) {
            Object binding = view.writeBinding(i);
            Long version = binding instanceof RefBinding ? installing.get(binding) : null;
            if (version == null) {
                continue;
            }
            RefBinding b = (RefBinding) binding;
            if (b.present && b.version >= version) {
                return view.writeRef(i);
            }
            written[i] = b;
            versions[i] = version;
        }
        for (int i = 0; i < n; i++) {
            if (written[i] != null) {
                written[i].version = versions[i];
                written[i].present = true;
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static void set(Object ref, Object value) {
        if (ref instanceof TLong l) {
            l.set((Long) value);
        } else {
            ((TRef<Object>) ref).set(value);
        }
    }

    private void awaitApplied(long seq) {
        if (seq <= 0 || appliedSeq >= seq) {
            return;
        }
        long deadline = System.nanoTime() + OWNER_TIMEOUT.toNanos();
        while (appliedSeq < seq) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("worker " + id + " did not receive the heap owner's update " + seq);
            }
            LockSupport.parkNanos(20_000);
        }
    }

    /** First read of a reference: fetch its value from the owner (blocks the reading handler). */
    @Override
    public void beforeRead(RefBinding b) {
        for (int fetches = 1; !b.present; fetches++) {
            if (!fetchInto(b)) {
                throw new IllegalStateException("shared reference " + b + " is unknown to the heap owner");
            }
            // Installed, unless dropped again meanwhile (an update this process could not apply): fetch anew
            if (!b.present && fetches >= 3) {
                throw new IllegalStateException("shared reference " + b + " could not be kept installed here: "
                        + "updates of it keep failing in this process");
            }
        }
    }

    /**
     * Fetches {@code b}'s current value from the owner and installs it (unless a newer one is installed already).
     * Returns whether the owner knew the reference.
     */
    private boolean fetchInto(RefBinding b) {
        long request = nextSeq.incrementAndGet();
        CompletableFuture<Frames.Fetched> future = new CompletableFuture<>();
        pendingFetches.put(request, future);
        Frames.Fetched fetched;
        try {
            send(new Frames.Fetch(request, new long[] {b.id}));
            fetched = await(future, "the value of shared reference " + b);
        } finally {
            // answered (the poll thread took it off already), or the send or the wait failed: either way no longer
            // pending, or status() would never call this worker idle again and every close() would wait it out
            pendingFetches.remove(request);
        }
        long seq = fetched.ownerSeq();
        if (seq > appliedSeq && Stm.isInevitable()) {
            // An inevitable attempt (Stm.inevitable() in the body) holds the locks of what it read: the updates
            // to wait for may write those, and the installer would wait for the attempt. Wait after its rollback.
            Stm.afterRollback(() -> awaitApplied(seq));
            Replication.restartAttempt("first read of " + b + " during an inevitable attempt: the owner's update "
                    + seq + " must be installed first");
        }
        awaitApplied(seq);
        boolean known = false;
        for (Frames.RefValue v : fetched.values()) {
            known |= v.id() == b.id;
            Object ref = existing(v.id());
            if (ref == null) {
                continue;
            }
            RefBinding rb = (RefBinding) Replication.binding(ref);
            if (rb.present && rb.version >= v.version() || v.version() < rb.staleBelow) {
                continue; // as new installed already; or older than an update that failed here: fetched again
            }
            Object value = decode(v.value());
            // Checked again under the reference's lock: an update may have installed a newer value since (the
            // applier sets versions under the locks too); the fetched one must not replace it.
            Runnable mark = () -> {
                if (rb.present && rb.version >= v.version() || v.version() < rb.staleBelow) {
                    throw NEWER_INSTALLED; // (or an update of it failed here meanwhile: it is fetched again)
                }
                rb.version = v.version();
                rb.present = true;
            };
            try {
                Replication.installValue(ref, value, mark);
            } catch (NewerInstalled e) {
                // nothing written: the reference keeps the newer value and its version
            }
        }
        return known;
    }

    @Override
    public boolean replica() {
        return true;
    }

    /**
     * The commit of a local transaction that wrote shared references: ship it to the owner and
     * wait for the verdict (locks held; the poll thread completes the future).
     */
    @Override
    public Object onCommit(Replication.CommitView view) {
        if (Thread.currentThread() == applier) {
            return stampInstalled(view); // installing the owner's own updates
        }
        Outbox ob = outbox.get();
        boolean handler = ob.active;
        if (!handler) {
            // Outside a handler nothing resets the outbox between attempts (attemptStarted does, for handlers): this
            // attempt collects its own new references. A failed one puts those it took from orphanNewRefs back.
            ob.newRefs.clear();
        }
        Map<Object, Object> inTxn = new IdentityHashMap<>();
        for (int i = 0, n = view.writeCount(); i < n; i++) {
            inTxn.put(view.writeRef(i), view.writeValue(i));
        }
        List<Frames.ReadVersion> reads = new ArrayList<>();
        for (int i = 0, n = view.readCount(); i < n; i++) {
            if (view.readBinding(i) instanceof RefBinding b && b.side == this && b.published) {
                long version = b.version;
                if (!view.readStillValid(i)) {
                    return view.readRef(i);
                }
                reads.add(new Frames.ReadVersion(b.id, version));
            }
        }
        List<Frames.RefValue> writes = new ArrayList<>();
        List<RefBinding> written = new ArrayList<>();
        for (int i = 0, n = view.writeCount(); i < n; i++) {
            if (view.writeBinding(i) instanceof RefBinding b && b.side == this) {
                if (!b.published) {
                    addNewRef(ob, view.writeRef(i));
                } else {
                    writes.add(new Frames.RefValue(b.id, b.isLong, 0, encode(view.writeValue(i))));
                    written.add(b);
                }
            }
        }
        List<Object> published = new ArrayList<>();
        List<Frames.RefValue> newRefs = newRefValues(ob, inTxn, written, published);
        long seq = nextSeq.incrementAndGet();
        CompletableFuture<Frames.CommitResult> future = new CompletableFuture<>();
        pendingCommits.put(seq, future);
        Frames.CommitResult result;
        try {
            send(new Frames.Commit(seq, true, view.transactionName(), reads, writes, newRefs,
                    List.copyOf(ob.sends), ob.actorState == null ? List.of() : List.of(ob.actorState),
                    List.copyOf(ob.spawns), List.copyOf(ob.watches)));
            result = await(future, "the heap owner's verdict on a commit");
        } finally {
            pendingCommits.remove(seq); // as for a fetch: answered, or never will be
        }
        if (result.refusal() != null) {
            if (!handler) {
                unclaim(ob, published);
            }
            throw new IllegalStateException("the heap owner refused the commit of " + view.transactionName() + ": "
                    + result.refusal());
        }
        if (!result.ok()) {
            ob.awaitSeq = result.ownerSeq();
            Object stale = existing(result.conflictId());
            if (stale != null && Replication.binding(stale) instanceof RefBinding b) {
                if (shippedAsNew(newRefs, b.id)) {
                    // An earlier commit of this process published it first, and its thread has not marked it yet
                    // (I11): the owner has it, with a value this attempt did not see. The re-run reads that value
                    // (a fetch) and ships its writes to it as writes.
                    b.published = true;
                    b.present = false;
                } else if (handler) {
                    ob.staleRead = b; // checked once the updates sent before the rejection are applied
                    ob.staleVersion = versionRead(reads, b.id);
                } else {
                    b.present = false; // no update wait outside handlers: fetch it again at once
                }
            }
            if (!handler) {
                unclaim(ob, published);
            }
            return stale != null ? stale : STALE;
        }
        for (int i = 0; i < written.size(); i++) {
            // Locks held: the value about to be published is the owner's at this version, and this process is now
            // one of its holders. Marked present, so that an older fetch answered meanwhile is not installed over it.
            written.get(i).version = result.newVersions()[i];
            written.get(i).present = true;
        }
        markPublished(published);
        if (handler) {
            // Shipped: what the after-commit hooks of this handler send, spawn or watch from now on goes on its own
            // (it was added to this batch and dropped with it), and a transaction a hook runs ships only its own
            // effects, not this batch again.
            ob.shipped = true;
            ob.active = false;
            ob.sends.clear();
            ob.newRefs.clear();
            ob.actorState = null;
            ob.spawns.clear();
            ob.watches.clear();
        } else {
            ob.reset();
        }
        return null;
    }

    /**
     * After a rejected attempt outside a handler: forgets the new references it collected, and gives those still
     * unpublished back to {@link #orphanNewRefs}, which they may have come from (another thread's encoding); the
     * re-run collects those of its own again.
     */
    private void unclaim(Outbox ob, List<Object> shipped) {
        ob.newRefs.clear();
        synchronized (orphanNewRefs) {
            for (Object r : shipped) {
                if (!((RefBinding) Replication.binding(r)).published) {
                    orphanNewRefs.add(r);
                }
            }
        }
    }

    private static boolean shippedAsNew(List<Frames.RefValue> newRefs, long id) {
        for (Frames.RefValue v : newRefs) {
            if (v.id() == id) {
                return true;
            }
        }
        return false;
    }

    private static long versionRead(List<Frames.ReadVersion> reads, long id) {
        for (Frames.ReadVersion r : reads) {
            if (r.id() == id) {
                return r.version();
            }
        }
        return -1;
    }

    /**
     * Waits for the owner's answer with a plain park, not {@code future.get()}: inside a
     * {@code ForkJoinPool} worker, {@code get()} is a managed block and the pool would start a
     * compensation thread, running more handlers at once than the worker is configured for.
     */
    private <T> T await(CompletableFuture<T> future, String what) {
        if (!future.isDone()) {
            Thread waiter = Thread.currentThread();
            future.whenComplete((r, e) -> LockSupport.unpark(waiter));
            long deadline = System.nanoTime() + OWNER_TIMEOUT.toNanos();
            while (!future.isDone()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("worker " + id + " got no answer for " + what
                            + " within " + OWNER_TIMEOUT.toSeconds() + " s (is the coordinator alive?)");
                }
                LockSupport.parkNanos(this, left);
            }
        }
        return future.join();
    }

    /**
     * Values of the references first shared by this attempt (and of those they reach in turn). One that is
     * published by now (another commit of this process shipped it first, and was accepted) is left out, unless
     * this transaction wrote it and ships that write nowhere else ({@code written}: the published references whose
     * writes it ships as writes): then it goes as new, the owner rejects it, and the re-run ships a write (I11).
     */
    private List<Frames.RefValue> newRefValues(Outbox ob, Map<Object, Object> inTxn, List<RefBinding> written,
                                               List<Object> published) {
        synchronized (orphanNewRefs) {
            for (Object r : orphanNewRefs) {
                addNewRef(ob, r);
            }
            orphanNewRefs.clear();
        }
        List<Frames.RefValue> out = new ArrayList<>();
        for (int i = 0; i < ob.newRefs.size(); i++) { // encoding may discover more: the list grows
            Object ref = ob.newRefs.get(i);
            RefBinding b = (RefBinding) Replication.binding(ref);
            if (b.published && !(inTxn.containsKey(ref) && !written.contains(b))) {
                continue;
            }
            Object value = inTxn.containsKey(ref) ? inTxn.get(ref) : Replication.peek(ref);
            out.add(new Frames.RefValue(b.id, b.isLong, 0, encode(value)));
            published.add(ref);
        }
        return out;
    }

    private static void addNewRef(Outbox ob, Object ref) {
        for (Object r : ob.newRefs) {
            if (r == ref) {
                return;
            }
        }
        ob.newRefs.add(ref);
    }

    /**
     * The owner accepted the references this process shipped as new (or, asynchronously, will). Only the flag: their
     * bindings carry version 1, the owner's first, from the start ({@link #refId}); setting it here, after the
     * commit and without the reference's lock, could lower a newer version an update installed meanwhile.
     */
    private static void markPublished(List<Object> refs) {
        for (Object r : refs) {
            RefBinding b = (RefBinding) Replication.binding(r);
            if (!b.published) {
                b.published = true;
            }
        }
    }

    /** Ships what a committed handler did when it wrote no shared reference (so no verdict is needed). */
    private void sendAsync(Outbox ob, String transaction) {
        List<Object> published = new ArrayList<>();
        List<Frames.RefValue> newRefs = newRefValues(ob, Map.of(), List.of(), published);
        send(new Frames.Commit(nextSeq.incrementAndGet(), false, transaction, List.of(), List.of(), newRefs,
                List.copyOf(ob.sends), ob.actorState == null ? List.of() : List.of(ob.actorState),
                List.copyOf(ob.spawns), List.copyOf(ob.watches)));
        markPublished(published);
    }

    // =====================================================================================
    // IsolationHooks (handler threads)
    // =====================================================================================

    /**
     * Before each attempt, the replica catches up with every update received so far: the updates a message
     * depends on arrive before it (the owner sends them first, on the same FIFO inbox), but the applier
     * installs them asynchronously, so without this wait a handler could read state older than the state its
     * message was sent from. After a rejected commit, it also waits for the updates the owner sent before
     * the rejection.
     */
    @Override
    public void attemptStarted(ActorCell<?> cell, Object message) {
        Outbox ob = outbox.get();
        if (!ob.replicaThread) {
            ob.replicaThread = true;
            ReplicationRouter.markReplicaThread();
        }
        long await = Math.max(ob.awaitSeq, receivedSeq);
        RefBinding stale = ob.staleRead;
        long staleVersion = ob.staleVersion;
        ob.reset();
        ob.active = true;
        ob.cell = cell;
        awaitApplied(await);
        if (stale != null && stale.version == staleVersion) {
            // The owner rejected a read of this version, and every update it sent before saying so is applied,
            // yet the replica still holds that version: the newer value never took effect here (an update the
            // owner could not deliver, or that this process failed to apply). Fetch it again; re-running on
            // the same stale value would be rejected forever.
            stale.present = false;
        }
    }

    @Override
    public void beforeCommit(ActorCell<?> cell, Behavior<?> nextBehavior, Object nextState, Object noState, boolean stop) {
        Outbox ob = outbox.get();
        if (nextBehavior == null && nextState == noState) {
            checkNewValuesEncode(ob);
            return;
        }
        byte[] behavior = nextBehavior == null ? null : encode(nextBehavior);
        boolean hasState = nextState != noState;
        ob.actorState = new Frames.ActorState(cell.name(), behavior, hasState ? encode(nextState) : null, hasState);
        checkNewValuesEncode(ob); // after the state and behavior: encoding them may have found new references
    }

    /**
     * The values of the references this handler made and shared (put in a message) travel with its commit, and a
     * handler that writes no shared reference ships them only after it committed ({@link #sendAsync}): encode them
     * here, still inside its transaction, so that a value the codec refuses (an unregistered class) fails the
     * handler and rolls it back, instead of failing after the commit, when its sends can no longer be taken back.
     * Encoding may discover more new references (the list grows); their values are checked too.
     */
    private void checkNewValuesEncode(Outbox ob) {
        for (int i = 0; i < ob.newRefs.size(); i++) {
            if (ob.newRefs.get(i) instanceof TRef<?> ref
                    && Replication.binding(ref) instanceof RefBinding b && !b.published) {
                encode(ref.get()); // this transaction's view of the value; the bytes are made again at shipping
            }
        }
    }

    @Override
    public void afterCommit(ActorCell<?> cell) {
        Outbox ob = outbox.get();
        if (!ob.shipped && ob.hasContent()) {
            sendAsync(ob, "actor '" + cell.name() + "'");
        }
        ob.reset();
    }

    @Override
    public void afterRollback(ActorCell<?> cell) {
        outbox.get().reset();
    }

    @Override
    public void childSpawned(ActorCell<?> parent, ActorCell<?> child, Behavior<?> behavior) {
        Frames.ChildSpawned spawned = new Frames.ChildSpawned(child.name(), encode(behavior));
        Outbox ob = outbox.get();
        if (ob.active && Stm.inTransaction()) { // (in an after-commit hook the child starts at once: tell first)
            ob.spawns.add(spawned);
            undoInRolledBackScope(ob.spawns, spawned);
            return;
        }
        shipOnItsOwn("spawn", List.of(spawned), List.of()); // outside a handler's batch
    }

    /**
     * A spawn or watch made outside a handler's batch goes in a commit frame of its own: after the commit of the
     * transaction that made it, or at once outside any (an ask's callback, an after-commit hook).
     */
    private void shipOnItsOwn(String what, List<Frames.ChildSpawned> spawns, List<Frames.Watch> watches) {
        Runnable ship = () -> send(new Frames.Commit(nextSeq.incrementAndGet(), false, what, List.of(), List.of(),
                List.of(), List.of(), List.of(), spawns, watches));
        if (!Stm.afterCommitIfActive(ship)) {
            ship.run();
        }
    }

    @Override
    public void stopped(ActorCell<?> cell) {
        Frames.Stopped stopped = new Frames.Stopped(cell.name());
        boolean warned = false;
        while (running) {
            try {
                send(stopped);
                return;
            } catch (io.stmactors.transport.TransportBackPressureException e) {
                // Called in the middle of the actor's stop, which must not end here (children, dead letters,
                // watchers): wait for room, in place, so that nothing this stop leads to (a watcher's new actor of
                // the same name) reaches the coordinator before it.
                if (!warned) {
                    warned = true;
                    LOG.warn("Worker {}: the coordinator's inbox is full; the stop of '{}' waits to be told",
                            id, cell.name());
                }
            } catch (TransportException e) {
                LOG.warn("Worker {} could not tell the coordinator that '{}' stopped: {}", id, cell.name(), e.toString());
                return;
            }
        }
    }

    @Override
    public void closeRequested() {
        if (!running || closing || !closeRequestSent.compareAndSet(false, true)) {
            return; // closing already, or asked once
        }
        // On a thread of its own: the caller may be the inbox reader (an ask's callback), which must not wait
        // for room in the coordinator's inbox.
        Thread requester = new Thread(() -> {
            try {
                send(new Frames.CloseRequest());
            } catch (RuntimeException e) {
                closeRequestSent.set(false); // a later close() asks again
                LOG.error("Worker {} could not ask the coordinator to close the system: {}", id, e.toString());
            }
        }, "stm-actors-worker-" + id + "-close-request");
        requester.setDaemon(true);
        try {
            requester.start();
        } catch (Throwable e) { // no thread (out of memory)
            closeRequestSent.set(false);
            LOG.error("Worker {} could not ask the coordinator to close the system: {}", id, e.toString());
        }
    }

    @Override
    public void watchRemote(ActorCell<?> watcher, ActorRef<?> target, Object message) {
        Frames.Watch watch = new Frames.Watch(target.name(), watcher.name(), message == null ? null : encode(message));
        Outbox ob = outbox.get();
        if (ob.active) {
            ob.watches.add(watch);
            undoInRolledBackScope(ob.watches, watch);
            return;
        }
        shipOnItsOwn("watch", List.of(), List.of(watch));
    }

    // =====================================================================================
    // IsolatedNode: sends to actors and asks elsewhere
    // =====================================================================================

    @Override
    @SuppressWarnings("unchecked")
    public void tellRemote(String name, Object message) {
        ActorCell<Object> cell = (ActorCell<Object>) local.lookup(name);
        if (cell != null) {
            cell.tell(message);
            return;
        }
        // The request of an ask (not any message that happens to carry a reply reference): its id goes along
        PromiseRef<?> asking = LocalActorSystem.askBeingSent();
        long askId = asking != null ? promiseId(asking) : 0;
        ship(new Frames.Outgoing(name, 0, askId, encode(message)));
    }

    @Override
    public void replyRemote(int endpoint, long askId, Object message) {
        ship(new Frames.Outgoing(null, endpoint, askId, encode(message)));
    }

    private void ship(Frames.Outgoing outgoing) {
        Outbox ob = outbox.get();
        if (ob.active) {
            ob.sends.add(outgoing);
            undoInRolledBackScope(ob.sends, outgoing);
        } else if (Stm.inTransaction()) {
            Stm.afterCommit(() -> sendLoose(outgoing));
        } else {
            sendLoose(outgoing);
        }
    }

    /**
     * A send, spawn or watch a handler's transaction added to its batch is taken out again if the scope that made
     * it rolls back (a nested {@code Stm.atomic} whose exception the handler caught, the first branch of an
     * {@code orElse}): only what commits is shipped, as in the shared modes, where these are after-commit hooks.
     * (Outside a transaction, in an after-commit hook of a handler not yet shipped, nothing can roll it back.)
     */
    private static <T> void undoInRolledBackScope(List<T> batch, T added) {
        if (Stm.inTransaction()) {
            Stm.afterRollback(() -> {
                for (int i = batch.size() - 1; i >= 0; i--) {
                    if (batch.get(i) == added) {
                        batch.remove(i);
                        return;
                    }
                }
            });
        }
    }

    private void sendLoose(Frames.Outgoing outgoing) {
        Outbox temp = new Outbox();
        temp.sends.add(outgoing);
        sendAsync(temp, "send outside a handler");
    }

    // =====================================================================================
    // WireContext (worker)
    // =====================================================================================

    @Override
    public int endpoint() {
        return id;
    }

    @Override
    public long refId(Object ref) {
        Object binding = Replication.binding(ref);
        if (binding instanceof RefBinding b && b.side == this) {
            if (!b.published) {
                noteNewRef(ref);
            }
            return b.id;
        }
        if (binding != null) {
            throw new IllegalStateException("reference " + ref + " belongs to another actor system");
        }
        long newId;
        synchronized (ref) {
            if (Replication.binding(ref) instanceof RefBinding b) {
                newId = b.id;
            } else {
                newId = ((long) id << 48) | nextRefId.incrementAndGet();
                // Version 1: the one the owner gives the value its first publication ships (see markPublished).
                Replication.bind(ref, new RefBinding(newId, ref instanceof TLong, this, 1, true, false));
                refs.put(newId, new WeakReference<>(ref));
            }
        }
        noteNewRef(ref);
        return newId;
    }

    private void noteNewRef(Object ref) {
        Outbox ob = outbox.get();
        if (ob.active) {
            addNewRef(ob, ref);
        } else {
            synchronized (orphanNewRefs) {
                orphanNewRefs.add(ref);
            }
        }
    }

    @Override
    public Object ref(long refId, boolean isLong) {
        Object[] out = new Object[1];
        refs.compute(refId, (k, weak) -> {
            Object existing = weak == null ? null : weak.get();
            if (existing != null) {
                out[0] = existing;
                return weak;
            }
            Object proxy = isLong ? TLong.of(0) : TRef.of(null);
            Replication.bind(proxy, new RefBinding(refId, isLong, this, 0, false, true));
            out[0] = proxy;
            return new WeakReference<>(proxy);
        });
        if ((out[0] instanceof TLong) != isLong) {
            throw new com.esotericsoftware.kryo.KryoException("Malformed reference id #" + Long.toHexString(refId));
        }
        return out[0];
    }

    private Object existing(long refId) {
        WeakReference<Object> weak = refs.get(refId);
        return weak == null ? null : weak.get();
    }

    @Override
    public ActorRef<?> actor(String name) {
        return new RemoteActorRef<>(name, this);
    }

    /**
     * The first ask id of this process, above every id an earlier incarnation of this worker can have used: a reply
     * carries only the worker's endpoint and the ask id, and the coordinator hands it to whichever process has the
     * endpoint now, so a restarted worker that numbered its asks from 1 again took a reply to its dead predecessor's
     * ask #1 for the answer to its own. The base is the wall-clock millisecond times 2<sup>20</sup>: a predecessor
     * would have had to make more than 2<sup>20</sup> asks per millisecond of its life (or the clock step back by
     * that life) to reach it.
     */
    static long askIdBase() {
        return System.currentTimeMillis() << 20;
    }

    @Override
    public long promiseId(PromiseRef<?> promise) {
        long askId = promise.wireId();
        if (askId == 0) {
            askId = nextAsk.incrementAndGet();
            promise.wireId(askId);
            asks.put(askId, promise);
            long registered = askId;
            promise.future().whenComplete((r, e) -> asks.remove(registered));
        }
        return askId;
    }

    @Override
    public ActorRef<?> reply(int endpoint, long askId) {
        if (endpoint == id) {
            PromiseRef<?> promise = asks.get(askId);
            if (promise != null) {
                return promise;
            }
        }
        return new ReplyRef<>(endpoint, askId, this);
    }

    // =====================================================================================
    // Encoding and sending
    // =====================================================================================

    byte[] encode(Object value) {
        return Wire.with(this, () -> codec.encode(new Boxed(value)));
    }

    Object decode(byte[] bytes) {
        return Wire.unbox(Wire.with(this, () -> codec.decode(Wire.present(bytes))));
    }

    private void send(Object frame) {
        transport.send(0, Frames.TYPE, Wire.with(this, () -> codec.encode(frame)));
        framesSent.incrementAndGet();
    }

    private void sendUncounted(Object frame) {
        try {
            transport.send(0, Frames.TYPE, Wire.with(this, () -> codec.encode(frame)));
        } catch (TransportException e) {
            LOG.warn("Worker {} could not reach the coordinator: {}", id, e.toString());
        }
    }
}
