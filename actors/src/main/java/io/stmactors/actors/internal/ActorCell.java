package io.stmactors.actors.internal;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Supervised;
import io.stmactors.actors.SupervisorStrategy;
import io.stmactors.actors.Terminated;
import io.stmactors.stm.Stm;
import io.stmactors.stm.StmDiagnostics;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One actor: its mailbox, its scheduling state, its behavior and state, and the loop that runs its
 * handlers as transactions. Also its {@link ActorRef}.
 *
 * <h2>Scheduling (ordinary actors)</h2>
 * The mailbox is a lock-free multi-producer single-consumer queue (Agrona). {@link #status} is the
 * only word senders and workers race on:
 * <pre>
 *   CREATED --launch--> SCHEDULED --batch done, mailbox empty--> IDLE --tell--> SCHEDULED
 *                          |   ^                                          |
 *                   retry()|   |a ref it read was committed               |stop
 *                          v   |                                          v
 *                         WAITING                                      STOPPED
 * </pre>
 * Whoever moves the cell to SCHEDULED (a sender by CAS from IDLE, a committer's wake-up by CAS from
 * WAITING) hands it to the pool; exactly one worker runs it at a time, so the mailbox has one
 * consumer and the behavior and state fields are confined to that worker (the CAS and the pool's
 * hand-off order them between workers). A worker handles up to {@code throughput} messages, then
 * sets IDLE and re-checks the mailbox, so a message enqueued concurrently is never stranded.
 *
 * <h2>Transactions</h2>
 * Each message is handled by one top-level transaction ({@link Invocation}). Its sends, spawns,
 * watches and stops are STM after-commit hooks, so an aborted or failed attempt emits nothing. The
 * message is removed from the head only when its handler commits or fails: when the handler calls
 * {@code Stm.retry()}, the message stays at the head ({@link #pending}), the cell goes WAITING and
 * the worker moves on; the STM fires {@link #wake} when a reference the handler read is committed.
 * New behavior and state are applied after commit from the invocation's results, so a rolled-back
 * attempt leaves them untouched.
 *
 * <h2>Concurrent actors</h2>
 * {@code Behaviors.concurrent}: the mailbox is multi-consumer, up to {@code workers} drainers run
 * handlers in parallel, and behavior and state live in transactional references, so parallel
 * handlers serialize through the STM. A message whose handler retries is set aside and re-queued
 * by its wake-up.
 */
public final class ActorCell<M> implements ActorRef<M>, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ActorCell.class);

    static final int CREATED = 0;
    static final int IDLE = 1;
    static final int SCHEDULED = 2;
    static final int WAITING = 3;
    static final int STOPPED = 4;

    /** Placeholder message: (re)start the behavior before handling anything else. */
    static final Object START = new Object() {
        @Override
        public String toString() {
            return "(start)";
        }
    };
    private static final int MAX_START_FAILURES = 10;

    private static final VarHandle STATUS;

    static {
        try {
            STATUS = MethodHandles.lookup().findVarHandle(ActorCell.class, "status", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final LocalActorSystem system;
    final String name;
    final String txnName;
    final ActorCell<?> parent;
    final boolean concurrent;
    final Behavior<M> initialBehavior;
    final Supervised<M> supervision; // may be null: stop on failure
    /**
     * Supervision rules installed after spawn, by a {@code Behaviors.supervise} inside a setup or
     * around a behavior a handler returned (matched before {@link #supervision}'s, as a nested Pekko
     * supervisor would be); a restart drops them with the rest of the incarnation. Null if none.
     */
    private volatile List<Supervised.Rule> installedRules;

    /** The supervision rules installed after spawn (see {@link #installedRules}), or null. */
    List<Supervised.Rule> installedRules() {
        return installedRules;
    }
    final ContextImpl<M> context;
    /** Behavior and state to resume from instead of running setup (isolated mode: a restarted worker). */
    volatile Restored<M> restored;
    /**
     * The claim on this cell's name by the transaction that spawned it (null if spawned outside a
     * transaction, and once that transaction committed): until it commits, another spawn of the
     * same name waits for the decision.
     */
    volatile NameReservation reservation;

    /** A started behavior and its state, recovered from the heap owner. */
    public record Restored<M>(Behavior<M> behavior, Object state) {
    }

    private final Queue<Object> mailbox;
    private volatile int status = CREATED;
    private volatile boolean stopRequested;
    private volatile boolean woken;
    /**
     * This cell, weakly: what the STM's wake-up callbacks hold. A waiting handler's callback sits on
     * the waiter list of every reference it read until one of them is written; an actor stopped (or
     * a system closed) meanwhile must not stay reachable from there. A live cell is always strongly
     * reachable from its system's registry, so the reference is never cleared while it matters.
     */
    final WeakReference<ActorCell<M>> weakSelf = new WeakReference<>(this);
    private final Runnable wake = new Wake(weakSelf);

    /** The wake-up of an ordinary cell waiting in retry. */
    private static final class Wake implements Runnable {
        private final WeakReference<? extends ActorCell<?>> cell;

        Wake(WeakReference<? extends ActorCell<?>> cell) {
            this.cell = cell;
        }

        @Override
        public void run() {
            ActorCell<?> c = cell.get();
            if (c != null) {
                c.onWake();
            }
        }
    }

    // ---- confined to the worker running this (ordinary) cell; written per message, so kept in
    // their own object (see Hot), away from the fields senders read and CAS
    final Hot<M> hot = new Hot<>();
    private volatile boolean needsStart = true;
    /**
     * A restart waits for the children of the failed incarnation to stop first (as in Pekko), so
     * that its setup can spawn them again under the same names: set by the restart, cleared when
     * the last child has stopped (which then starts the actor again).
     */
    private volatile boolean restartAwaitsChildren;
    private int startFailures;
    private final Invocation<M> invocation;

    // ---- concurrent cells only
    final BehaviorCell<M> shared;
    private final java.util.concurrent.atomic.AtomicInteger drainers;
    /**
     * Messages whose handler waits in retry for a wake-up to re-queue them ({@link Invocation.Requeue}); the stop
     * makes those still waiting dead letters, as it does with the mailbox.
     */
    private final Set<Invocation.Requeue<M>> setAside;

    // ---- relations
    final Set<ActorCell<?>> children = ConcurrentHashMap.newKeySet();
    private final List<Watch> watchers = new ArrayList<>(0); // guarded by this
    /**
     * The live cells this one watches, so that its stop can take it off their lists (a watched cell
     * that stops takes itself out); guarded by this.
     */
    private Set<ActorCell<?>> watching;
    /**
     * Whether {@link #doStop} has done its work (unregistered, told the runtime; the watchers are told
     * once the subtree is gone); guarded by this.
     */
    private boolean stopDone;
    /** Taken off its parent's children, once stopped with no child left (guarded by this). */
    private boolean detached;
    /** The watchers to tell once the subtree is gone (see {@link #detachWhenSubtreeGone}); guarded by this. */
    private List<Watch> notifyWhenSubtreeGone;

    /**
     * What the worker running the cell writes for every message: the behavior and state, the
     * message being handled, the statistics (plain fields written by that one worker, under the
     * cell's monitor for a concurrent cell; read racily by diagnostics, a live view). In an object
     * of their own, padded in front, so that these writes do not share a cache line with
     * {@link #status} and the final fields that every sender reads (false sharing between the
     * sender's core and the worker's).
     */
    static final class Hot<M> {
        @SuppressWarnings("unused")
        private long p0, p1, p2, p3, p4, p5, p6, p7;
        long messages;
        long commits;
        long aborts;
        long retryWaits;
        long failures;
        /** The started behavior: a ReceiveBehavior or a StatefulBehavior. */
        Behavior<M> current;
        /** The state of a StatefulBehavior. */
        Object state;
        Object pending;
        /** The last message class counted and its counters (one immutable pair: racy reads are safe). */
        ClassStats lastStats;
    }

    private record Watch(ActorCell<?> watcher, Object message) {
    }

    @SuppressWarnings("unchecked")
    ActorCell(LocalActorSystem system, String name, ActorCell<?> parent, Behavior<M> behavior) {
        this.system = system;
        this.name = name;
        this.txnName = "actor '" + name + "'";
        this.parent = parent;
        Behavior<M> b = behavior;
        Supervised<M> sup = null;
        boolean conc = false;
        for (;;) { // markers may be nested in any order
            if (b instanceof Supervised<M> s) {
                sup = sup == null ? s : sup;
                b = s.behavior();
            } else if (b instanceof ConcurrentBehavior<M> c) {
                conc = true;
                b = c.inner;
            } else {
                break;
            }
        }
        this.initialBehavior = b;
        this.supervision = sup;
        this.concurrent = conc;
        this.context = new ContextImpl<>(this);
        if (conc) {
            this.mailbox = new ConcurrentLinkedQueue<>();
            this.shared = new BehaviorCell<>(name);
            this.drainers = new java.util.concurrent.atomic.AtomicInteger();
            this.setAside = ConcurrentHashMap.newKeySet();
            this.invocation = null;
        } else {
            this.mailbox = new ManyToOneConcurrentLinkedQueue<>();
            this.shared = null;
            this.drainers = null;
            this.setAside = null;
            this.invocation = new Invocation<>(this);
        }
    }

    // =====================================================================================
    // ActorRef
    // =====================================================================================

    @Override
    public void tell(M message) {
        Objects.requireNonNull(message, "message");
        if (!Stm.afterCommitIfActive(() -> enqueue(message))) {
            enqueue(message);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "ActorRef(" + name + ")";
    }

    /** Delivers a message now (outside any transaction). */
    void enqueue(Object message) {
        if (status == STOPPED) {
            system.deadLetter(this, message);
            return;
        }
        mailbox.offer(message);
        if (concurrent) {
            if (status != CREATED) {
                spawnDrainer();
            }
            if (status == STOPPED) {
                drainStopped();
            }
            return;
        }
        int s = status;
        if (s == IDLE && STATUS.compareAndSet(this, IDLE, SCHEDULED)) {
            system.execute(this);
        } else if (s == STOPPED) {
            drainStopped(); // stop() may have drained before our offer
        }
    }

    /** Starts a cell that was created by a committed spawn. */
    void launch() {
        if (concurrent) {
            if (STATUS.compareAndSet(this, CREATED, IDLE)) {
                system.execute(this::startConcurrent);
            }
            return;
        }
        if (STATUS.compareAndSet(this, CREATED, SCHEDULED)) {
            system.execute(this);
        }
    }

    /** Marker of "no state" in {@link Restored#state()}. */
    public static final Object NO_STATE = Invocation.NO_STATE;

    /** Asks the cell to stop; the worker that owns it does the stopping. */
    public void requestStop() {
        stopRequested = true;
        for (;;) {
            int s = status;
            if (s == STOPPED || s == SCHEDULED) {
                return; // stopped, or the running worker will see the flag
            }
            if (STATUS.compareAndSet(this, s, SCHEDULED)) {
                system.execute(concurrent ? this::doStop : this);
                return;
            }
        }
    }

    boolean isStopped() {
        return status == STOPPED;
    }

    // =====================================================================================
    // The worker loop (ordinary actors)
    // =====================================================================================

    @Override
    public void run() {
        if (concurrent) {
            drain();
            return;
        }
        Thread me = Thread.currentThread();
        int throughput = system.throughput;
        for (int n = 0; n < throughput; n++) {
            if (stopRequested) {
                doStop();
                return;
            }
            Object message;
            if (needsStart) {
                if (restartAwaitsChildren) {
                    if (!children.isEmpty()) {
                        break; // idle: the last child to stop schedules this cell again
                    }
                    restartAwaitsChildren = false;
                }
                message = START;
            } else if (hot.pending != null) {
                message = hot.pending;
            } else {
                message = mailbox.poll();
                if (message == null) {
                    break;
                }
            }
            hot.pending = message;
            system.running(me, this, message);
            boolean done;
            try {
                done = handle(invocation, message);
            } catch (Throwable unreported) {
                // handle() reports a handler's failure itself: what reaches here failed in that
                // reporting (a failure whose toString() throws, say). Stop, rather than leave the
                // cell scheduled with no worker to run it again (tells would queue up unseen).
                stopAfterUnreportedFailure(message, unreported);
                return;
            } finally {
                system.running(me, null, null);
            }
            if (!done) {
                enterWaiting();
                return;
            }
            hot.pending = null;
            if (status == STOPPED) {
                return;
            }
        }
        STATUS.setVolatile(this, IDLE);
        boolean more = restartAwaitsChildren ? children.isEmpty() : !mailbox.isEmpty();
        if ((stopRequested || more) && STATUS.compareAndSet(this, IDLE, SCHEDULED)) {
            system.execute(this);
        }
    }

    private void stopAfterUnreportedFailure(Object message, Throwable failure) {
        try {
            LOG.error("Actor '{}' failed while reporting the failure of {} ({}); stopping", name,
                    message == START ? "its start" : "a " + message.getClass().getName(), failure.getClass().getName());
        } finally {
            doStop();
        }
    }

    private void enterWaiting() {
        STATUS.setVolatile(this, WAITING);
        if ((woken || stopRequested) && STATUS.compareAndSet(this, WAITING, SCHEDULED)) {
            system.execute(this);
        }
    }

    private void onWake() {
        woken = true;
        if (STATUS.compareAndSet(this, WAITING, SCHEDULED)) {
            system.execute(this);
        }
    }

    /**
     * Handles one message (or the start marker) in a transaction; applies the outcome. Returns
     * false when the handler is waiting in retry (the message stays pending).
     */
    private boolean handle(Invocation<M> inv, Object message) {
        inv.prepare(message);
        if (woken) {
            woken = false; // a volatile store is a full fence: only when there is something to reset
        }
        MessageStats stats = message == START ? null : statsFor(message);
        boolean committed;
        // Conflict aborts, as the STM counts them: not inv.attempts - 1, which also counts a run
        // restarted to record its reads (the read-only fast path guessed wrong) and a re-run at once
        // after retry() found its read set changed.
        StmDiagnostics stm = Stm.diagnostics();
        long abortsBefore = stm.abortsOnThisThread();
        try {
            committed = system.runTransaction(txnName, inv, concurrent ? inv.wake : wake, inv.hookFailures);
        } catch (Throwable failure) {
            if (concurrent) {
                inv.wake.settled(); // a wake-up its retry registered before the failure must not run it again
            }
            count(stats, abortsSince(stm, abortsBefore, inv), 0, 0, 1);
            if (system.isolation != null) {
                system.isolation.afterRollback(this);
            }
            consumed(message);
            onFailure(message, failure, false);
            return true;
        }
        int aborted = abortsSince(stm, abortsBefore, inv);
        if (concurrent) {
            if (committed) {
                inv.wake.settled();
            } else {
                inv.wake.waiting(); // re-queued at the wake-up (at once if it came already)
            }
        }
        if (!committed) {
            count(stats, aborted, 0, 1, 0);
            if (system.isolation != null) {
                system.isolation.afterRollback(this);
            }
            return false;
        }
        if (inv.afterStop) { // a concurrent actor stopped by a handler that committed first: nothing ran
            count(stats, aborted, 0, 0, 0);
            if (system.isolation != null) {
                system.isolation.afterRollback(this);
            }
            if (message != START) { // START: a supervision restart racing the stop does not happen
                system.deadLetter(this, message);
            }
            return true;
        }
        Throwable hookFailure = inv.hookFailure;
        count(stats, aborted, 1, 0, 0);
        if (message == START) {
            needsStart = false;
            restored = null;
            installedRules = inv.installedRules; // a restart starts without the old incarnation's
        } else if (inv.installedRules != null) {
            installedRules = inv.installedRules; // replaces those of the previous behavior, as in Pekko
        }
        if (!concurrent) {
            if (inv.nextBehavior != null) {
                hot.current = inv.nextBehavior;
            }
            if (inv.nextState != Invocation.NO_STATE) {
                hot.state = inv.nextState;
            }
        }
        if (system.isolation != null) {
            try {
                system.isolation.afterCommit(this);
            } catch (Throwable shipping) {
                // Committed here, but its effects could not be shipped: never leave the actor stuck
                // (an exception out of run() would keep it scheduled forever); supervision decides.
                LOG.error("Actor '{}': what the handler of {} did was committed but could not be shipped",
                        name, message == START ? "its start" : message.getClass().getSimpleName(), shipping);
                if (hookFailure == null) {
                    hookFailure = shipping;
                } else {
                    hookFailure.addSuppressed(shipping);
                }
            }
        }
        consumed(message);
        if (hookFailure != null) {
            countCommittedFailure();
        } else if (message == START) {
            startFailures = 0; // a setup whose hook (or shipping) failed counts as a failed start
        }
        if (inv.stop) {
            if (hookFailure != null) {
                LOG.warn("Actor '{}': an after-commit hook failed ({}); stopping as its handler asked",
                        name, describe(hookFailure));
            }
            doStop();
        } else if (hookFailure != null) {
            inv.hookFailure = null;
            onFailure(message, hookFailure, true);
        }
        return true;
    }

    /** This thread's conflict aborts since {@code before}; a handler that ran once had none (no second lookup). */
    private static int abortsSince(StmDiagnostics stm, long before, Invocation<?> inv) {
        return inv.attempts > 1 ? (int) (stm.abortsOnThisThread() - before) : 0;
    }

    record ClassStats(Class<?> type, MessageStats stats) {
    }

    private MessageStats statsFor(Object message) {
        ClassStats last = hot.lastStats;
        if (last != null && last.type == message.getClass()) {
            return last.stats;
        }
        MessageStats stats = system.statsFor(message);
        hot.lastStats = new ClassStats(message.getClass(), stats);
        return stats;
    }

    /**
     * The handler of {@code message} committed or failed: the message is used up, so a stop that
     * follows (by the handler, or by supervision) must not count it as a dead letter as well.
     */
    private void consumed(Object message) {
        if (!concurrent && hot.pending == message) {
            hot.pending = null;
        }
    }

    /**
     * Counts one handler outcome. The common case (committed at the first attempt) costs plain
     * field increments and one per-class increment in the worker's own counters; the rest only when non-zero.
     */
    private void count(MessageStats stats, int aborted, int committed, int waited, int failed) {
        if (concurrent) {
            synchronized (this) {
                countPlain(aborted, committed, waited, failed);
            }
        } else {
            countPlain(aborted, committed, waited, failed);
        }
        if (stats != null) {
            MessageCounters counters = system.counters;
            if (committed + failed > 0) {
                counters.add(stats.base + MessageStats.MESSAGES, 1);
            }
            if (aborted > 0) {
                counters.add(stats.base + MessageStats.ABORTS, aborted);
            }
            if (waited > 0) {
                counters.add(stats.base + MessageStats.RETRY_WAITS, 1);
            }
            if (failed > 0) {
                counters.add(stats.base + MessageStats.FAILURES, 1);
            }
        } else {
            if (aborted > 0) {
                system.startAborts.add(aborted);
            }
            if (failed > 0) {
                system.otherFailures.increment(); // a failed start
            }
        }
    }

    /** A handler committed and then an after-commit hook (or the shipping of its effects) failed. */
    private void countCommittedFailure() {
        if (concurrent) {
            synchronized (this) {
                hot.failures++;
            }
        } else {
            hot.failures++;
        }
        system.otherFailures.increment();
    }

    private void countPlain(int aborted, int committed, int waited, int failed) {
        if (committed != 0) {
            hot.messages++;
            hot.commits++;
        } else if (failed != 0) {
            hot.messages++;
            hot.failures++;
        }
        if (aborted != 0) {
            hot.aborts += aborted;
        }
        if (waited != 0) {
            hot.retryWaits++;
        }
    }

    /**
     * Whether a ClassCastException met while handling a {@link Terminated} is the cast of that very
     * message to a message type that does not admit it (the JDK's message names the class cast
     * from), not another cast gone wrong in a handler that does take Terminated (supervised as usual).
     * A message-less one counts as the former, as all of them did before.
     */
    static boolean isCastOfTerminated(Throwable failure) {
        String text;
        try {
            text = failure.getMessage();
        } catch (RuntimeException e) {
            return false;
        }
        String terminated = Terminated.class.getName();
        // null: HotSpot's preallocated exception once compiled code has thrown it often
        // (OmitStackTraceInFastThrow); "X incompatible with Y": OpenJ9's wording
        return text == null || text.startsWith("class " + terminated + " cannot be cast")
                || text.startsWith(terminated + " incompatible with ");
    }

    /** {@code failure.toString()}, or its class name when that throws (a message that cannot be built). */
    private static String describe(Throwable failure) {
        try {
            return failure.toString();
        } catch (RuntimeException e) {
            return failure.getClass().getName() + " (its message could not be read: " + e.getClass().getName() + ")";
        }
    }

    /**
     * The handler threw: everything it did is rolled back; supervision decides the rest. With
     * {@code committed}, the handler committed and an after-commit hook threw: its outcome (state,
     * behavior) was adopted already, and supervision decides what happens next all the same.
     */
    private void onFailure(Object message, Throwable failure, boolean committed) {
        if (message instanceof Terminated && failure instanceof ClassCastException && isCastOfTerminated(failure)) {
            LOG.debug("{}: its message type does not admit Terminated; dropped", this);
            return;
        }
        SupervisorStrategy strategy = strategyFor(failure);
        String what = (committed ? "in an after-commit hook of " : "")
                + (message == START ? "starting" : "handling " + message.getClass().getSimpleName());
        switch (strategy.directive()) {
            case RESUME -> {
                if (message == START && !committed) {
                    // no behavior to resume with: a setup that failed would otherwise run again and again
                    LOG.error("Actor '{}' failed {}; a failed start cannot be resumed: stopping", name, what, failure);
                    doStop();
                    return;
                }
                LOG.warn("Actor '{}' failed {} ({}); resuming, {}", name, what, describe(failure),
                        committed ? "the commit stands" : "message dropped");
            }
            case RESTART -> {
                if (message == START && ++startFailures >= MAX_START_FAILURES) {
                    LOG.error("Actor '{}' failed {} {} times in a row; stopping", name, what, startFailures, failure);
                    doStop();
                    return;
                }
                LOG.warn("Actor '{}' failed {} ({}); restarting", name, what, describe(failure));
                installedRules = null; // the new incarnation's setup installs its own
                List<ActorCell<?>> toStop;
                synchronized (this) { // atomic with adoptChild: a child is either seen here or refused
                    toStop = new ArrayList<>(children);
                    if (!toStop.isEmpty()) {
                        restartAwaitsChildren = true;
                    }
                }
                boolean awaitChildren = !toStop.isEmpty();
                if (!concurrent) {
                    needsStart = true;
                    restored = null;
                    hot.state = null;
                    hot.current = null;
                }
                if (awaitChildren) {
                    for (ActorCell<?> child : toStop) {
                        child.requestStop();
                    }
                    childStopped(); // they may all have stopped already
                } else if (concurrent) {
                    restartConcurrent();
                }
            }
            case STOP -> {
                LOG.error("Actor '{}' failed {}; stopping", name, what, failure);
                doStop();
            }
        }
    }

    // =====================================================================================
    // Concurrent actors
    // =====================================================================================

    private void startConcurrent() {
        Invocation<M> inv = new Invocation<>(this);
        boolean done;
        try {
            done = handle(inv, START);
        } catch (Throwable unreported) { // see run()
            stopAfterUnreportedFailure(START, unreported);
            return;
        }
        if (done) {
            if (needsStart) { // start failed and was not restarted successfully
                return;
            }
            if (status == IDLE && !mailbox.isEmpty()) {
                spawnDrainer();
            }
        }
        if (stopRequested) {
            doStop();
        }
    }

    private void restartConcurrent() {
        if (status == STOPPED) {
            return; // stopped while its restart waited for the children
        }
        Invocation<M> inv = new Invocation<>(this);
        try {
            handle(inv, START);
        } catch (Throwable unreported) { // see run()
            stopAfterUnreportedFailure(START, unreported);
        }
    }

    private void spawnDrainer() {
        int limit = system.workers;
        for (;;) {
            int d = drainers.get();
            if (d >= limit || needsStart) {
                return;
            }
            if (drainers.compareAndSet(d, d + 1)) {
                system.execute(this);
                return;
            }
        }
    }

    private void drain() {
        Thread me = Thread.currentThread();
        int throughput = system.throughput;
        for (int n = 0; n < throughput; n++) {
            if (stopRequested || status == STOPPED) {
                drainers.decrementAndGet();
                doStop();
                return;
            }
            Object message = mailbox.poll();
            if (message == null) {
                drainers.decrementAndGet();
                if (!mailbox.isEmpty()) {
                    spawnDrainer();
                }
                return;
            }
            Invocation<M> inv = new Invocation<>(this);
            system.running(me, this, message);
            try {
                handle(inv, message); // on retry, inv.wake re-queues the message later
            } catch (Throwable unreported) { // see run()
                drainers.decrementAndGet();
                stopAfterUnreportedFailure(message, unreported);
                return;
            } finally {
                system.running(me, null, null);
            }
        }
        system.execute(this); // yield the worker to other actors, keep our drainer slot
    }

    /**
     * A concurrent handler ended waiting in retry: its message is set aside until the wake-up. If the actor has
     * stopped (before or while it was listed), the message is a dead letter now: no wake-up may ever come. The
     * stop sets the status before it goes through the list, and this lists before it reads the status, so one
     * of the two sees the other; {@link Invocation.Requeue#dropAtStop} lets only one of them count it.
     */
    void setAside(Invocation.Requeue<M> waiting) {
        setAside.add(waiting);
        if (waiting.done()) {
            setAside.remove(waiting); // woken between its WAITING and the add: re-queued already
        } else if (status == STOPPED) {
            dropSetAside(waiting);
        }
    }

    /** A wake-up re-queues a set-aside message. */
    void takenBack(Invocation.Requeue<M> woken) {
        setAside.remove(woken);
    }

    private void dropSetAside(Invocation.Requeue<M> waiting) {
        setAside.remove(waiting);
        if (waiting.dropAtStop() && waiting.message != START) {
            system.deadLetter(this, waiting.message);
        }
    }

    /**
     * Re-queues a message whose concurrent handler waited in retry (called by its wake-up). The
     * start marker is not a message: no drainer runs before the start has committed, so a start
     * that waited in retry runs again as a start.
     */
    void requeue(Object message) {
        if (message == START && concurrent) {
            if (status != STOPPED) { // stopped while its start waited: do not run the setup now
                system.execute(this::startConcurrent);
            }
            return;
        }
        enqueue(message);
    }

    // =====================================================================================
    // Stopping and watching
    // =====================================================================================

    /** The strategy for {@code failure}: the installed rules, then the spawn-time ones; else stop. */
    private SupervisorStrategy strategyFor(Throwable failure) {
        List<Supervised.Rule> rules = installedRules;
        if (rules != null) {
            for (Supervised.Rule rule : rules) {
                if (rule.failure().isInstance(failure)) {
                    return rule.strategy();
                }
            }
        }
        return supervision == null ? SupervisorStrategy.stop() : supervision.strategyFor(failure);
    }

    /**
     * Adds a child spawned by a committed handler, unless this cell has stopped: atomic with the
     * stop (both under this cell's monitor), so a stop either sees the child and stops it, or the
     * child is refused. (A concurrent actor's stop may run on one drainer while another commits a spawn.)
     */
    synchronized boolean adoptChild(ActorCell<?> child) {
        if (status == STOPPED || restartAwaitsChildren) {
            return false; // a child of the stopped, or of the failed incarnation a restart is ending
        }
        children.add(child);
        return true;
    }

    /** A child of this cell stopped: a restart that waited for the children goes ahead once they all did. */
    private void childStopped() {
        if (status == STOPPED) {
            detachWhenSubtreeGone();
            return;
        }
        if (!restartAwaitsChildren || !children.isEmpty()) {
            return;
        }
        if (concurrent) {
            synchronized (this) {
                if (!restartAwaitsChildren) {
                    return; // another child's stop got here first
                }
                restartAwaitsChildren = false;
            }
            system.execute(this::restartConcurrent);
        } else if (STATUS.compareAndSet(this, IDLE, SCHEDULED)) {
            system.execute(this); // run() clears the flag and starts the actor
        }
    }

    /**
     * Stops this actor: children asked to stop, remaining messages to dead letters; its watchers are
     * told once its subtree is gone ({@link #detachWhenSubtreeGone}).
     */
    void doStop() {
        Set<ActorCell<?>> watched;
        synchronized (this) {
            if (status == STOPPED) {
                return;
            }
            STATUS.setVolatile(this, STOPPED);
            notifyWhenSubtreeGone = new ArrayList<>(watchers); // and the watches added from now on
            watchers.clear();
            watched = watching;
            watching = null;
        }
        if (watched != null) {
            for (ActorCell<?> target : watched) {
                target.removeWatcher(this); // a stopped watcher must not stay reachable from what it watched
            }
        }
        system.unregister(this);
        if (system.isolation != null) {
            system.isolation.stopped(this);
        }
        for (ActorCell<?> child : children) {
            child.requestStop();
        }
        if (hot.pending != null && hot.pending != START) {
            system.deadLetter(this, hot.pending);
        }
        hot.pending = null;
        if (setAside != null) {
            for (Invocation.Requeue<M> waiting : setAside) {
                dropSetAside(waiting);
            }
        }
        drainStopped();
        LOG.debug("Actor '{}' stopped", name);
        synchronized (this) {
            stopDone = true; // only now may it leave its parent: its name is free, the runtime told
        }
        detachWhenSubtreeGone();
    }

    /**
     * Once this cell has stopped and every child of its own has: tells its watchers
     * ({@link Terminated}, or their {@code watchWith} message) and leaves the parent's children. So
     * a watcher, like a parent's restart (which waits for its children), hears of the stop when the
     * whole subtree is gone, as in Pekko, and may spawn the same names again at once (a watcher that
     * spawned the stopped child again on Terminated clashed with a grandchild still stopping).
     */
    private void detachWhenSubtreeGone() {
        if (status != STOPPED || !children.isEmpty()) {
            return;
        }
        List<Watch> toNotify;
        synchronized (this) {
            if (!stopDone || detached) {
                return;
            }
            detached = true;
            toNotify = notifyWhenSubtreeGone;
            notifyWhenSubtreeGone = null;
        }
        for (Watch w : toNotify) {
            w.watcher().forgetWatched(this);
            Object note = w.message() != null ? w.message() : new Terminated(this);
            w.watcher().enqueue(note);
        }
        if (parent != null) {
            parent.children.remove(this);
            parent.childStopped();
        }
    }

    /**
     * Moves whatever is left in a stopped actor's mailbox to dead letters. A sender that read the
     * status before the stop may have swapped the queue's tail but not yet linked its node: poll then
     * sees nothing although the queue is not empty. Waiting until it is empty closes that window
     * (the sender's tail swap and our status store are both sequentially consistent, so either it
     * sees STOPPED and drains itself, or we see its tail here).
     */
    private synchronized void drainStopped() {
        for (;;) {
            Object m = mailbox.poll();
            if (m != null) {
                system.deadLetter(this, m);
            } else if (mailbox.isEmpty()) {
                return;
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Registers a watcher (after the watching handler committed). A watcher that already watches this cell is not
     * added again (it is told once, as in Pekko); its latest watch's message replaces the earlier one.
     */
    void addWatcher(ActorCell<?> watcher, Object message) {
        boolean added = false;
        synchronized (this) {
            if (status != STOPPED) {
                if (rewatch(watchers, watcher, message)) {
                    return;
                }
                watchers.add(new Watch(watcher, message));
                added = true;
            } else if (!detached) {
                // stopped, its subtree not gone yet: told with the others (see detachWhenSubtreeGone)
                if (!rewatch(notifyWhenSubtreeGone, watcher, message)) {
                    notifyWhenSubtreeGone.add(new Watch(watcher, message));
                }
                return;
            }
        }
        if (!added) {
            watcher.enqueue(message != null ? message : new Terminated(this));
        } else if (!watcher.noteWatching(this)) {
            removeWatcher(watcher); // the watcher stopped meanwhile, without seeing this watch
        }
    }

    /** If {@code watcher} is in {@code list}, gives its entry {@code message} and returns true. Under this monitor. */
    private static boolean rewatch(List<Watch> list, ActorCell<?> watcher, Object message) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).watcher() == watcher) {
                list.set(i, new Watch(watcher, message));
                return true;
            }
        }
        return false;
    }

    /**
     * Records that this cell watches {@code target}; false if this cell has stopped. A target that has
     * stopped meanwhile is not recorded (its stop has told us, or is about to, through
     * {@link #forgetWatched}, which this monitor orders with this call).
     */
    private synchronized boolean noteWatching(ActorCell<?> target) {
        if (status == STOPPED) {
            return false;
        }
        if (!target.isStopped()) {
            if (watching == null) {
                watching = Collections.newSetFromMap(new IdentityHashMap<>());
            }
            watching.add(target);
        }
        return true;
    }

    /** {@code target}, which this cell watched, has stopped. */
    private synchronized void forgetWatched(ActorCell<?> target) {
        if (watching != null) {
            watching.remove(target);
        }
    }

    private synchronized void removeWatcher(ActorCell<?> watcher) {
        watchers.removeIf(w -> w.watcher() == watcher);
        if (notifyWhenSubtreeGone != null) {
            notifyWhenSubtreeGone.removeIf(w -> w.watcher() == watcher);
        }
    }

    /** The number of live cells this one watches (for tests). */
    synchronized int watchingCount() {
        return watching == null ? 0 : watching.size();
    }

    /** The number of watches on this cell (for tests). */
    synchronized int watcherCount() {
        return watchers.size();
    }

    int mailboxSize() {
        return mailbox.size();
    }

    boolean isWaiting() {
        return status == WAITING;
    }
}
