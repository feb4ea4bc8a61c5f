package io.stmactors.actors.internal;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.ActorSystemDiagnostics;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Mode;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TxnRunnable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An actor system whose actors share this JVM's transactional heap: {@link Mode#SHARED_STM} and
 * {@link Mode#GLOBAL_LOCK}.
 *
 * <p>Workers are a work-stealing {@link ForkJoinPool} in FIFO (async) mode: a cell scheduled from
 * a worker goes to that worker's deque, idle workers steal. In {@code GLOBAL_LOCK} mode every
 * handler transaction runs under one {@link ReentrantLock}, so handlers never overlap (the GIL
 * baseline) but still roll back on failure.
 *
 * <p>Thread-safe. Names are reserved in {@link #registry} when spawned (released if the spawning
 * transaction rolls back), so two actors never share a name; a spawn that meets a name reserved by
 * another thread's undecided transaction waits for its commit or rollback ({@link NameReservation}).
 */
public final class LocalActorSystem implements ActorSystem, ActorSystemDiagnostics {
    private static final Logger LOG = LoggerFactory.getLogger(LocalActorSystem.class);
    private static final Logger DEAD_LETTERS = LoggerFactory.getLogger("io.stmactors.deadLetters");

    final ActorSystemConfig config;
    /** Isolated mode's hooks when this runs inside a worker process; null otherwise. */
    final IsolationHooks isolation;
    final int workers;
    final int throughput;
    private final ForkJoinPool pool;
    private final ReentrantLock gil;
    private final ConcurrentHashMap<String, ActorCell<?>> registry = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Class<?>, MessageStats> statsTable = new ConcurrentHashMap<>();
    private final ClassValue<MessageStats> stats = new ClassValue<>() {
        @Override
        protected MessageStats computeValue(Class<?> type) {
            synchronized (statsTable) {
                return statsTable.computeIfAbsent(type, t -> new MessageStats(statsTable.size()));
            }
        }
    };
    final MessageCounters counters = new MessageCounters();
    final LongAdder startAborts = new LongAdder();
    /**
     * Failures not counted per message class: failed starts (setup), and after-commit hooks that
     * threw (their message counts as committed).
     */
    final LongAdder otherFailures = new LongAdder();
    private final LongAdder deadLetters = new LongAdder();
    private final LongAdder slowHandlers = new LongAdder();
    private final ScheduledThreadPoolExecutor timer;
    private final Set<CompletableFuture<?>> pendingAsks = ConcurrentHashMap.newKeySet();
    /** The target's name of each pending ask (see {@link #failAsksTo}). */
    private final Map<CompletableFuture<?>, String> askTargets = new ConcurrentHashMap<>();
    private final AtomicLong askCounter = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    /**
     * Set by {@link #close()} once the mailboxes are drained, before it stops the actors. Between
     * {@code closed} and this, handlers still run (they drain the mailboxes) and may spawn children
     * ({@code ctx.spawn}); no top-level actor may be spawned, by a handler or from outside.
     */
    private volatile boolean stopping;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final Map<Thread, RunningHandler> runningHandlers;

    private record RunningHandler(ActorCell<?> cell, Object message, long startNanos, AtomicBoolean reported) {
    }

    public LocalActorSystem(ActorSystemConfig config) {
        this(config, null);
    }

    /**
     * A local runtime; with {@code isolation} non-null it is the runtime of one worker process of
     * an isolated-mode system (config mode ISOLATED_PROCESSES, handlers run as in SHARED_STM).
     */
    public LocalActorSystem(ActorSystemConfig config, IsolationHooks isolation) {
        this.config = Objects.requireNonNull(config, "config");
        this.isolation = isolation;
        if (config.mode() == Mode.ISOLATED_PROCESSES && isolation == null) {
            throw new IllegalArgumentException("LocalActorSystem runs SHARED_STM and GLOBAL_LOCK only");
        }
        this.workers = config.workers();
        this.throughput = config.throughput();
        this.gil = config.mode() == Mode.GLOBAL_LOCK ? new ReentrantLock() : null;
        String systemName = config.name();
        this.pool = new ForkJoinPool(workers, p -> {
            ForkJoinWorkerThread t = new WorkerThread(p, counters);
            t.setName(systemName + "-worker-" + t.getPoolIndex());
            return t;
        }, (t, e) -> LOG.error("Uncaught failure in worker {}", t.getName(), e), true);
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, systemName + "-timer");
            timerThread = t;
            t.setDaemon(true);
            return t;
        });
        this.timer.setRemoveOnCancelPolicy(true);
        Duration handlerTimeout = config.handlerTimeout();
        if (handlerTimeout != null) {
            this.runningHandlers = new ConcurrentHashMap<>();
            long period = Math.max(1, handlerTimeout.toMillis() / 4);
            timer.scheduleAtFixedRate(this::checkSlowHandlers, period, period, TimeUnit.MILLISECONDS);
        } else {
            this.runningHandlers = null;
        }
        LOG.debug("Actor system '{}' started: mode {}, {} workers", systemName, config.mode(), workers);
    }

    // =====================================================================================
    // ActorSystem
    // =====================================================================================

    @Override
    public <M> ActorRef<M> spawn(Behavior<M> behavior, String name) {
        return spawnCell(null, behavior, checkName(name), name);
    }

    <C> ActorRef<C> spawnChild(ActorCell<?> parent, Behavior<C> behavior, String name) {
        return spawnCell(parent, behavior, parent.name + "/" + checkName(name), name);
    }

    private <M> ActorRef<M> spawnCell(ActorCell<?> parent, Behavior<M> behavior, String fullName, String shortName) {
        Objects.requireNonNull(behavior, "behavior");
        if (closed.get() && (parent == null || stopping)) {
            throw new IllegalStateException("actor system '" + config.name() + "' is closed; cannot spawn '" + fullName + "'");
        }
        ActorCell<M> cell = new ActorCell<>(this, fullName, parent, behavior);
        cell.reservation = NameReservation.ofCurrentTransaction();
        NameReservation.reserve(registry, fullName, cell, c -> c.reservation,
                () -> new IllegalArgumentException("actor name '" + fullName + "' is already in use"
                        + (parent == null ? "" : " among the children of '" + parent.name + "'")));
        Runnable start = () -> {
            cell.reservation = null;
            if (parent != null && !parent.adoptChild(cell)) {
                cell.doStop(); // the parent stopped first: messages already sent to the child are dead letters
                return;
            }
            cell.launch();
        };
        if (Stm.inTransaction()) {
            Stm.afterRollback(() -> registry.remove(fullName, cell));
            Stm.afterCommit(start);
            if (isolation != null) {
                isolation.childSpawned(parent, cell, behavior);
            }
        } else {
            if (isolation != null) {
                try {
                    isolation.childSpawned(parent, cell, behavior); // first: the child's own commits come after
                } catch (RuntimeException | Error e) {
                    registry.remove(fullName, cell);
                    throw e;
                }
            }
            start.run();
        }
        return cell;
    }

    /**
     * Isolated mode: re-creates an actor from the state the heap owner kept (a restarted worker),
     * or creates one shipped from the coordinator ({@code restored} null: runs its setup).
     */
    public <M> ActorCell<M> spawnShipped(String fullName, Behavior<M> initial, ActorCell.Restored<M> restored) {
        if (closed.get()) {
            throw new IllegalStateException("actor system '" + config.name() + "' is closed");
        }
        int slash = fullName.lastIndexOf('/');
        ActorCell<?> parent = slash < 0 ? null : registry.get(fullName.substring(0, slash));
        ActorCell<M> cell = new ActorCell<>(this, fullName, parent, initial);
        cell.restored = restored;
        if (registry.putIfAbsent(fullName, cell) != null) {
            throw new IllegalArgumentException("actor name '" + fullName + "' is already in use");
        }
        if (parent != null) {
            parent.children.add(cell);
        }
        cell.launch();
        return cell;
    }

    /** The local actor named {@code fullName}, or null. */
    public ActorCell<?> lookup(String fullName) {
        return registry.get(fullName);
    }

    /** Counts a dead letter (isolated mode: a message for an actor this process does not host). */
    public void countDeadLetter(String target, Object message) {
        deadLetters.increment();
        if (DEAD_LETTERS.isDebugEnabled()) {
            DEAD_LETTERS.debug("Dead letter to '{}': {}", target, message);
        }
    }

    /** Whether no worker is busy and no task is queued. */
    public boolean isQuiescent() {
        return pool.isQuiescent();
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("invalid actor name '" + name + "': it must be non-empty and contain no '/'");
        }
        return name;
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
        PromiseRef<R> replyTo = new PromiseRef<>(future, "ask-" + askCounter.incrementAndGet() + "-to-" + target.name());
        M message = request.apply(replyTo);
        Objects.requireNonNull(message, "request produced a null message");
        pendingAsks.add(future);
        askTargets.put(future, target.name());
        ScheduledFuture<?> timeoutTask;
        try {
            timeoutTask = timer.schedule(() -> future.completeExceptionally(new TimeoutException(
                    "ask to actor '" + target.name() + "' timed out after " + timeout.toMillis() + " ms (request "
                            + message.getClass().getSimpleName() + ")")), saturatedNanos(timeout), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) { // close() raced this ask and stopped the timer
            pendingAsks.remove(future);
            askTargets.remove(future);
            future.completeExceptionally(new IllegalStateException("actor system '" + config.name() + "' is closed"));
            return future;
        }
        future.whenComplete((r, e) -> {
            timeoutTask.cancel(false);
            pendingAsks.remove(future);
            askTargets.remove(future);
        });
        ASKING.set(replyTo);
        try {
            target.tell(message);
        } catch (RuntimeException e) { // nothing sent (say, a message class a worker process cannot ship)
            future.completeExceptionally(e);
            throw e;
        } finally {
            ASKING.remove();
        }
        return future;
    }

    /**
     * {@code d} in nanoseconds, {@link Long#MAX_VALUE} (or its negative) when it does not fit: an ask's timeout of
     * centuries ({@code ChronoUnit.FOREVER.getDuration()}, say) means "never", not an {@link ArithmeticException}
     * thrown after the request was built.
     */
    public static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** The reply reference of the ask whose request this thread is sending, while {@link #ask} sends it. */
    private static final ThreadLocal<PromiseRef<?>> ASKING = new ThreadLocal<>();

    /**
     * The reply reference of the ask whose request the calling thread is sending right now (inside {@link #ask}'s
     * {@code tell}), or null: lets a worker process tell the coordinator which ask a request belongs to.
     */
    public static PromiseRef<?> askBeingSent() {
        return ASKING.get();
    }

    /**
     * Fails at once every pending ask to one of {@code targets}, actors that cannot answer ({@code reason}): in a
     * worker process of an isolated-mode system, the coordinator says so when their worker process died.
     */
    public void failAsksTo(java.util.Collection<String> targets, String reason) {
        asksToFail(targets, reason).run();
    }

    /**
     * {@link #failAsksTo}, in two steps: the asks pending now are chosen at once, and failed (their callbacks run)
     * when the returned task runs, perhaps on another thread. An ask made in between (a callback that asks again,
     * an ask to the re-created actor) is not failed.
     */
    public Runnable asksToFail(java.util.Collection<String> targets, String reason) {
        Set<String> names = Set.copyOf(targets);
        List<Map.Entry<CompletableFuture<?>, String>> failing = new ArrayList<>();
        for (Map.Entry<CompletableFuture<?>, String> e : askTargets.entrySet()) {
            if (names.contains(e.getValue())) {
                failing.add(Map.entry(e.getKey(), e.getValue()));
            }
        }
        return () -> {
            for (Map.Entry<CompletableFuture<?>, String> e : failing) {
                e.getKey().completeExceptionally(new IllegalStateException(
                        "ask to actor '" + e.getValue() + "' failed: " + reason));
            }
        };
    }

    @Override
    public ActorSystemDiagnostics diagnostics() {
        return this;
    }

    @Override
    public Mode mode() {
        return config.mode();
    }

    @Override
    public int workers() {
        return workers;
    }

    @Override
    public ActorSystemConfig config() {
        return config;
    }

    /**
     * {@inheritDoc}
     *
     * <p>In a worker process of an isolated-mode system (the system a handler's {@code ctx.system()} returns
     * there), asks the coordinator to close the whole system, and returns at once; the worker's own runtime is
     * closed by {@link #closeRuntime()} when the coordinator says so.
     */
    @Override
    public void close() {
        if (isolation != null) {
            whenCommitted(isolation::closeRequested);
        } else if (Thread.currentThread() == closingThread) {
            return; // a callback the close itself runs (a pending ask it fails): the close is under way
        } else if (onOwnThread()) {
            whenCommitted(this::closeInBackground);
        } else {
            closeRuntime();
        }
    }

    /**
     * Closes this runtime and waits until it is closed: {@link #close()} as the ActorSystem interface describes it
     * when called on a thread of the program's. A worker process's runtime (isolated mode) is closed this way.
     */
    public void closeRuntime() {
        if (Thread.currentThread() == closingThread) {
            return; // re-entered from a callback the close runs
        }
        if (!closed.compareAndSet(false, true)) {
            awaitTerminated();
            return;
        }
        closeClaimed();
    }

    /** The close itself, by the thread that set {@link #closed}. */
    private void closeClaimed() {
        closingThread = Thread.currentThread();
        try {
            long deadline = System.nanoTime() + config.closeTimeout().toNanos();
            boolean quiet = awaitQuiescence(deadline);
            if (!quiet && interrupted()) {
                LOG.warn("Actor system '{}': close() was interrupted; stopping without waiting", config.name());
            } else if (!quiet) {
                LOG.warn("Actor system '{}': still busy after the close timeout ({}); stopping anyway",
                        config.name(), config.closeTimeout());
            }
            int waiting = 0;
            for (ActorCell<?> cell : registry.values()) {
                if (cell.isWaiting()) {
                    waiting++;
                }
            }
            if (waiting > 0) {
                LOG.info("Actor system '{}': {} actors were waiting in Stm.retry() at close; their messages become dead letters",
                        config.name(), waiting);
            }
            stopping = true;
            for (ActorCell<?> cell : registry.values()) {
                if (cell.parent == null) {
                    cell.requestStop();
                }
            }
            long stopDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!registry.isEmpty() && System.nanoTime() < stopDeadline && !interrupted()) {
                sleepQuietly(1);
            }
            pool.shutdown();
            if (!pool.awaitTermination(interrupted() ? 0 : 5, TimeUnit.SECONDS)) { // at once if interrupted
                LOG.warn("Actor system '{}': workers did not finish within 5 s; abandoning them", config.name());
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
        } finally {
            // Whatever stopped the waiting (the timeouts, an interrupt): no ask may wait forever.
            timer.shutdownNow();
            for (CompletableFuture<?> f : List.copyOf(pendingAsks)) {
                f.completeExceptionally(new IllegalStateException(
                        "actor system '" + config.name() + "' closed before the reply arrived"));
            }
            terminated.complete(null);
        }
    }

    /**
     * Whether the calling thread is one of this system's own: a worker (a handler, a hook its commit runs, a
     * callback of a future it completed) or the timer (a callback of an ask that timed out). close() must not wait
     * there: the close would wait for that very thread, or stall the ask timeouts meanwhile.
     */
    private boolean onOwnThread() {
        Thread t = Thread.currentThread();
        return t instanceof ForkJoinWorkerThread w && w.getPool() == pool || t == timerThread;
    }

    /**
     * Runs {@code start} once the running transaction commits (never, if it rolls back), or at once outside a
     * transaction: a handler's close() takes effect with the handler, like its sends.
     */
    private static void whenCommitted(Runnable start) {
        if (!Stm.afterCommitIfActive(start)) {
            start.run();
        }
    }

    /**
     * close() on one of this system's own threads: the shutdown runs on a thread of its own, not a daemon, so
     * that it finishes even if the program's main thread has returned meanwhile; the caller returns at once.
     */
    private void closeInBackground() {
        if (closed.compareAndSet(false, true)) { // here, so that only the thread that does the close is started
            try {
                Thread closer = new Thread(this::closeClaimed, config.name() + "-close");
                closer.setDaemon(false);
                backgroundCloser = closer;
                closer.start();
            } catch (Throwable e) { // no thread (out of memory): leave the close to the next close() of the program's
                backgroundCloser = null;
                closed.set(false);
                LOG.error("Actor system '{}': could not start closing it: {}", config.name(), e.toString());
            }
        }
    }

    /** The thread of {@link #closeInBackground()}, if the close runs on one. */
    private volatile Thread backgroundCloser;
    /** The thread running the close, once one does (callbacks it runs may call close() again). */
    private volatile Thread closingThread;
    /** The thread of {@link #timer} (a single one, replaced only if it died). */
    private volatile Thread timerThread;

    /**
     * A close() that finds the system closing already waits for that close to end. If the waiting thread is
     * interrupted, a close running in the background stops waiting for the system to drain too (as the caller's
     * own close would have); the interrupt flag stays set.
     */
    private void awaitTerminated() {
        boolean interrupted = false;
        while (true) {
            try {
                terminated.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                closeInterrupted = true; // read by the closing thread, even one not yet published below
                Thread closer = backgroundCloser;
                if (closer != null && closer != Thread.currentThread()) {
                    closer.interrupt(); // wakes it from a sleep or a wait at once
                }
            } catch (java.util.concurrent.ExecutionException e) {
                break; // never completed exceptionally
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether the thread calling close() was interrupted, or a thread waiting for a close in the background was
     * ({@link #awaitTerminated}): close() then stops waiting for the system to drain (it still stops every actor,
     * fails every pending ask, and leaves the flag set).
     */
    private boolean interrupted() {
        return Thread.currentThread().isInterrupted() || closeInterrupted;
    }

    /** A thread waiting for a close that runs in the background was interrupted (see {@link #awaitTerminated}). */
    private volatile boolean closeInterrupted;

    /** Quiet = no worker busy and no task queued, seen three times in a row. */
    private boolean awaitQuiescence(long deadline) {
        int quietChecks = 0;
        while (System.nanoTime() < deadline && !interrupted()) {
            if (pool.isQuiescent()) {
                if (++quietChecks >= 3) {
                    return true;
                }
            } else {
                quietChecks = 0;
            }
            sleepQuietly(2);
        }
        return false;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // =====================================================================================
    // Used by cells
    // =====================================================================================

    /** Runs a handler transaction: under the global lock in GLOBAL_LOCK mode. */
    boolean runTransaction(String name, TxnRunnable body, Runnable onChange, Consumer<Throwable> hookFailures) {
        if (gil == null) {
            return Stm.tryAtomic(name, body, onChange, hookFailures);
        }
        gil.lock();
        try {
            if (runningHandlers != null) {
                restartHandlerClock(Thread.currentThread()); // waiting for the lock is not handling
            }
            return Stm.tryAtomic(name, body, onChange, hookFailures);
        } finally {
            gil.unlock();
        }
    }

    void execute(Runnable task) {
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            if (!pool.isShutdown()) {
                throw e;
            }
            // closed: the work is abandoned, as documented for close()
        }
    }

    void deadLetter(ActorCell<?> to, Object message) {
        deadLetters.increment();
        if (DEAD_LETTERS.isDebugEnabled()) {
            DEAD_LETTERS.debug("Dead letter to '{}': {}", to.name, message);
        }
    }

    void unregister(ActorCell<?> cell) {
        registry.remove(cell.name, cell);
    }

    MessageStats statsFor(Object message) {
        return stats.get(message.getClass());
    }

    /** Marks which handler a worker runs (only when a handler timeout is configured). */
    void running(Thread worker, ActorCell<?> cell, Object message) {
        if (runningHandlers != null) {
            if (cell == null) {
                runningHandlers.remove(worker);
            } else {
                // Under the global lock a handler starts when it holds the lock, not when it waits for it.
                long start = gil != null ? NOT_STARTED : System.nanoTime();
                runningHandlers.put(worker, new RunningHandler(cell, message, start, new AtomicBoolean()));
            }
        }
    }

    private static final long NOT_STARTED = Long.MIN_VALUE;

    private void restartHandlerClock(Thread worker) {
        RunningHandler h = runningHandlers.get(worker);
        if (h != null) {
            runningHandlers.put(worker, new RunningHandler(h.cell(), h.message(), System.nanoTime(), h.reported()));
        }
    }

    private void checkSlowHandlers() {
        long limit = config.handlerTimeout().toNanos();
        long now = System.nanoTime();
        for (var e : runningHandlers.entrySet()) {
            RunningHandler h = e.getValue();
            if (h.startNanos() != NOT_STARTED && now - h.startNanos() > limit && h.reported().compareAndSet(false, true)) {
                slowHandlers.increment();
                LOG.warn("Actor '{}' has been handling {} for {} ms on {} (handler timeout {} ms)",
                        h.cell().name, h.message() == ActorCell.START ? "its start" : h.message().getClass().getSimpleName(),
                        (now - h.startNanos()) / 1_000_000, e.getKey().getName(), config.handlerTimeout().toMillis());
            }
        }
    }

    /** Handlers that exceeded the configured handler timeout so far. */
    public long slowHandlers() {
        return slowHandlers.sum();
    }

    // =====================================================================================
    // Diagnostics
    // =====================================================================================

    @Override
    public long messagesProcessed() {
        long n = 0;
        for (MessageStats s : statsTable.values()) {
            n += counters.sum(s.base + MessageStats.MESSAGES);
        }
        return n;
    }

    @Override
    public long commits() {
        long n = 0;
        for (MessageStats s : statsTable.values()) {
            n += counters.sum(s.base + MessageStats.MESSAGES) - counters.sum(s.base + MessageStats.FAILURES);
        }
        return n;
    }

    @Override
    public long aborts() {
        long n = startAborts.sum();
        for (MessageStats s : statsTable.values()) {
            n += counters.sum(s.base + MessageStats.ABORTS);
        }
        return n;
    }

    @Override
    public long retryWaits() {
        long n = 0;
        for (MessageStats s : statsTable.values()) {
            n += counters.sum(s.base + MessageStats.RETRY_WAITS);
        }
        return n;
    }

    @Override
    public long failures() {
        long n = otherFailures.sum();
        for (MessageStats s : statsTable.values()) {
            n += counters.sum(s.base + MessageStats.FAILURES);
        }
        return n;
    }

    @Override
    public long deadLetters() {
        return deadLetters.sum();
    }

    @Override
    public int liveActors() {
        return registry.size();
    }

    @Override
    public List<Row> actors() {
        List<Row> rows = new ArrayList<>();
        for (ActorCell<?> c : registry.values()) {
            rows.add(new Row(c.name, c.hot.messages, c.hot.commits, c.hot.aborts, c.hot.retryWaits, c.hot.failures));
        }
        rows.sort(Comparator.comparingLong(Row::aborts).reversed().thenComparing(Row::key));
        return rows;
    }

    @Override
    public List<Row> messageClasses() {
        List<Row> rows = new ArrayList<>();
        for (var e : statsTable.entrySet()) {
            MessageStats s = e.getValue();
            long messages = counters.sum(s.base + MessageStats.MESSAGES);
            long failures = counters.sum(s.base + MessageStats.FAILURES);
            rows.add(new Row(e.getKey().getName(), messages, messages - failures,
                    counters.sum(s.base + MessageStats.ABORTS), counters.sum(s.base + MessageStats.RETRY_WAITS), failures));
        }
        rows.sort(Comparator.comparingLong(Row::messages).reversed().thenComparing(Row::key));
        return rows;
    }

    @Override
    public String report() {
        StringBuilder sb = new StringBuilder();
        long c = commits();
        long a = aborts();
        sb.append(String.format(Locale.ROOT,
                "Actor system '%s' (%s, %d workers): %,d messages, %,d commits, %,d aborts (%.2f%%), %,d retry waits, "
                        + "%,d failures, %,d dead letters, %d live actors%n",
                config.name(), config.mode(), workers, messagesProcessed(), c, a,
                c + a == 0 ? 0.0 : 100.0 * a / (c + a), retryWaits(), failures(), deadLetters(), liveActors()));
        List<Row> byActor = actors();
        if (!byActor.isEmpty() && byActor.get(0).aborts() > 0) {
            sb.append("Actors with the most aborts:\n");
            appendRows(sb, byActor.stream().filter(r -> r.aborts() > 0).limit(10).toList());
        }
        List<Row> byClass = messageClasses();
        if (!byClass.isEmpty()) {
            sb.append("Message classes:\n");
            appendRows(sb, byClass.stream().limit(10).toList());
        }
        sb.append(Stm.diagnostics().report());
        return sb.toString();
    }

    private static void appendRows(StringBuilder sb, List<Row> rows) {
        sb.append(String.format(Locale.ROOT, "  %-40s %12s %12s %10s %8s %8s%n",
                "", "messages", "commits", "aborts", "waits", "failed"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "  %-40s %,12d %,12d %,10d %,8d %,8d%n",
                    r.key().length() > 40 ? r.key().substring(0, 39) + "~" : r.key(),
                    r.messages(), r.commits(), r.aborts(), r.retryWaits(), r.failures()));
        }
    }

    @Override
    public String toString() {
        return "ActorSystem(" + config.name() + ", " + config.mode() + ", " + workers + " workers)";
    }
}
