package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.ActorSystemDiagnostics;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Mode;
import io.stmactors.actors.Terminated;
import io.stmactors.actors.internal.NameReservation;
import io.stmactors.actors.internal.PromiseRef;
import io.stmactors.stm.Stm;
import io.stmactors.transport.CodecException;
import io.stmactors.transport.KryoCodec;
import io.stmactors.transport.SharedMemoryTransport;
import io.stmactors.transport.Transport;
import io.stmactors.transport.TransportConfig;
import io.stmactors.transport.TransportBackPressureException;
import io.stmactors.transport.TransportException;
import io.stmactors.transport.UnregisteredClassException;
import io.stmactors.transport.pekko.EndpointMembershipListener;
import io.stmactors.transport.pekko.PekkoTransport;
import io.stmactors.transport.pekko.PekkoTransportConfig;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The coordinator of an isolated-process system: the calling JVM launches N worker JVMs (same
 * classpath), places each top-level actor in one of them ({@link io.stmactors.actors.Placement};
 * children live with their parent), owns the shared heap ({@link HeapOwner}), and routes the
 * messages of committed handlers. Everything that crosses a process boundary is Kryo-serialized
 * and carried by the shared-memory transport (one ring-buffer inbox per process, in a private
 * temporary directory removed by {@link #close()}).
 *
 * <h2>Threads</h2>
 * One poll thread handles every frame from the workers, in order: owner decisions, routing, fetch
 * answers. User threads may spawn, tell and ask concurrently. Worker processes are watched with
 * {@link Process#onExit()}: a dead worker is detected at once, its actors are reported lost, asks
 * to them fail, and (by default) it is restarted and its actors re-created from the last state
 * their commits shipped to the owner.
 */
public final class IsolatedActorSystem implements ActorSystem, ActorSystemDiagnostics, WireContext, IsolatedNode,
        HeapOwner.Outlet {
    private static final Logger LOG = LoggerFactory.getLogger(IsolatedActorSystem.class);
    private static final Logger DEAD_LETTERS = LoggerFactory.getLogger("io.stmactors.deadLetters");

    /** Flags every worker JVM gets, whatever the user passed: Agrona, Kryo closures. */
    static final List<String> REQUIRED_JVM_FLAGS = List.of(
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED");

    private final ActorSystemConfig config;
    private final KryoCodec codec;
    private final HeapOwner owner;
    private final Path directory;
    private final long secret;
    private final Transport transport;
    private final WorkerHandle[] workers;
    private final ConcurrentMap<String, ActorEntry> registry = new ConcurrentHashMap<>();
    private final Map<String, List<WatchEntry>> watchers = new ConcurrentHashMap<>();
    /** The other way round: for each watcher, the targets whose lists hold it (a stopped watcher leaves them). */
    private final Map<String, Set<String>> watching = new ConcurrentHashMap<>();
    private final Map<Long, PendingAsk> asks = new ConcurrentHashMap<>();
    /** Actors lost with a worker that was not restarted, and why (asks to them fail at once, saying so). */
    private final Map<String, String> lostActors = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Frames.Status>> statusReplies = new ConcurrentHashMap<>();
    private final AtomicLong askIds = new AtomicLong();
    private final AtomicLong statusIds = new AtomicLong();
    private final LongAdder deadLetters = new LongAdder();
    private final LongAdder malformedFrames = new LongAdder();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final ScheduledThreadPoolExecutor timer;
    /**
     * Sends {@link Frames.AsksFail} notices, so that neither the poll thread (which may hold the owner lock) nor the
     * thread that learns of a worker's death (Process.onExit's, or Pekko's membership actor) waits for room in a
     * worker's inbox.
     */
    private final java.util.concurrent.ExecutorService notices;
    private final Thread pollThread;
    private volatile boolean polling = true;
    private volatile Frames.Status[] lastStatus;

    /** A top-level or child actor, where it lives, and what the owner keeps to re-create it. */
    static final class ActorEntry {
        final String name;
        volatile int worker;
        final byte[] initialBehavior;
        volatile byte[] behavior;
        volatile byte[] state;
        volatile boolean hasState;
        /** The spawning transaction's claim on the name, until it committed (null outside one). */
        volatile NameReservation reservation;

        ActorEntry(String name, int worker, byte[] initialBehavior) {
            this.name = name;
            this.worker = worker;
            this.initialBehavior = initialBehavior;
        }
    }

    private record WatchEntry(String watcher, byte[] message) {
    }

    private record PendingAsk(PromiseRef<?> promise, String target) {
    }

    public IsolatedActorSystem(ActorSystemConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        if (config.workers() > 62) {
            throw new IllegalArgumentException("ISOLATED_PROCESSES supports at most 62 workers, got " + config.workers());
        }
        ReplicationRouter.ensureInstalled();
        this.codec = Wire.codec(config.registeredClasses());
        this.owner = new HeapOwner(this);
        PekkoTransportConfig pekko = config.pekkoTransport();
        this.secret = pekko != null ? pekko.clusterSecret() : new SecureRandom().nextLong();
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, config.name() + "-coordinator-timer");
            timerThread = t;
            t.setDaemon(true);
            return t;
        });
        this.timer.setRemoveOnCancelPolicy(true);
        this.notices = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, config.name() + "-coordinator-notices");
            noticesThread = t;
            t.setDaemon(true);
            return t;
        });
        try {
            this.directory = Files.createTempDirectory("stm-actors-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the isolated mode's private directory", e);
        }
        try {
            this.transport = openTransport(pekko);
        } catch (RuntimeException | Error e) {
            deleteDirectory(); // nothing else is open yet: the directory is all there is to clean up
            throw e;
        }
        this.workers = new WorkerHandle[config.workers()];
        this.pollThread = new Thread(this::pollLoop, config.name() + "-coordinator");
        this.pollThread.setDaemon(true);
        this.pollThread.start();
        boolean started = false;
        try {
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new WorkerHandle(i + 1, this, !config.launchWorkers());
            }
            if (config.launchWorkers()) {
                for (WorkerHandle w : workers) {
                    w.launch();
                }
            } else {
                LOG.info("Isolated actor system '{}' waits for {} workers: on each host run "
                                + "'{}=<secret> stm-actors worker --join {} --id N' with N in 1..{}", config.name(),
                        workers.length, WorkerMain.SECRET_ENV, coordinatorAddress(), workers.length);
            }
            long deadline = System.nanoTime() + config.workerStartTimeout().toNanos();
            for (WorkerHandle w : workers) {
                w.awaitReady(deadline);
            }
            started = true;
            LOG.debug("Isolated actor system '{}' started: {} worker processes in {}", config.name(), workers.length, directory);
        } finally {
            if (!started) {
                shutdownEverything();
            }
        }
    }

    /** The coordinator's transport: a Pekko cluster member, or shared-memory rings in the private directory. */
    private Transport openTransport(PekkoTransportConfig pekko) {
        if (pekko != null) {
            PekkoTransport cluster = PekkoTransport.open(pekko);
            cluster.addMembershipListener(new EndpointMembershipListener() {
                @Override
                public void onEndpointRemoved(int endpointId, String address, RemovalReason reason) {
                    if (endpointId >= 1 && endpointId <= workers.length && workers[endpointId - 1] != null) {
                        workers[endpointId - 1].memberRemoved(reason.toString());
                    }
                }
            });
            return cluster;
        } else {
            return SharedMemoryTransport.open(TransportConfig.builder()
                    .directory(directory).endpointId(0).clusterSecret(secret)
                    .ringCapacity(8 * 1024 * 1024).build());
        }
    }

    // =====================================================================================
    // ActorSystem
    // =====================================================================================

    @Override
    public <M> ActorRef<M> spawn(Behavior<M> behavior, String name) {
        Objects.requireNonNull(behavior, "behavior");
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("invalid actor name '" + name + "': it must be non-empty and contain no '/'");
        }
        if (closed.get()) {
            throw new IllegalStateException("actor system '" + config.name() + "' is closed; cannot spawn '" + name + "'");
        }
        byte[] bytes = encodeBehavior(behavior, name);
        int index = config.placement().workerFor(name, workers.length);
        if (index < 0 || index >= workers.length) {
            throw new IllegalStateException("placement put '" + name + "' on worker " + index + " of " + workers.length);
        }
        if (workers[index].gone()) {
            index = liveWorkerInstead(name, index);
        }
        ActorEntry entry = new ActorEntry(name, index + 1, bytes);
        entry.reservation = NameReservation.ofCurrentTransaction();
        NameReservation.reserve(registry, name, entry, e -> e.reservation,
                () -> new IllegalArgumentException("actor name '" + name + "' is already in use"));
        lostActors.remove(name);
        Runnable send = () -> {
            entry.reservation = null;
            if (loseIfGone(entry)) { // its worker died for good since the check above
                return;
            }
            Frames.Spawn frame = new Frames.Spawn(name, bytes, null, null, false);
            int worker = entry.worker;
            try {
                // false: not sent (a worker being restarted or dying creates it from the registry when it is back)
                workers[worker - 1].sendWork(() -> sendTo(worker, frame, true));
            } catch (TransportBackPressureException e) {
                // Never created: the name is free again, and the caller hears it, also an ask's callback on the
                // poll thread (logged there too: a callback's exception ends in its future, which may go unread)
                registry.remove(name, entry);
                throw e;
            }
        };
        if (Stm.inTransaction()) {
            Stm.afterRollback(() -> registry.remove(name, entry));
            Stm.afterCommit(send);
        } else {
            send.run();
        }
        return new RemoteActorRef<>(name, this);
    }

    /**
     * The worker (index) for a new top-level actor whose placement chose worker {@code chosen}, which died and
     * is not restarted: one of the ready workers, picked by the name's hash as {@link #replaceOnLiveWorkers}
     * does, else one being restarted; throws if there is none.
     */
    private int liveWorkerInstead(String name, int chosen) {
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < workers.length; i++) {
            if (!workers[i].gone() && workers[i].ready()) {
                live.add(i);
            }
        }
        if (live.isEmpty()) { // none ready: one being restarted takes it (its actors are created when it is back)
            for (int i = 0; i < workers.length; i++) {
                if (!workers[i].gone()) {
                    live.add(i);
                }
            }
        }
        if (live.isEmpty()) {
            throw new IllegalStateException("cannot spawn '" + name + "': its worker process " + (chosen + 1)
                    + " died and is not restarted, and no other worker process is running");
        }
        int index = live.get(Math.floorMod(name.hashCode(), live.size()));
        LOG.info("Actor '{}' placed on worker {}: worker {}, its placement's choice, died and is not restarted",
                name, index + 1, chosen + 1);
        return index;
    }

    private byte[] encodeBehavior(Behavior<?> behavior, String name) {
        try {
            return encode(behavior);
        } catch (UnregisteredClassException e) {
            throw new IllegalArgumentException("the behavior of actor '" + name + "' cannot be shipped to a worker "
                    + "process: it holds an unregistered class, " + e.unregisteredClass().getName()
                    + ". What a behavior's lambdas capture is copied to the worker: register message and state "
                    + "classes with ActorSystemConfig.builder().register(...), and share state through "
                    + "TRef/TLong/TMap rather than plain objects. (" + e.getMessage() + ")", e);
        } catch (CodecException e) {
            throw new IllegalArgumentException("the behavior of actor '" + name + "' cannot be shipped to a worker "
                    + "process: " + e.getMessage() + ". Build behaviors with io.stmactors.actors.Behaviors from "
                    + "lambdas (they are serializable) and register the classes they capture.", e);
        }
    }

    @Override
    public <M, R> CompletableFuture<R> ask(ActorRef<M> target, Function<ActorRef<R>, M> request, Duration timeout) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<R> future = new CompletableFuture<>();
        if (closed.get()) {
            future.completeExceptionally(new IllegalStateException("actor system '" + config.name() + "' is closed"));
            return future;
        }
        String unavailable = unavailable(target.name());
        if (unavailable != null) {
            future.completeExceptionally(new IllegalStateException("ask to actor '" + target.name() + "' failed: "
                    + unavailable));
            return future;
        }
        long id = askIds.incrementAndGet();
        PromiseRef<R> replyTo = new PromiseRef<>(future, "ask-" + id + "-to-" + target.name());
        replyTo.wireId(id);
        M message = request.apply(replyTo);
        Objects.requireNonNull(message, "request produced a null message");
        // Registered only now: a request that throws or produces null leaves nothing behind. Nothing can answer
        // before the message is sent, below; the reply-to's wire id is set above, so encoding it registers nothing.
        asks.put(id, new PendingAsk(replyTo, target.name()));
        java.util.concurrent.ScheduledFuture<?> timeoutTask;
        try {
            timeoutTask = timer.schedule(() -> future.completeExceptionally(new TimeoutException(
                    "ask to actor '" + target.name() + "' timed out after " + timeout.toMillis() + " ms (request "
                            + message.getClass().getSimpleName() + ")")),
                    io.stmactors.actors.internal.LocalActorSystem.saturatedNanos(timeout), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            asks.remove(id);
            future.completeExceptionally(new IllegalStateException("actor system '" + config.name() + "' is closed"));
            return future;
        }
        future.whenComplete((r, e) -> {
            timeoutTask.cancel(false);
            asks.remove(id);
        });
        try {
            target.tell(message);
        } catch (RuntimeException e) {
            future.completeExceptionally(e);
            throw e;
        }
        return future;
    }

    /**
     * Why actor {@code name} cannot answer an ask now, or null: its worker process died and is being
     * restarted (the message would be a dead letter), or died and was not restarted. (An actor that
     * stopped, or never existed, gets the dead letter and the ask times out, as in the other modes.)
     */
    private String unavailable(String name) {
        ActorEntry e = registry.get(name);
        if (e != null) {
            WorkerHandle w = workers[e.worker - 1];
            if (w.gone()) {
                return "its worker process " + e.worker + " " + w.goneReason();
            }
            return w.ready() || !w.everReady() ? null
                    : "its worker process " + e.worker + " died and is being restarted; asks fail until it is back";
        }
        return lostActors.get(name);
    }

    @Override
    public ActorSystemDiagnostics diagnostics() {
        return this;
    }

    @Override
    public Mode mode() {
        return Mode.ISOLATED_PROCESSES;
    }

    @Override
    public int workers() {
        return workers.length;
    }

    @Override
    public ActorSystemConfig config() {
        return config;
    }

    /** The private directory holding the ring-buffer files (removed by {@link #close()}). */
    public Path directory() {
        return directory;
    }

    /** Where workers join: {@code host:port} of the Pekko cluster, or null on shared memory. */
    public String coordinatorAddress() {
        return transport instanceof PekkoTransport p ? p.address() : null;
    }

    /** The cluster secret workers need (hexadecimal), to hand to external workers out of band. */
    public String clusterSecretHex() {
        return Long.toHexString(secret);
    }

    /** The command-line arguments of a worker JVM this coordinator launches. */
    List<String> workerArguments(int endpoint) {
        List<String> args = new ArrayList<>();
        args.add("--id=" + endpoint);
        PekkoTransportConfig pekko = config.pekkoTransport();
        if (pekko != null) {
            args.add("--transport=pekko");
            args.add("--join=" + coordinatorAddress());
            args.add("--host=" + pekko.hostname());
            args.add("--port=0");
            args.add("--heartbeat-ms=" + pekko.heartbeatInterval().toMillis());
            args.add("--pause-ms=" + pekko.acceptableHeartbeatPause().toMillis());
            args.add("--stable-ms=" + pekko.downingStableAfter().toMillis());
        } else {
            args.add("--transport=shm");
            args.add("--dir=" + directory);
            args.add("--coordinator=" + ProcessHandle.current().pid());
        }
        return args;
    }

    /** The OS process of worker {@code index} (0-based), for tests and tools. */
    public Process workerProcess(int index) {
        return workers[index].process();
    }

    /** The heap owner (tests in this package: its lock orders the poll thread's commit handling). */
    HeapOwner heapOwner() {
        return owner;
    }

    /** The worker index (0-based) hosting actor {@code name}, or -1. */
    public int workerOf(String name) {
        ActorEntry e = registry.get(name);
        return e == null ? -1 : e.worker - 1;
    }

    /**
     * Sizes of the coordinator's tables and, summed over the live workers, of theirs: what must not grow
     * without bound while a system runs (reliability checks, diagnostics).
     *
     * @param sharedReferences  references in the heap owner's table (with their versions and holders)
     * @param actors            actors in the coordinator's registry (as {@link #liveActors()})
     * @param watches           actors with watchers registered at the coordinator
     * @param pendingAsks       asks of the coordinator waiting for a reply
     * @param workerReplicas    shared references the workers keep a replica (or an entry) of
     * @param workerPendingAsks asks made in the workers waiting for a reply
     * @param workerRestarts    as {@link #workerRestarts()}
     */
    public record Tables(int sharedReferences, int actors, int watches, int pendingAsks, long workerReplicas,
                         long workerPendingAsks, int workerRestarts) {
    }

    /** The sizes of the coordinator's and the workers' tables now (asks each live worker for its status). */
    public Tables tables() {
        long replicas = 0;
        long workerAsks = 0;
        for (Frames.Status s : statuses()) {
            if (s != null) {
                replicas += s.replicas();
                workerAsks += s.pendingAsks();
            }
        }
        return new Tables(owner.size(), registry.size(), watchers.size(), asks.size(), replicas, workerAsks,
                workerRestarts());
    }

    /** The handle of worker {@code index} (0-based, as {@link #workerProcess}); for tests of the package. */
    WorkerHandle workerHandle(int index) {
        return workers[index];
    }

    /** Number of worker restarts so far. */
    public int workerRestarts() {
        int n = 0;
        for (WorkerHandle w : workers) {
            n += w.restarts();
        }
        return n;
    }

    // =====================================================================================
    // Close and quiescence
    // =====================================================================================

    @Override
    public void close() {
        Thread current = Thread.currentThread();
        if (current == pollThread || current == timerThread || current == noticesThread) {
            // A callback of an ask's future completed there: close() waits for answers only the poll thread reads,
            // and would hold up every other ask's timeout or notice; it runs on a thread of its own.
            closeInBackground();
            return;
        }
        if (Thread.currentThread() == closingThread) {
            return; // a callback the close itself runs (a pending ask it fails): the close is under way
        }
        if (!closed.compareAndSet(false, true)) {
            terminated.join();
            return;
        }
        closeClaimed();
    }

    /** The close itself, by the thread that set {@link #closed}. */
    private void closeClaimed() {
        closingThread = Thread.currentThread();
        try {
            long deadline = System.nanoTime() + config.closeTimeout().toNanos();
            if (!awaitQuiescence(deadline)) {
                LOG.warn("Isolated actor system '{}': still busy after the close timeout ({}); stopping anyway. {}",
                        config.name(), config.closeTimeout(), busyReport());
            }
        } finally {
            shutdownEverything();
            terminated.complete(null);
        }
    }

    /**
     * Starts the close ({@link #closeClaimed}) on a thread of its own, unless the system is closing already; not a daemon, so that
     * the close finishes (workers stopped, files removed) even if the program's main thread has returned.
     */
    private void closeInBackground() {
        if (closed.compareAndSet(false, true)) { // here, so that only the thread that does the close is started
            try {
                Thread closer = new Thread(this::closeClaimed, config.name() + "-close");
                closer.setDaemon(false);
                closer.start();
            } catch (Throwable e) { // no thread (out of memory): leave the close to the next close() of the program's
                closed.set(false);
                LOG.error("Isolated actor system '{}': could not start closing it: {}", config.name(), e.toString());
            }
        }
    }

    /** The thread running the close, once one does (callbacks it runs may call close() again). */
    private volatile Thread closingThread;

    /** The thread of {@link #timer} (a single one, replaced only if it died). */
    private volatile Thread timerThread;
    /** The thread of {@link #notices}, once it started. */
    private volatile Thread noticesThread;

    /** Quiet: every frame sent was received, no worker busy, twice in a row with the same counters. */
    private boolean awaitQuiescence(long deadline) {
        String previous = null;
        while (System.nanoTime() < deadline) {
            Frames.Status[] statuses = pollStatuses(Duration.ofSeconds(5));
            if (statuses != null) {
                StringBuilder key = new StringBuilder();
                boolean quiet = true;
                for (int i = 0; i < workers.length; i++) {
                    WorkerHandle w = workers[i];
                    Frames.Status s = statuses[i];
                    if (!w.alive()) {
                        continue;
                    }
                    if (s == null || !s.idle() || s.tellsReceived() != w.framesSent() || s.commitsSent() != w.framesReceived()) {
                        quiet = false;
                        break;
                    }
                    key.append(w.framesSent()).append('/').append(w.framesReceived()).append(';');
                }
                if (quiet && key.toString().equals(previous)) {
                    return true;
                }
                previous = quiet ? key.toString() : null;
            }
            sleep(quietPause());
        }
        return false;
    }

    /** Why the last quiescence check failed, per worker. */
    private String busyReport() {
        Frames.Status[] statuses = lastStatus;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < workers.length; i++) {
            WorkerHandle w = workers[i];
            Frames.Status s = statuses == null ? null : statuses[i];
            sb.append("worker ").append(w.endpoint()).append(": ");
            if (!w.alive()) {
                sb.append("dead; ");
            } else if (s == null) {
                sb.append("no status; ");
            } else {
                sb.append(s.idle() ? "idle" : "busy").append(", frames to it ").append(w.framesSent())
                        .append(" (it received ").append(s.tellsReceived()).append("), from it ")
                        .append(s.commitsSent()).append(" (received here ").append(w.framesReceived()).append("); ");
            }
        }
        return sb.toString();
    }

    private static long quietPause() {
        return 2;
    }

    private Frames.Status[] pollStatuses(Duration timeout) {
        Frames.Status[] out = new Frames.Status[workers.length];
        List<CompletableFuture<Frames.Status>> futures = new ArrayList<>();
        long[] ids = new long[workers.length];
        for (int i = 0; i < workers.length; i++) {
            if (!workers[i].alive()) {
                futures.add(null);
                continue;
            }
            long id = statusIds.incrementAndGet();
            ids[i] = id;
            CompletableFuture<Frames.Status> f = new CompletableFuture<>();
            statusReplies.put(id, f);
            futures.add(f);
            if (!workers[i].ready() || !sendControl(workers[i].endpoint(), new Frames.StatusRequest(id))) {
                f.complete(null);
            }
        }
        try {
            for (int i = 0; i < workers.length; i++) {
                CompletableFuture<Frames.Status> f = futures.get(i);
                if (f != null) {
                    out[i] = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            lastStatus = out;
            return out;
        } catch (Exception e) {
            return null;
        } finally {
            for (long id : ids) {
                statusReplies.remove(id);
            }
        }
    }

    private void shutdownEverything() {
        for (WorkerHandle w : workers) {
            if (w != null) {
                w.stopping(() -> sendControl(w.endpoint(), new Frames.Shutdown()));
            }
        }
        for (WorkerHandle w : workers) {
            if (w != null) {
                w.awaitExit(Duration.ofSeconds(10));
            }
        }
        awaitFinalStatuses(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
        // Only now: the workers' handlers commit until their final status (which follows their last commit on the
        // FIFO inbox), and each commit needs new versions and updates to the other holders. A closed owner
        // refuses a commit to shared references; it must never accept one without them (a lost update).
        owner.close();
        polling = false;
        try {
            pollThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        notices.shutdownNow();
        transport.close();
        timer.shutdownNow();
        for (WorkerHandle w : workers) {
            if (w != null) {
                w.relayProblems();
                w.deleteLog();
            }
        }
        deleteDirectory();
        // Last: the futures run their callbacks here, and one may call close() again (it returns at once)
        for (PendingAsk a : List.copyOf(asks.values())) {
            a.promise().future().completeExceptionally(new IllegalStateException(
                    "actor system '" + config.name() + "' closed before the reply arrived"));
        }
    }

    /**
     * The workers that exited sent their final counters before exiting (a worker started by hand sends them
     * too, then leaves): wait (bounded) until the poll thread has read them, then keep them as the last status,
     * so that the diagnostics after close include what the close itself did (the messages it turned into dead
     * letters).
     */
    private void awaitFinalStatuses(long deadline) {
        Frames.Status[] last = lastStatus;
        Frames.Status[] merged = new Frames.Status[workers.length];
        for (int i = 0; i < workers.length; i++) {
            WorkerHandle w = workers[i];
            if (w == null) {
                continue;
            }
            while (w.finalStatus() == null && (w.exitedNormally() || (w.external() && w.alive()))
                    && System.nanoTime() < deadline) {
                sleep(1);
            }
            merged[i] = w.finalStatus() != null ? w.finalStatus() : last != null ? last[i] : null;
        }
        lastStatus = merged;
    }

    private void deleteDirectory() {
        try (var files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("could not delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            LOG.warn("could not clean up {}: {}", directory, e.toString());
        }
    }

    // =====================================================================================
    // Frames from the workers (poll thread)
    // =====================================================================================

    private void pollLoop() {
        IdleStrategy idle = new BackoffIdleStrategy(64, 64, 1_000, 200_000);
        while (polling) {
            int n;
            try {
                n = transport.poll(this::onFrame, 256);
            } catch (TransportException e) {
                if (!polling) {
                    return;
                }
                LOG.error("Coordinator transport failed", e);
                n = 0;
            } catch (RuntimeException | Error e) {
                LOG.error("Coordinator failed handling a frame", e);
                n = 1;
            }
            idle.idle(n);
        }
    }

    private void onFrame(int source, int type, DirectBuffer buffer, int offset, int length) {
        if (source < 1 || source > workers.length || type != Frames.TYPE) {
            malformedFrames.increment();
            LOG.warn("Coordinator dropped a frame from endpoint {} of type {}", source, type);
            return;
        }
        WorkerHandle worker = workers[source - 1];
        Object frame;
        try {
            frame = Frames.checked(Wire.with(this, () -> codec.decode(buffer, offset, length)));
        } catch (CodecException e) {
            malformedFrames.increment();
            worker.countReceived();
            LOG.error("Coordinator could not decode a frame from worker {}: {}", source, e.getMessage());
            return;
        }
        if (!(frame instanceof Frames.Hello) && !(frame instanceof Frames.Ready) && !(frame instanceof Frames.Status)) {
            worker.countReceived();
        }
        if (frame instanceof Frames.Hello h) {
            onHello(worker, h);
        } else if (frame instanceof Frames.Ready r) {
            onReady(worker, r);
        } else if (frame instanceof Frames.Commit c) {
            onCommit(worker, c);
        } else if (frame instanceof Frames.Fetch f) {
            onFetch(worker, f);
        } else if (frame instanceof Frames.Stopped s) {
            onStopped(s.name());
        } else if (frame instanceof Frames.CloseRequest) {
            LOG.debug("Isolated actor system '{}': user code on worker {} closes the system", config.name(), source);
            closeInBackground();
        } else if (frame instanceof Frames.Status s && s.seq() == Frames.FINAL_STATUS) {
            worker.finalStatus(s);
        } else if (frame instanceof Frames.Status s) {
            CompletableFuture<Frames.Status> f = statusReplies.get(s.seq());
            if (f != null) {
                f.complete(s);
            }
        } else {
            malformedFrames.increment();
            LOG.warn("Coordinator got an unexpected {} from worker {}", frame.getClass().getSimpleName(), source);
        }
    }

    private void onHello(WorkerHandle worker, Frames.Hello hello) {
        if (worker.everReady() && !worker.ready()) {
            owner.forgetHolder(worker.endpoint()); // a restarted process: its predecessor's frames are all handled
        }
        worker.hello(hello.pid());
        List<String> names = new ArrayList<>();
        for (Class<?> type : config.registeredClasses()) {
            names.add(type.getName());
        }
        long timeout = config.handlerTimeout() == null ? 0 : config.handlerTimeout().toMillis();
        try {
            transport.send(worker.endpoint(), Frames.TYPE, encodeFrame(new Frames.Configure(names, config.name(),
                    config.throughput(), config.threadsPerWorker(), timeout, owner.refIdFloor(worker.endpoint()))));
        } catch (TransportException e) {
            LOG.error("Could not configure worker {}: {}", worker.endpoint(), e.toString());
        }
    }

    private void onReady(WorkerHandle worker, Frames.Ready ready) {
        if (ready.fingerprint() != codec.fingerprint()) {
            LOG.error("Worker {} registered classes differently (codec fingerprint {} vs {}): stopping it",
                    worker.endpoint(), Long.toHexString(ready.fingerprint()), Long.toHexString(codec.fingerprint()));
            worker.fail(new IllegalStateException("worker " + worker.endpoint() + " has a different class registration"));
            return;
        }
        if (worker.ready()) {
            return; // duplicate
        }
        boolean restart = worker.markReady();
        if (restart) {
            restoreActors(worker);
        }
    }

    /**
     * A worker's commit: the owner checks it completely and applies its part of the heap, or changes
     * nothing (a conflict: the worker re-runs; a refusal: its transaction fails); then, once applied,
     * what it did to actors: spawns, new states, watches, and its sends, forwarded after the updates.
     */
    private void onCommit(WorkerHandle worker, Frames.Commit c) {
        int w = worker.endpoint();
        owner.lock.lock();
        try {
            String malformed = malformed(c);
            HeapOwner.Verdict verdict = malformed != null ? HeapOwner.Verdict.refused(malformed)
                    : owner.commit(w, c, this::decode);
            if (verdict.decision() == HeapOwner.Decision.CONFLICT) {
                if (c.sync()) {
                    sendControl(w, new Frames.CommitResult(c.seq(), false, null, null, verdict.conflictId(),
                            owner.lastUpdateTo(w), null));
                }
                return;
            }
            if (verdict.decision() == HeapOwner.Decision.REFUSED) {
                malformedFrames.increment();
                LOG.error("Coordinator refused commit {} of worker {} ({}): {}", c.seq(), w, c.transaction(),
                        verdict.refusal());
                if (c.sync()) {
                    sendControl(w, new Frames.CommitResult(c.seq(), false, null, null, 0, owner.lastUpdateTo(w),
                            verdict.refusal()));
                }
                return;
            }
            try {
                applyToActors(w, c);
            } catch (RuntimeException e) {
                LOG.error("Coordinator applied commit {} of worker {} ({}) to the heap, but not all of it to its actors",
                        c.seq(), w, c.transaction(), e);
            }
            if (c.sync()) {
                sendControl(w, new Frames.CommitResult(c.seq(), true, verdict.writtenIds(), verdict.versions(), 0,
                        owner.lastUpdateTo(w), null));
            }
        } finally {
            owner.lock.unlock();
        }
    }

    /** Why a commit's actor part is malformed (it would fail half applied), or null. */
    private static String malformed(Frames.Commit c) {
        if (c.sends() == null || c.actors() == null || c.spawns() == null || c.watches() == null) {
            return "malformed commit: a missing list";
        }
        for (Frames.ChildSpawned s : c.spawns()) {
            if (s == null || s.name() == null || s.name().isEmpty() || s.behavior() == null) {
                return "malformed commit: a spawn without a name or behavior";
            }
        }
        for (Frames.ActorState st : c.actors()) {
            if (st == null || st.name() == null) {
                return "malformed commit: an actor state without a name";
            }
        }
        for (Frames.Watch watch : c.watches()) {
            if (watch == null || watch.target() == null || watch.watcher() == null) {
                return "malformed commit: a watch without its actors";
            }
        }
        for (Frames.Outgoing o : c.sends()) {
            if (o == null || o.message() == null) {
                return "malformed commit: a send without a message";
            }
        }
        return null;
    }

    private void applyToActors(int w, Frames.Commit c) {
        for (Frames.ChildSpawned s : c.spawns()) {
            ActorEntry entry = new ActorEntry(s.name(), w, s.behavior());
            if (registry.putIfAbsent(s.name(), entry) != null) {
                LOG.warn("Worker {} spawned '{}', a name already in use elsewhere; messages go to the first", w, s.name());
            } else {
                loseIfGone(entry); // a commit of a worker that died for good, read from the inbox after its death
            }
        }
        for (Frames.ActorState st : c.actors()) {
            ActorEntry entry = registry.get(st.name());
            if (entry != null) {
                if (st.behavior() != null) {
                    entry.behavior = st.behavior();
                }
                if (st.hasState()) {
                    entry.state = st.state();
                    entry.hasState = true;
                } else if (st.behavior() != null) {
                    entry.state = null;
                    entry.hasState = false;
                }
            }
        }
        for (Frames.Watch watch : c.watches()) {
            addWatch(watch);
        }
        for (Frames.Outgoing o : c.sends()) {
            forward(w, o);
        }
    }

    private void onFetch(WorkerHandle worker, Frames.Fetch f) {
        owner.lock.lock();
        try {
            List<Frames.RefValue> values = owner.fetch(worker.endpoint(), f.ids());
            sendControl(worker.endpoint(), new Frames.Fetched(f.requestId(), values, owner.lastUpdateTo(worker.endpoint())));
        } finally {
            owner.lock.unlock();
        }
    }

    private void onStopped(String name) {
        ActorEntry entry = registry.remove(name);
        if (entry == null) {
            return;
        }
        List<WatchEntry> list;
        synchronized (watching) { // with addWatch: a worker's death runs this on another thread than the poll thread
            Set<String> watched = watching.remove(name);
            if (watched != null) {
                // A stopped watcher is taken off the lists of what it watched, as in the shared modes: the lists of
                // long-lived actors do not grow with short-lived watchers, and an actor that takes the name later
                // is not told of a watch it never made.
                for (String target : watched) {
                    watchers.computeIfPresent(target, (k, entries) -> {
                        entries.removeIf(w -> w.watcher().equals(name));
                        return entries.isEmpty() ? null : entries;
                    });
                }
            }
            list = watchers.remove(name);
            if (list != null) {
                for (WatchEntry we : list) {
                    watching.computeIfPresent(we.watcher(), (k, targets) -> {
                        targets.remove(name);
                        return targets.isEmpty() ? null : targets;
                    });
                }
            }
        }
        if (list != null) {
            for (WatchEntry we : list) {
                notifyWatcher(name, we);
            }
        }
    }

    private void addWatch(Frames.Watch watch) {
        WatchEntry we = new WatchEntry(watch.watcher(), watch.message());
        synchronized (watching) {
            if (registry.containsKey(watch.target())) {
                watchers.compute(watch.target(), (k, list) -> {
                    List<WatchEntry> entries = list != null ? list : new CopyOnWriteArrayList<>();
                    entries.removeIf(w -> w.watcher().equals(we.watcher())); // told once; the latest watch's message
                    entries.add(we);
                    return entries;
                });
                watching.compute(watch.watcher(), (k, targets) -> {
                    Set<String> set = targets != null ? targets : ConcurrentHashMap.newKeySet();
                    set.add(watch.target());
                    return set;
                });
                return;
            }
        }
        notifyWatcher(watch.target(), we);
    }

    private void notifyWatcher(String target, WatchEntry we) {
        byte[] bytes = we.message() != null ? we.message() : encode(new Terminated(new RemoteActorRef<>(target, this)));
        deliver(we.watcher(), bytes);
    }

    private void forward(int from, Frames.Outgoing o) {
        if (o.isReply()) {
            if (o.replyEndpoint() == 0) {
                completeAsk(o.askId(), o.message());
            } else {
                sendControl(o.replyEndpoint(), new Frames.Reply(o.askId(), o.message()));
            }
            return;
        }
        if (!deliver(o.target(), o.message()) && o.askId() != 0) {
            String why = unavailable(o.target());
            if (why != null) {
                // the request of the sender's ask o.askId() is a dead letter: that ask fails now rather than by timeout
                notifyAsksFail(from, new Frames.AsksFail(List.of(o.target()), o.askId(), why));
            }
        }
    }

    private boolean deliver(String target, byte[] message) {
        return deliver(target, message, false);
    }

    /**
     * Sends a message to the worker hosting {@code target}; a dead letter if there is none or it is not ready.
     * With {@code fromCaller} (a tell from a coordinator thread of the user's), a worker inbox that stays full past
     * the send timeout is the caller's {@link TransportBackPressureException}, as the README promises, not a dead
     * letter; forwarded sends of the workers' handlers (the poll thread) count one and log it.
     */
    private boolean deliver(String target, byte[] message, boolean fromCaller) {
        ActorEntry entry = registry.get(target);
        if (entry == null || !workers[entry.worker - 1].ready()) {
            deadLetter(target);
            return false;
        }
        Frames.Tell tell = new Frames.Tell(target, message);
        int worker = entry.worker; // once: the gate and the send are the same worker's even if the entry moves
        if (!workers[worker - 1].sendWork(() -> sendTo(worker, tell, fromCaller))) {
            deadLetter(target);
            return false;
        }
        return true;
    }

    private void completeAsk(long askId, byte[] bytes) {
        PendingAsk ask = asks.get(askId);
        if (ask == null) {
            return; // timed out or answered: dropped silently
        }
        Object message;
        try {
            message = decode(bytes);
        } catch (CodecException e) {
            LOG.error("Could not decode the reply to ask {}: {}", askId, e.getMessage());
            return;
        }
        @SuppressWarnings("unchecked")
        PromiseRef<Object> promise = (PromiseRef<Object>) ask.promise();
        promise.tell(message);
    }

    private void deadLetter(String target) {
        deadLetters.increment();
        if (DEAD_LETTERS.isDebugEnabled()) {
            DEAD_LETTERS.debug("Dead letter to '{}'", target);
        }
    }

    // =====================================================================================
    // Worker failure
    // =====================================================================================

    /** Called by a {@link WorkerHandle} when its process ended unexpectedly. */
    void onWorkerDied(WorkerHandle worker, int exitCode) {
        int endpoint = worker.endpoint();
        boolean gaveUp = worker.failedStarts() >= WorkerHandle.MAX_FAILED_STARTS;
        boolean restart = config.restartWorkers() && !closed.get() && !gaveUp;
        String notRestarted = gaveUp ? "its last " + worker.failedStarts() + " restarts died before they were ready"
                : closed.get() ? "the system is closing" : "restartWorkers is off";
        if (!restart && !worker.external()) {
            // first, so that spawns from now on go elsewhere (an external worker may join again)
            worker.markGone(notRestartedReason(exitCode, notRestarted));
        }
        List<String> lost = new ArrayList<>();
        for (ActorEntry e : registry.values()) {
            if (e.worker == endpoint) {
                lost.add(e.name);
            }
        }
        lost.sort(Comparator.naturalOrder());
        LOG.error("Worker process {} died (exit code {}); actors lost: {}; {}", endpoint, exitCode, lost,
                restart ? "restarting it with their last committed state" : "not restarting (" + notRestarted + ")");
        owner.forgetHolder(endpoint);
        List<PendingAsk> failing = new ArrayList<>();
        for (PendingAsk ask : asks.values()) {
            if (lost.contains(ask.target())) {
                failing.add(ask);
            }
        }
        if (!failing.isEmpty()) {
            // On the notices thread: their callbacks run there (one may close the system), not on this one
            runNotice(() -> {
                for (PendingAsk ask : failing) {
                    ask.promise().future().completeExceptionally(new IllegalStateException("ask to actor '"
                            + ask.target() + "' failed: its worker process " + endpoint + " died (exit code " + exitCode + ")"));
                }
            });
        }
        if (!lost.isEmpty()) {
            // The asks the other workers' handlers made to them fail too, by name (queued now, before the restart
            // begins; an ask made while the notice is on its way and delivered to a re-created actor can be failed)
            Frames.AsksFail fail = new Frames.AsksFail(List.copyOf(lost), 0,
                    "its worker process " + endpoint + " died (exit code " + exitCode + ")");
            for (WorkerHandle other : workers) {
                if (other != worker) {
                    notifyAsksFail(other.endpoint(), fail);
                }
            }
        }
        if (restart && !worker.external()) {
            if (closed.get()) {
                return; // the system began closing meanwhile: no new process
            }
            try {
                if (!worker.relaunch()) {
                    LOG.info("Worker process {} not restarted after all: the system began closing", endpoint);
                }
                return;
            } catch (RuntimeException e) {
                LOG.error("Worker process {} could not be started again; its actors are lost", endpoint, e);
                notRestarted = "starting a new process failed: " + e.getMessage();
                worker.markGone(notRestartedReason(exitCode, notRestarted));
                lost.clear(); // again, now that it is gone: actors registered on it meanwhile are lost too
                for (ActorEntry entry : registry.values()) {
                    if (entry.worker == endpoint) {
                        lost.add(entry.name);
                    }
                }
            }
        } else if (restart && replaceOnLiveWorkers(endpoint)) {
            LOG.info("Actors of worker {} re-created on the live workers", endpoint);
            return;
        }
        for (String name : lost) {
            lostActors.put(name, "its worker process " + endpoint + " " + notRestartedReason(exitCode, notRestarted));
            onStopped(name);
        }
    }

    /** "died (exit code X) and was not restarted (why)": completes "its worker process N ..." for its actors. */
    private static String notRestartedReason(int exitCode, String why) {
        return "died (exit code " + exitCode + ") and was not restarted (" + why + ")";
    }

    /** Sends {@code fail} to worker {@code endpoint} from the {@link #notices} thread (dropped if it is not ready). */
    private void notifyAsksFail(int endpoint, Frames.AsksFail fail) {
        runNotice(() -> {
            if (workers[endpoint - 1].ready()) {
                sendControl(endpoint, fail);
            }
        });
    }

    /** Runs {@code notice} on the {@link #notices} thread; dropped once the system is closed (close fails the rest). */
    private void runNotice(Runnable notice) {
        try {
            notices.execute(notice);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the system is closing: the asks fail when it is closed
        }
    }

    /**
     * If the worker of {@code entry} died for good (see {@link WorkerHandle#markGone}), the actor registered on it
     * after its death was handled is lost at once, as the ones it hosted were: asks to it say why, watchers are
     * told. Returns whether it was.
     */
    private boolean loseIfGone(ActorEntry entry) {
        if (!workers[entry.worker - 1].gone()) {
            return false;
        }
        lostActors.put(entry.name, "its worker process " + entry.worker + " " + workers[entry.worker - 1].goneReason());
        onStopped(entry.name);
        return true;
    }

    /** An external worker cannot be restarted from here: its actors move to the live workers. */
    private boolean replaceOnLiveWorkers(int deadEndpoint) {
        List<WorkerHandle> live = new ArrayList<>();
        for (WorkerHandle w : workers) {
            if (w.ready()) {
                live.add(w);
            }
        }
        if (live.isEmpty()) {
            return false;
        }
        List<ActorEntry> moved = new ArrayList<>();
        for (ActorEntry e : registry.values()) {
            if (e.worker == deadEndpoint) {
                String top = e.name.contains("/") ? e.name.substring(0, e.name.indexOf('/')) : e.name;
                e.worker = live.get(Math.floorMod(top.hashCode(), live.size())).endpoint();
                moved.add(e);
            }
        }
        moved.sort(Comparator.comparingInt((ActorEntry e) -> e.name.split("/").length).thenComparing(e -> e.name));
        for (ActorEntry e : moved) {
            sendWork(e.worker, new Frames.Spawn(e.name, e.initialBehavior, e.behavior, e.state, e.hasState));
        }
        return true;
    }

    private void restoreActors(WorkerHandle worker) {
        List<ActorEntry> lost = new ArrayList<>();
        for (ActorEntry e : registry.values()) {
            // Not one whose spawning transaction is still open: it may roll back; if it commits, its own send
            // creates the actor (the worker is ready by now).
            if (e.worker == worker.endpoint() && e.reservation == null) {
                lost.add(e);
            }
        }
        lost.sort(Comparator.comparingInt((ActorEntry e) -> e.name.split("/").length).thenComparing(e -> e.name));
        for (ActorEntry e : lost) {
            sendWork(e.worker, new Frames.Spawn(e.name, e.initialBehavior, e.behavior, e.state, e.hasState));
        }
        LOG.info("Worker process {} restarted; re-created {} actors", worker.endpoint(), lost.size());
    }

    // =====================================================================================
    // Sending
    // =====================================================================================

    /**
     * Sends a frame that gives the worker new work (a message, an actor): not once it was told to shut
     * down (returns false, the caller counts a dead letter).
     */
    private boolean sendWork(int endpoint, Object frame) {
        return workers[endpoint - 1].sendWork(() -> sendTo(endpoint, frame));
    }

    /** Sends a frame the worker must count (for quiescence); false if it is not ready or unreachable. */
    boolean sendTo(int endpoint, Object frame) {
        return sendTo(endpoint, frame, false);
    }

    /** {@link #sendTo(int, Object)}; with {@code throwBackPressure}, a full inbox is thrown, not reported as false. */
    private boolean sendTo(int endpoint, Object frame, boolean throwBackPressure) {
        WorkerHandle w = workers[endpoint - 1];
        AtomicLong sent = w.sentCounter(); // before the readiness check: a relaunch in between takes a new one
        if (!w.ready()) {
            return false;
        }
        try {
            transport.send(endpoint, Frames.TYPE, encodeFrame(frame));
            sent.incrementAndGet();
            return true;
        } catch (TransportBackPressureException e) {
            if (throwBackPressure) {
                if (Thread.currentThread() == pollThread) {
                    LOG.warn("Could not send {} to worker {} from an ask callback: {}", frame.getClass().getSimpleName(),
                            endpoint, e.toString());
                }
                throw e;
            }
            LOG.warn("Could not send {} to worker {}: {}", frame.getClass().getSimpleName(), endpoint, e.toString());
            return false;
        } catch (TransportException e) {
            LOG.debug("Could not send {} to worker {}: {}", frame.getClass().getSimpleName(), endpoint, e.toString());
            return false;
        }
    }

    /** Sends a control frame; counted like the others except status traffic. */
    boolean sendControl(int endpoint, Object frame) {
        if (frame instanceof Frames.StatusRequest || frame instanceof Frames.Shutdown) {
            try {
                transport.send(endpoint, Frames.TYPE, encodeFrame(frame));
                return true;
            } catch (TransportException e) {
                return false;
            }
        }
        return sendTo(endpoint, frame);
    }

    @Override
    public boolean sendUpdate(int endpoint, Frames.Update update) {
        return sendTo(endpoint, update);
    }

    @Override
    public byte[] encode(Object value) {
        return Wire.with(this, () -> codec.encode(new Boxed(value)));
    }

    private byte[] encodeFrame(Object frame) {
        return Wire.with(this, () -> codec.encode(frame));
    }

    Object decode(byte[] bytes) {
        return Wire.unbox(Wire.with(this, () -> codec.decode(Wire.present(bytes))));
    }

    KryoCodec codec() {
        return codec;
    }

    long secret() {
        return secret;
    }

    // =====================================================================================
    // IsolatedNode: sends from coordinator threads
    // =====================================================================================

    @Override
    public void tellRemote(String name, Object message) {
        byte[] bytes = encode(message);
        // From any coordinator thread, the poll thread's ask callbacks included, a full worker inbox is the
        // caller's TransportBackPressureException (logged there too: a callback's exception may go unread)
        if (Stm.inTransaction()) {
            Stm.afterCommit(() -> deliver(name, bytes, true));
        } else {
            deliver(name, bytes, true);
        }
    }

    @Override
    public void replyRemote(int endpoint, long askId, Object message) {
        byte[] bytes = encode(message);
        Runnable send = endpoint == 0 ? () -> completeAsk(askId, bytes)
                : () -> sendControl(endpoint, new Frames.Reply(askId, bytes));
        if (Stm.inTransaction()) {
            Stm.afterCommit(send);
        } else {
            send.run();
        }
    }

    // =====================================================================================
    // WireContext (coordinator)
    // =====================================================================================

    @Override
    public int endpoint() {
        return 0;
    }

    @Override
    public long refId(Object ref) {
        return owner.adopt(ref);
    }

    @Override
    public Object ref(long id, boolean isLong) {
        return owner.resolve(id, isLong);
    }

    @Override
    public ActorRef<?> actor(String name) {
        return new RemoteActorRef<>(name, this);
    }

    @Override
    public long promiseId(PromiseRef<?> promise) {
        long id = promise.wireId();
        if (id == 0) {
            id = askIds.incrementAndGet();
            promise.wireId(id);
            asks.put(id, new PendingAsk(promise, "?"));
        }
        return id;
    }

    @Override
    public ActorRef<?> reply(int endpoint, long askId) {
        if (endpoint == 0) {
            PendingAsk ask = asks.get(askId);
            if (ask != null) {
                return ask.promise();
            }
        }
        return new ReplyRef<>(endpoint, askId, this);
    }

    // =====================================================================================
    // Diagnostics (summed over the workers' last status)
    // =====================================================================================

    private Frames.Status[] statuses() {
        if (!closed.get()) {
            Frames.Status[] fresh = pollStatuses(Duration.ofSeconds(5));
            if (fresh != null) {
                return fresh;
            }
        }
        Frames.Status[] last = lastStatus;
        return last != null ? last : new Frames.Status[0];
    }

    private long sum(java.util.function.ToLongFunction<Frames.Status> f) {
        long n = 0;
        for (Frames.Status s : statuses()) {
            if (s != null) {
                n += f.applyAsLong(s);
            }
        }
        return n;
    }

    @Override
    public long messagesProcessed() {
        return sum(Frames.Status::messages);
    }

    @Override
    public long commits() {
        return sum(Frames.Status::commits);
    }

    @Override
    public long aborts() {
        return sum(Frames.Status::aborts);
    }

    @Override
    public long retryWaits() {
        return sum(Frames.Status::retryWaits);
    }

    @Override
    public long failures() {
        return sum(Frames.Status::failures);
    }

    @Override
    public long deadLetters() {
        return deadLetters.sum() + sum(Frames.Status::deadLetters);
    }

    @Override
    public int liveActors() {
        return registry.size();
    }

    @Override
    public List<Row> actors() {
        return List.of();
    }

    @Override
    public List<Row> messageClasses() {
        return List.of();
    }

    @Override
    public String report() {
        Frames.Status[] st = statuses();
        long m = 0, c = 0, a = 0, r = 0, f = 0, d = deadLetters.sum();
        for (Frames.Status s : st) {
            if (s != null) {
                m += s.messages();
                c += s.commits();
                a += s.aborts();
                r += s.retryWaits();
                f += s.failures();
                d += s.deadLetters();
            }
        }
        return String.format(Locale.ROOT,
                "Actor system '%s' (ISOLATED_PROCESSES, %d worker processes): %,d messages, %,d commits, %,d aborts "
                        + "(%.2f%%), %,d retry waits, %,d failures, %,d dead letters, %d live actors, %,d shared references, "
                        + "%d worker restarts, %d malformed frames%n",
                config.name(), workers.length, m, c, a, c + a == 0 ? 0.0 : 100.0 * a / (c + a), r, f, d,
                registry.size(), owner.size(), workerRestarts(), malformedFrames.sum());
    }

    @Override
    public String toString() {
        return "ActorSystem(" + config.name() + ", ISOLATED_PROCESSES, " + workers.length + " workers)";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
