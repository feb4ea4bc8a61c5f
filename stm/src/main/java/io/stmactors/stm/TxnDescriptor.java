package io.stmactors.stm;

import io.stmactors.stm.internal.AbortEvent;
import io.stmactors.stm.internal.Backoff;
import io.stmactors.stm.internal.CallSites;
import io.stmactors.stm.internal.ControlSignal;
import io.stmactors.stm.internal.GlobalClock;
import io.stmactors.stm.internal.ThreadSlots;
import io.stmactors.stm.internal.Waiter;
import io.stmactors.stm.internal.WaiterList;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The transaction engine: one reusable descriptor per thread, holding the running transaction's
 * read set, redo log (write set), hooks and statistics.
 *
 * <h2>Algorithm</h2>
 * A TL2 / LSA design (Dice, Shalev, Shavit, "Transactional Locking II", DISC 2006; Riegel,
 * Felber, Fetzer, "A Lazy Snapshot Algorithm with Eager Validation", DISC 2006):
 * <ul>
 *   <li>each reference has a versioned lock word ({@link TVar}); a global clock orders commits;</li>
 *   <li>a transaction samples the clock at begin ({@code rv}); reads are invisible: a read is
 *       accepted if the reference is unlocked and its version is {@code <= rv}, and is recorded
 *       (reference, word) in the read set;</li>
 *   <li>a read that finds a newer version <em>extends</em> the snapshot instead of aborting:
 *       advance the clock to that version, re-validate the read set, re-read;</li>
 *   <li>writes go to a redo log; commit locks the write set (try-lock, abort on failure), samples
 *       the clock, validates the read set, publishes, and unlocks with the new word;</li>
 *   <li>a read-only transaction commits with no work at all.</li>
 * </ul>
 *
 * <h2>The lazy clock (why two threads on disjoint data never share a written cache line)</h2>
 * Commits do not increment the clock (TL2's "GV5"): a commit that sampled clock value {@code c}
 * after taking its locks stamps every reference it writes with version {@code c + 1}. Only a
 * reader that meets a version above its snapshot advances the clock (a CAS, {@link
 * GlobalClock#advanceTo}). Two facts keep this correct:
 * <ol>
 *   <li><b>Version means "sampled before".</b> Because the clock never decreases and a commit's
 *       version is exactly its sample + 1, a version {@code <= rv} proves the commit sampled the
 *       clock before this transaction did, hence had locked all of its write set before; any other
 *       reference it wrote shows its new value or its lock, never the old value. This is TL2's
 *       argument unchanged.</li>
 *   <li><b>A recorded word is never reused with another value while we hold it.</b> Two commits
 *       can stamp the same version, so the lock word also carries the writer's thread slot. A
 *       foreign word with version {@code v > rv} is accepted only after advancing the clock to
 *       {@code >= v} and then re-reading: any later commit samples {@code >= v} and writes version
 *       {@code > v}, and any earlier commit that could still write version {@code v} had locked
 *       the reference before the advance, so the re-read sees its lock or its value.</li>
 * </ol>
 * On top of that, a thread may accept without advancing the clock a word stamped with <em>its
 * own</em> slot: that commit completed before the current transaction began (program order), so
 * its value is the one a transaction starting now must see, and no other thread can write a word
 * with this slot. This is what lets a thread re-read and rewrite its own data at full speed. Slot 0
 * is shared by threads beyond the first 4095 and never takes this shortcut.
 *
 * <h2>Read-only transactions without a read log</h2>
 * A thread remembers the label (name or body class) of its last read-only transaction. When the
 * same transaction has committed read-only {@link #RO_STREAK} times in a row, its next run starts
 * <em>unlogged</em>: reads are validated against the snapshot exactly as usual but not recorded.
 * A read-only transaction needs its read set only to extend its snapshot, to wait in
 * {@code retry()} or to become inevitable; an unlogged attempt that needs one of those, or that
 * writes, stops ({@link ControlSignal#RESTART}: its rollback hooks run, it is not counted as an
 * abort) and runs again with the log, and the label loses its streak. Every read is still
 * validated when it is made, so opacity is unchanged; the saving is the read-set bookkeeping
 * (a load, two stores and a few compares per read).
 *
 * <h2>Opacity</h2>
 * Every read is validated when it is made (version check, or extension that re-validates the whole
 * read set), so a running transaction never observes an inconsistent state, not even one that is
 * about to abort.
 *
 * <h2>Progress</h2>
 * Locked references make readers spin briefly, then abort. Aborted attempts back off (randomized,
 * exponential, {@link Backoff}); after {@link #ESCALATE_AFTER} conflicts the next attempt runs
 * <em>inevitable</em>: it takes the global inevitability token, locks every reference it touches
 * as it goes (so no one can invalidate it), and cannot abort. Committers never wait for a lock
 * (they abort), so the inevitable transaction's waits are short and there is no deadlock. A
 * transaction whose commit another process decides (an isolated-mode worker's, see
 * {@link Replication.Hooks#mayEscalate}) only backs off: the heap owner may reject it anyway.
 *
 * <h2>Threading</h2>
 * A descriptor is used only by its own thread. Statistics fields are written plainly by the owner
 * and read racily by {@link StmDiagnostics} (monotonic counters: a stale read is harmless).
 */
final class TxnDescriptor implements Replication.CommitView {
    /** Conflicts after which the next attempt runs inevitable. */
    static final int ESCALATE_AFTER = 12;
    /** Spins on a locked reference before a reader or committer gives up. */
    static final int SPIN_LIMIT = 128;
    /** Write sets up to this size are searched linearly; larger ones get a hash index. */
    private static final int LINEAR_LIMIT = 8;
    /** Transactions timed (System.nanoTime, ~20 ns) after an abort on this thread. */
    private static final int TIMING_AFTER_ABORT = 1024;
    /** Read-only commits in a row after which a transaction's next run starts without a read log. */
    static final int RO_STREAK = 2;

    static final GlobalClock CLOCK = GlobalClock.INSTANCE;
    /** The inevitability token: at most one inevitable transaction at a time, in arrival order. */
    static final InevitabilityToken INEVITABLE = new InevitabilityToken();
    /** The counters of every thread that may still be alive (diagnostics folds dead ones away). */
    static final ConcurrentLinkedQueue<ThreadStats> REGISTRY = new ConcurrentLinkedQueue<>();
    private static final java.util.concurrent.atomic.AtomicInteger CREATED = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * One thread's counters, kept apart from its descriptor: the registry must not keep descriptors
     * reachable, or a dead thread's descriptor (and with it its slot) could never be reclaimed.
     * Written plainly by the owner thread; read racily by {@link StmDiagnostics}.
     */
    static final class ThreadStats {
        final WeakReference<Thread> thread;
        long commits;
        long aborts;
        long retryWaits;
        long inevitableRuns;

        ThreadStats(Thread thread) {
            this.thread = new WeakReference<>(thread);
        }
    }

    private static final ThreadLocal<TxnDescriptor> CURRENT = ThreadLocal.withInitial(TxnDescriptor::new);

    /** Replication hooks of this process ({@link Replication}); null unless a runtime installed them. */
    static volatile Replication.Hooks hooks;

    // ---- identity
    final int slot;
    /** The thread this descriptor belongs to (null for a temporary hook descriptor). */
    final Thread owner;

    // ---- statistics: written by the owner thread only
    final ThreadStats stats;

    // ---- the running transaction
    /** 0 when no transaction is running on this thread, else the nesting depth. */
    int depth;
    /** Snapshot: clock value this transaction's reads are consistent with. */
    private long rv;
    /** The transaction's name (String) or body class (Class), for diagnostics. */
    Object label;
    /** A control signal was thrown in this attempt; if the body swallows it we still abort. */
    private boolean doomed;
    /** This attempt wrote a reference bound by a replication runtime. */
    private boolean wroteBound;
    /** This attempt records no reads (see "Read-only transactions without a read log"). */
    private boolean unlogged;
    /** The label of this thread's last read-only transaction, and its read-only commits in a row. */
    private Object roLabel;
    private int roStreak;

    private TVar[] readVars = new TVar[64];
    private long[] readWords = new long[64];
    private int readSize;

    private TVar[] writeVars = new TVar[16];
    private Object[] writeObjs = new Object[16];
    private long[] writeLongs = new long[16];
    private long[] writeOldWords = new long[16];
    /** For each write, the read-set position of a read of the same reference just before it, or -1. */
    private int[] writeReadPos = new int[16];
    private int writeSize;
    private long writeBloom;
    private int[] writeIndex; // open addressing over writeVars positions + 1; 0 = empty
    private int writeIndexMask;

    /** Write entries below this position are undo-logged when overwritten (nested scopes). */
    private int protectedSize;
    private int[] undoPositions = new int[8];
    private Object[] undoObjs = new Object[8];
    private long[] undoLongs = new long[8];
    private int undoSize;

    private ArrayList<Runnable> afterCommit;
    private ArrayList<Runnable> afterRollback;

    // ---- who wrote last (diagnostics)
    /**
     * The label of this thread's latest commit that wrote something (a transaction's label, or
     * {@link #SINGLE_WRITE}). Written plainly by this thread, and only when it changes (the
     * descriptor is long-lived, so a reference store costs a GC barrier); read racily by other
     * threads' abort reports ({@link #lastWriterOf}).
     */
    private Object lastWriteLabel;

    /**
     * Each slot's descriptor, so that an abort report can name who committed a reference last:
     * the slot in its lock word leads here. Weak: an ended thread's descriptor must still become
     * unreachable, which frees its slot ({@link ThreadSlots}); a slot taken again points to its new
     * descriptor.
     */
    private static final java.util.concurrent.atomic.AtomicReferenceArray<WeakReference<TxnDescriptor>> BY_SLOT =
            new java.util.concurrent.atomic.AtomicReferenceArray<>(1 << ThreadSlots.SLOT_BITS);

    // ---- inevitability
    private boolean inevitable;
    private boolean holdsToken;
    /**
     * Set (plain store) before any call that takes or gives back the token and cleared once it is
     * done: an Error inside leaves it set, and the clean-up ({@link #releaseToken}) then settles
     * whatever state the call was cut short in.
     */
    private boolean tokenInFlight;
    /** This thread's place in the token's line while it waits (null on the uncontended path). */
    private InevitabilityToken.Waiter tokenWaiter;
    /** References this inevitable transaction has locked, with their pre-lock words. */
    private IdentityHashMap<TVar, Long> lockedByMe;

    // ---- abort attribution
    private TVar conflictVar;
    private String conflictReason;
    private boolean timed;
    private long attemptStart;
    private int timingBudget;

    // ---- wake-ups collected during write-back
    private WaiterList[] toWake = new WaiterList[4];
    private int toWakeSize;

    private TxnDescriptor() {
        this.slot = ThreadSlots.acquire(this);
        if (slot != ThreadSlots.SHARED_SLOT) {
            BY_SLOT.set(slot, new WeakReference<>(this));
        }
        this.owner = Thread.currentThread();
        this.stats = new ThreadStats(owner);
        REGISTRY.add(stats);
        if ((CREATED.incrementAndGet() & 255) == 0) {
            StmDiagnostics.INSTANCE.foldRetired();
        }
    }

    /**
     * A descriptor for hooks that run while this thread's transaction is still live (rollback hooks
     * of a nested scope). It uses the shared slot, which never takes the own-write shortcut, so the
     * live transaction sees the hooks' commits as foreign writes and validates against them.
     */
    private TxnDescriptor(ThreadStats stats) {
        this.slot = ThreadSlots.SHARED_SLOT;
        this.owner = null; // never cached: hook descriptors are installed in the thread-local only
        this.stats = stats;
    }

    /**
     * A direct-mapped cache in front of the thread-local, indexed by thread id: one array load and
     * an identity check instead of a hash probe, on every reference operation. Entries are written
     * only by their owner thread (plain stores); another thread that reads an entry sees its final
     * {@link #owner} and falls back to the thread-local. A dead thread's entry is overwritten by a
     * later thread with the same index, so at most {@code FAST.length} ended threads keep their
     * descriptor (and slot) a little longer.
     */
    private static final TxnDescriptor[] FAST = new TxnDescriptor[256];

    /** This thread's descriptor. */
    static TxnDescriptor current() {
        Thread t = Thread.currentThread();
        TxnDescriptor d = FAST[(int) t.getId() & (FAST.length - 1)];
        return d != null && d.owner == t ? d : currentSlow(t);
    }

    private static TxnDescriptor currentSlow(Thread t) {
        TxnDescriptor d = CURRENT.get();
        if (d.owner == t) {
            FAST[(int) t.getId() & (FAST.length - 1)] = d;
        }
        return d;
    }

    /** This thread's descriptor if a transaction is running on it, else null. */
    static TxnDescriptor active() {
        TxnDescriptor d = current();
        return d.depth != 0 ? d : null;
    }

    // =====================================================================================
    // Top level
    // =====================================================================================

    /**
     * Runs {@code body} as a top-level transaction until it commits, rethrowing its exception if
     * it throws one. {@code onRetryWake} null means a {@code retry()} parks this thread; non-null
     * means a retry registers it and returns {@link #DEFERRED} instead.
     */
    Object runTop(Object label, Object body, boolean callable, Runnable onRetryWake) {
        return runTop(label, body, callable, onRetryWake, null);
    }

    /**
     * {@link #runTop(Object, Object, boolean, Runnable)}; when {@code hookFailures} is non-null, an
     * exception of an after-commit hook of this transaction goes to it, after every hook ran, instead
     * of being thrown (the transaction committed).
     */
    Object runTop(Object label, Object body, boolean callable, Runnable onRetryWake,
                  Consumer<? super Throwable> hookFailures) {
        // Reference stores into this long-lived descriptor cost a GC write barrier (a fence under
        // G1): store only what changed. The label is meaningful only while a transaction runs, so
        // it is left in place afterwards, except that a transaction run from a top-level rollback
        // hook (between two attempts of another) gives the outer one its label back.
        Object previous = this.label;
        if (previous != label) {
            this.label = label;
        }
        try {
            return attempts(body, callable, onRetryWake, hookFailures);
        } catch (Throwable failure) {
            // First, before any call: should the clean-up below fail too, this thread's next begin()
            // finishes what is left (clearHooks).
            hooksUsed = true;
            if (inevitable || holdsToken || tokenInFlight || heldLocks != 0 || decidedWord != 0L) {
                // The attempt's own clean-up failed (a StackOverflowError near the end of the stack):
                // do it again from this shallower frame rather than leave locks and the token held.
                rollback(false);
            }
            throw failure;
        } finally {
            if (previous != null && this.label != previous) {
                this.label = previous;
            }
            this.depth = 0;
        }
    }

    // The state of attempts() between two attempts, packed in one int so that the handling of an
    // abort can live in methods of its own: attempts() then stays under the JIT's FreqInlineSize
    // (325 bytecodes; it had 369) and is inlined into runTop, the rare paths staying out of line.
    // Locals, not fields: a rollback hook may run a transaction on this descriptor.
    private static final int START_INEVITABLE = 1;
    private static final int TRY_UNLOGGED = 2;
    private static final int ONE_CONFLICT = 4;

    private Object attempts(Object body, boolean callable, Runnable onRetryWake,
                            Consumer<? super Throwable> hookFailures) {
        int state = roStreak >= RO_STREAK && label == roLabel ? TRY_UNLOGGED : 0;
        for (;;) {
            boolean startInevitable = (state & START_INEVITABLE) != 0;
            begin(state >>> 2, startInevitable);
            unlogged = (state & TRY_UNLOGGED) != 0 && !startInevitable;
            state &= ~START_INEVITABLE;
            Object result;
            try {
                result = invoke(body, callable);
                if (doomed) {
                    throw ControlSignal.ABORT; // the body swallowed a signal; never commit that
                }
                commit();
            } catch (ControlSignal signal) {
                state = afterSignal(state, onRetryWake);
                if (state < 0) {
                    return DEFERRED;
                }
                continue;
            } catch (Throwable userFailure) {
                state = afterFailure(userFailure, state, onRetryWake);
                if (state < 0) {
                    return DEFERRED;
                }
                continue;
            }
            unlogged = false;
            learnReadOnly();
            finishCommit(hookFailures);
            return result;
        }
    }

    /** {@code state} with one more conflict (saturating, so the state never turns negative). */
    private static int counted(int state) {
        return state < Integer.MAX_VALUE - ONE_CONFLICT ? state + ONE_CONFLICT : state;
    }

    /**
     * An attempt ended by a control signal (abort, restart, retry): rolls it back or waits, and
     * returns the state of the next attempt, or -1 when a retry was deferred to {@code onRetryWake}.
     * What the signal asked is read off the descriptor, not off the signal: a body that caught
     * the signal and threw something else, or returned, is doomed all the same and gets what the
     * signal asked (every conflict is recorded in {@link #conflictReason}; without one, a run without
     * a read log was stopped to get one, and a logged run called {@code retry()}).
     */
    private int afterSignal(int state, Runnable onRetryWake) {
        int conflicts = state >>> 2;
        if (unlogged) {
            state &= ~TRY_UNLOGGED;
            unlogged = false;
            roStreak = 0;
            if (conflictReason == null) { // RESTART: run again with a log (not an abort)
                boolean restartInevitable = wantInevitable;
                rollback(true);
                runRollbackHooks();
                return restartInevitable ? state | START_INEVITABLE : state;
            }
        }
        if (conflictReason == null) { // RETRY
            doomed = false;
            boolean wasInevitable = inevitable;
            if (onRetryWake != null) {
                if (deferUntilChange(onRetryWake)) {
                    return -1;
                }
            } else {
                waitForChange();
            }
            return wasInevitable && conflicts >= ESCALATE_AFTER ? state | START_INEVITABLE : state;
        }
        conflicts++;
        state = counted(state);
        boolean restartInevitable = wantInevitable
                || conflicts >= ESCALATE_AFTER && mayEscalate();
        recordAbort(conflicts);
        rollback(true);
        runRollbackHooks();
        if (restartInevitable) {
            return state | START_INEVITABLE;
        }
        Backoff.pause(conflicts);
        return state;
    }

    /**
     * An attempt whose body threw {@code userFailure}: if the attempt was doomed (the body caught a
     * control signal and threw instead), handles it as that signal ({@link #afterSignal}); else rolls
     * back and rethrows the failure to the caller.
     */
    private int afterFailure(Throwable userFailure, int state, Runnable onRetryWake) {
        if (decidedWord != 0L) {
            afterDecidedFailure(userFailure);
        }
        if (doomed) {
            return afterSignal(state, onRetryWake);
        }
        unlogged = false;
        rollback(false);
        try {
            runRollbackHooks();
        } catch (Throwable hookFailure) {
            if (hookFailure != userFailure) {
                userFailure.addSuppressed(hookFailure);
            }
        }
        throw Stm.sneakyThrow(userFailure);
    }

    /**
     * An Error (stack, memory) struck the commit after it was decided: the transaction is committed.
     * Finishes the commit, runs its after-commit hooks (a hook's exception is added to the Error as
     * suppressed), then rethrows the Error: the caller learns of it, as of an after-commit hook's
     * exception, with the transaction committed. Should finishing fail again, runTop or this
     * thread's next transaction finishes the commit, and its after-commit hooks are dropped.
     */
    private void afterDecidedFailure(Throwable failure) {
        finishInterruptedCommit();
        unlogged = false;
        try {
            finishCommit(null);
        } catch (Throwable hookFailure) {
            if (hookFailure != failure) {
                failure.addSuppressed(hookFailure);
            }
        }
        throw Stm.sneakyThrow(failure);
    }

    /**
     * Whether this aborted attempt may be escalated to inevitable: always, unless the replication hooks
     * say its commit is decided elsewhere (see {@link Replication.Hooks#mayEscalate}).
     */
    private boolean mayEscalate() {
        Replication.Hooks h = hooks;
        return h == null || h.mayEscalate(this);
    }

    /** Remembers whether the transaction that just committed was read-only (see the class comment). */
    private void learnReadOnly() {
        Object l = label;
        if (writeSize == 0) {
            if (l == roLabel) {
                if (roStreak < RO_STREAK) {
                    roStreak++;
                }
            } else if (l != null) {
                roLabel = l;
                roStreak = 1;
            }
        } else if (l == roLabel) {
            roStreak = 0;
        }
    }

    /** An unlogged attempt needs its read log after all: stop it, to run again with one. */
    private void restartLogged() {
        doomed = true;
        throw ControlSignal.RESTART;
    }

    /**
     * Calls {@code body}: a {@link TxnCallable} if {@code callable}, else a {@link TxnRunnable}.
     * The caller says which because testing the type costs: on JDK 17, an {@code instanceof} of an
     * interface the class does not implement scans the class's interfaces on every call (only
     * successful checks are cached), which made a two-counter transfer a third slower.
     */
    static Object invoke(Object body, boolean callable) throws Exception {
        if (callable) {
            return ((TxnCallable<?>) body).call();
        }
        ((TxnRunnable) body).run();
        return null;
    }

    /** Returned by {@link #runTop} when a retry was deferred to a callback. */
    static final Object DEFERRED = new Object();

    private boolean wantInevitable;

    private void begin(int conflicts, boolean startInevitable) {
        if (hooksUsed) {
            clearHooks(); // first: it may finish a commit an Error cut short, which needs the write set
        }
        depth = 1;
        doomed = false;
        readSize = 0;
        if (writeSize != 0) {
            clearWriteSet();
        }
        undoSize = 0;
        protectedSize = 0;
        conflictVar = null;
        conflictReason = null;
        wantInevitable = false;
        wroteBound = false;
        toWakeSize = 0;
        timed = timingBudget > 0 || conflicts > 0;
        if (timed) {
            attemptStart = System.nanoTime();
            if (timingBudget > 0) {
                timingBudget--;
            }
        }
        if (startInevitable) {
            acquireToken();
            inevitable = true;
            stats.inevitableRuns++;
            lockedByMe = new IdentityHashMap<>();
        }
        rv = CLOCK.get();
    }

    /**
     * Set when a hook list may be non-empty: lets begin and finishCommit skip three checks. Also set
     * when a failed attempt may have left inevitability locks or the token held (see runTop).
     */
    private boolean hooksUsed;

    private void clearHooks() {
        for (;;) {
            if (commitInterrupted()) { // left by an Error that even runTop could not finish (see finishInterruptedCommit)
                finishInterruptedCommit();
            }
            if (inevitable || holdsToken || tokenInFlight) { // left by a StackOverflowError in an earlier clean-up (runTop)
                if (inevitable) {
                    releaseInevitableLocks(0L);
                }
                releaseToken();
            }
            if (afterCommit != null && !afterCommit.isEmpty()) {
                afterCommit.clear();
            }
            if (afterRollback != null && !afterRollback.isEmpty()) {
                afterRollback.clear();
            }
            if (rolledBackScopeHooks != null && !rolledBackScopeHooks.isEmpty()) {
                rolledBackScopeHooks.clear();
            }
            if (toWakeSize == 0) {
                hooksUsed = false;
                return;
            }
            // Last: a wake-up may run a transaction on this descriptor, which an Error may cut short
            // in turn; go round again rather than clear the write set under it.
            fireCollectedWaiters();
        }
    }

    private void clearWriteSet() {
        int n = writeSize;
        if (n != 0) {
            Object[] objs = writeObjs;
            if (n <= LINEAR_LIMIT) {
                // Small sets (the common case): drop the values so they can be collected; the
                // references themselves (a handful, long-lived) may stay until overwritten.
                for (int i = 0; i < n; i++) {
                    objs[i] = null;
                }
            } else {
                Arrays.fill(writeVars, 0, n, null);
                Arrays.fill(objs, 0, n, null);
            }
            writeSize = 0;
            writeBloom = 0;
            writeIndex = null;
        }
    }

    private void finishCommit(Consumer<? super Throwable> hookFailures) {
        stats.commits++;
        depth = 0;
        if (toWakeSize != 0 || readSize > 256 || hooksUsed) {
            finishCommitSlow(hookFailures);
        }
    }

    /**
     * Wake-ups, hooks, and letting go of a big read set. A hook's exception is thrown, or given to
     * {@code hookFailures} when that is non-null.
     */
    private void finishCommitSlow(Consumer<? super Throwable> hookFailures) {
        if (holdsToken || tokenInFlight) {
            releaseToken(); // the body caught an Error that cut Stm.inevitable() short, and committed
        }
        // Wake-up callbacks run on this thread, outside the transaction, and may run transactions of
        // their own on this descriptor, whose begin() resets the wake-up list and the hook lists:
        // detach the after-commit hooks first, and fireCollectedWaiters detaches its list.
        ArrayList<Runnable> hooks = afterCommit;
        if (hooks != null && !hooks.isEmpty()) {
            afterCommit = spareHooks;
            spareHooks = null;
        } else {
            hooks = null;
        }
        ArrayList<Runnable> scoped = rolledBackScopeHooks;
        if (scoped != null && !scoped.isEmpty()) {
            rolledBackScopeHooks = null;
        } else {
            scoped = null;
        }
        if (readSize > 256) {
            Arrays.fill(readVars, 0, readSize, null); // do not keep a big graph reachable
        }
        if (afterRollback != null) {
            afterRollback.clear();
        }
        if (toWakeSize != 0) {
            fireCollectedWaiters(); // outside the transaction: callbacks may run their own
        }
        Throwable failure = null;
        try {
            if (scoped != null) {
                try {
                    runHooks(scoped);
                } catch (Throwable t) {
                    failure = t; // the commit stands: its after-commit hooks still run
                }
            }
            if (hooks != null) {
                runHooks(hooks); // detached: a hook may start a transaction on this thread
            }
        } catch (Throwable t) {
            if (failure == null) {
                failure = t;
            } else if (t != failure) {
                failure.addSuppressed(t);
            }
        } finally {
            if (hooks != null) {
                hooks.clear();
                spareHooks = hooks;
            }
        }
        if (failure != null && hookFailures == null) {
            throw Stm.sneakyThrow(failure);
        }
        if (failure != null) {
            hookFailures.accept(failure);
        }
    }

    /** A cleared hook list kept for reuse, so committing with hooks allocates nothing. */
    private ArrayList<Runnable> spareHooks;

    private void runRollbackHooks() {
        if (afterCommit != null) {
            afterCommit.clear();
        }
        Throwable scopeFailure = null;
        try {
            runRolledBackScopeHooks();
        } catch (Throwable t) {
            scopeFailure = t; // the transaction's own rollback hooks still run
        }
        ArrayList<Runnable> hooks = afterRollback;
        if (hooks != null && !hooks.isEmpty()) {
            afterRollback = null;
            try {
                runHooks(hooks);
            } catch (Throwable t) {
                if (scopeFailure == null) {
                    throw t;
                }
                if (t != scopeFailure) {
                    scopeFailure.addSuppressed(t);
                }
            } finally {
                hooks.clear();
                if (afterRollback == null) {
                    afterRollback = hooks;
                }
            }
        }
        if (scopeFailure != null) {
            throw Stm.sneakyThrow(scopeFailure);
        }
    }

    /** Runs hooks outside any transaction; all run, the first failure is rethrown. */
    private static void runHooks(java.util.List<Runnable> hooks) {
        Throwable first = null;
        for (int i = 0, n = hooks.size(); i < n; i++) {
            try {
                hooks.get(i).run();
            } catch (Throwable t) {
                if (first == null) {
                    first = t;
                } else {
                    first.addSuppressed(t);
                }
            }
        }
        if (first != null) {
            throw Stm.sneakyThrow(first);
        }
    }

    /** Discards the attempt: releases locks an inevitable transaction holds, leaves depth 0. */
    private void rollback(boolean conflict) {
        if (commitInterrupted()) {
            finishInterruptedCommit(); // its wake-ups below, outside the transaction (depth 0)
        }
        if (inevitable) {
            releaseInevitableLocks(0L);
        }
        releaseToken();
        depth = 0;
        clearWriteSet();
        if (toWakeSize != 0) {
            fireCollectedWaiters();
        }
    }

    // =====================================================================================
    // Reads
    // =====================================================================================

    Object readRef(TRef<?> ref) {
        if (writeSize != 0) {
            int i = findWrite(ref);
            if (i >= 0) {
                return writeObjs[i];
            }
        }
        Object binding = TVar.BINDING.getOpaque(ref);
        if (binding != null) {
            beforeBoundRead(binding);
        }
        if (inevitable) {
            recordRead(ref, lockForInevitable(ref));
            return ref.load();
        }
        int spins = 0;
        for (;;) {
            long w1 = (long) TVar.LOCK.getAcquire(ref);
            Object value = ref.load();
            long w2 = (long) TVar.LOCK.getAcquire(ref);
            if (w1 == w2 && (w1 & TVar.LOCKED) == 0) {
                if (TVar.version(w1) <= rv || isOwn(w1)) {
                    if (!unlogged) {
                        recordRead(ref, w1);
                    }
                    return value;
                }
                if (unlogged) {
                    restartLogged(); // extending the snapshot needs the read set
                }
                extend(ref, w1);
            } else {
                spins = onLocked(ref, spins);
            }
        }
    }

    long readLong(TLong ref) {
        if (writeSize != 0) {
            int i = findWrite(ref);
            if (i >= 0) {
                return writeLongs[i];
            }
        }
        Object binding = TVar.BINDING.getOpaque(ref);
        if (binding != null) {
            beforeBoundRead(binding);
        }
        if (inevitable) {
            recordRead(ref, lockForInevitable(ref));
            return ref.load();
        }
        int spins = 0;
        for (;;) {
            long w1 = (long) TVar.LOCK.getAcquire(ref);
            long value = ref.load();
            long w2 = (long) TVar.LOCK.getAcquire(ref);
            if (w1 == w2 && (w1 & TVar.LOCKED) == 0) {
                if (TVar.version(w1) <= rv || isOwn(w1)) {
                    if (!unlogged) {
                        recordRead(ref, w1);
                    }
                    return value;
                }
                if (unlogged) {
                    restartLogged(); // extending the snapshot needs the read set
                }
                extend(ref, w1);
            } else {
                spins = onLocked(ref, spins);
            }
        }
    }

    private static void beforeBoundRead(Object binding) {
        Replication.Hooks h = hooks;
        if (h != null) {
            h.beforeRead(binding);
        }
    }

    private boolean isOwn(long word) {
        return slot != ThreadSlots.SHARED_SLOT && TVar.slot(word) == slot;
    }

    private void recordRead(TVar ref, long word) {
        int n = readSize;
        if (n != 0 && readVars[n - 1] == ref && readWords[n - 1] == word) {
            return; // the same read again (x.set(x.get() + 1) in a loop): keep the set small
        }
        if (n == readVars.length) {
            readVars = Arrays.copyOf(readVars, n * 2);
            readWords = Arrays.copyOf(readWords, n * 2);
        }
        if (readVars[n] != ref) {
            readVars[n] = ref; // a transaction re-run in a loop stores the same references: skip the barrier
        }
        readWords[n] = word;
        readSize = n + 1;
    }

    /**
     * Snapshot extension: advance the clock to the newer version, then check that everything read
     * so far is unchanged. The caller re-reads {@code ref} afterwards (after the advance, which
     * is what makes its word safe to record).
     */
    private void extend(TVar ref, long word) {
        long newRv = CLOCK.advanceTo(TVar.version(word));
        if (!validateReads(false)) {
            abort(conflictVar, "read set changed (snapshot extension failed)");
        }
        rv = newRv;
    }

    private int onLocked(TVar ref, int spins) {
        if (spins < SPIN_LIMIT) {
            Thread.onSpinWait();
            return spins + 1;
        }
        abort(ref, "locked by another transaction");
        return spins;
    }

    /**
     * Checks that every recorded read still has its recorded word. A reference locked with its
     * recorded word counts as unchanged only during our own commit, when the lock is ours.
     */
    private boolean validateReads(boolean committing) {
        TVar[] vars = readVars;
        long[] words = readWords;
        long covered = committing ? coveredReads : 0;
        for (int i = 0, n = readSize; i < n; i++) {
            if (i < 64 && (covered & (1L << i)) != 0) {
                continue; // locked by our CAS from the recorded word: unchanged
            }
            TVar v = vars[i];
            long current = (long) TVar.LOCK.getVolatile(v);
            if (current == words[i]) {
                continue;
            }
            if (committing && current == (words[i] | TVar.LOCKED) && findWrite(v) >= 0) {
                continue;
            }
            conflictVar = v;
            return false;
        }
        return true;
    }

    // =====================================================================================
    // Writes
    // =====================================================================================

    void writeRef(TRef<?> ref, Object value) {
        if (unlogged) {
            restartLogged(); // commit validates the reads: it needs them recorded
        }
        if (inevitable) {
            lockForInevitable(ref);
        }
        if (TVar.BINDING.getOpaque(ref) != null) {
            wroteBound = true;
        }
        int i = writeSize != 0 ? findWrite(ref) : -1;
        if (i >= 0) {
            if (i < protectedSize) {
                pushUndo(i);
            }
            writeObjs[i] = value;
        } else {
            appendWrite(ref, value, 0L);
        }
    }

    void writeLong(TLong ref, long value) {
        if (unlogged) {
            restartLogged(); // commit validates the reads: it needs them recorded
        }
        if (inevitable) {
            lockForInevitable(ref);
        }
        if (TVar.BINDING.getOpaque(ref) != null) {
            wroteBound = true;
        }
        int i = writeSize != 0 ? findWrite(ref) : -1;
        if (i >= 0) {
            if (i < protectedSize) {
                pushUndo(i);
            }
            writeLongs[i] = value;
        } else {
            appendWrite(ref, null, value);
        }
    }

    private int findWrite(TVar ref) {
        long bit = 1L << (ref.hash & 63);
        if ((writeBloom & bit) == 0) {
            return -1;
        }
        if (writeIndex == null) {
            TVar[] vars = writeVars;
            for (int i = 0, n = writeSize; i < n; i++) {
                if (vars[i] == ref) {
                    return i;
                }
            }
            return -1;
        }
        int mask = writeIndexMask;
        for (int h = mix(ref.hash) & mask; ; h = (h + 1) & mask) {
            int pos = writeIndex[h];
            if (pos == 0) {
                return -1;
            }
            if (writeVars[pos - 1] == ref) {
                return pos - 1;
            }
        }
    }

    private void appendWrite(TVar ref, Object obj, long prim) {
        int n = writeSize;
        if (n == writeVars.length) {
            int cap = n * 2;
            writeVars = Arrays.copyOf(writeVars, cap);
            writeObjs = Arrays.copyOf(writeObjs, cap);
            writeLongs = Arrays.copyOf(writeLongs, cap);
            writeOldWords = Arrays.copyOf(writeOldWords, cap);
            writeReadPos = Arrays.copyOf(writeReadPos, cap);
        }
        int lastRead = readSize - 1;
        writeReadPos[n] = lastRead >= 0 && readVars[lastRead] == ref ? lastRead : -1;
        if (writeVars[n] != ref) {
            writeVars[n] = ref;
        }
        if (obj != null) {
            writeObjs[n] = obj; // entries past writeSize are null already (clearWriteSet, rollbackTo)
        }
        writeLongs[n] = prim;
        writeSize = n + 1;
        writeBloom |= 1L << (ref.hash & 63);
        if (writeSize > LINEAR_LIMIT) {
            if (writeIndex == null || writeSize * 2 > writeIndex.length) {
                rebuildIndex();
            } else {
                indexInsert(n);
            }
        }
    }

    private void rebuildIndex() {
        int cap = Integer.highestOneBit(Math.max(32, writeSize * 4) - 1) << 1;
        writeIndex = new int[cap];
        writeIndexMask = cap - 1;
        for (int i = 0; i < writeSize; i++) {
            indexInsert(i);
        }
    }

    private void indexInsert(int position) {
        int mask = writeIndexMask;
        int h = mix(writeVars[position].hash) & mask;
        while (writeIndex[h] != 0) {
            h = (h + 1) & mask;
        }
        writeIndex[h] = position + 1;
    }

    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private void pushUndo(int position) {
        int n = undoSize;
        if (n == undoPositions.length) {
            undoPositions = Arrays.copyOf(undoPositions, n * 2);
            undoObjs = Arrays.copyOf(undoObjs, n * 2);
            undoLongs = Arrays.copyOf(undoLongs, n * 2);
        }
        undoPositions[n] = position;
        undoObjs[n] = writeObjs[position];
        undoLongs[n] = writeLongs[position];
        undoSize = n + 1;
    }

    // =====================================================================================
    // Nesting (closed for exceptions and orElse, flat for conflicts)
    // =====================================================================================

    /** A nested scope's start: what to restore if the scope rolls back. */
    long checkpoint() {
        int cp = protectedSize;
        protectedSize = writeSize;
        return ((long) cp << 32) | (writeSize & 0xFFFFFFFFL);
    }

    /** Hook list sizes at a nested scope's start. */
    long hooksCheckpoint() {
        long commitHooks = afterCommit == null ? 0 : afterCommit.size();
        long rollbackHooks = afterRollback == null ? 0 : afterRollback.size();
        return (commitHooks << 32) | rollbackHooks;
    }

    int undoMark() {
        return undoSize;
    }

    /** Leaves a nested scope that completed normally. */
    void release(long checkpoint) {
        protectedSize = (int) (checkpoint >>> 32);
    }

    /**
     * Rolls a nested scope back: restores overwritten entries, drops entries it added, runs and
     * drops the rollback hooks it registered, drops its commit hooks. Reads stay recorded (they
     * decided what happened, so they must remain valid for the whole transaction to commit).
     */
    void rollbackTo(long checkpoint, long hooks, int undoMark) {
        int outerProtected = (int) (checkpoint >>> 32);
        int size = (int) checkpoint;
        for (int u = undoSize - 1; u >= undoMark; u--) {
            int pos = undoPositions[u];
            writeObjs[pos] = undoObjs[u];
            writeLongs[pos] = undoLongs[u];
            undoObjs[u] = null;
        }
        undoSize = undoMark;
        if (writeSize > size) {
            Arrays.fill(writeVars, size, writeSize, null);
            Arrays.fill(writeObjs, size, writeSize, null);
            writeSize = size;
            writeBloom = 0;
            for (int i = 0; i < size; i++) {
                writeBloom |= 1L << (writeVars[i].hash & 63);
            }
            if (writeIndex != null) {
                if (size > LINEAR_LIMIT) {
                    rebuildIndex();
                } else {
                    writeIndex = null;
                }
            }
        }
        protectedSize = outerProtected;
        int commitHooks = (int) (hooks >>> 32);
        int rollbackHooks = (int) hooks;
        if (afterCommit != null) {
            while (afterCommit.size() > commitHooks) {
                afterCommit.remove(afterCommit.size() - 1);
            }
        }
        if (afterRollback != null && afterRollback.size() > rollbackHooks) {
            ArrayList<Runnable> scoped = new ArrayList<>(afterRollback.subList(rollbackHooks, afterRollback.size()));
            while (afterRollback.size() > rollbackHooks) {
                afterRollback.remove(afterRollback.size() - 1);
            }
            if (inevitable) {
                // Hooks that touch what this inevitable transaction holds locked would wait for it
                // forever: run them when the top-level attempt ends.
                if (rolledBackScopeHooks == null) {
                    rolledBackScopeHooks = new ArrayList<>();
                }
                hooksUsed = true;
                rolledBackScopeHooks.addAll(scoped);
            } else {
                runOutsideLiveTransaction(scoped);
            }
        }
    }

    /**
     * Runs hooks now, outside the still-running top-level transaction of this thread: on a separate
     * descriptor with the shared slot, so that their commits can never reproduce a lock word this
     * transaction recorded (the own-slot shortcut assumes a thread's commits precede its running
     * transaction, which hooks run from inside it would break).
     */
    private void runOutsideLiveTransaction(List<Runnable> hooks) {
        TxnDescriptor hookDescriptor = new TxnDescriptor(stats);
        Thread t = Thread.currentThread();
        int i = (int) t.getId() & (FAST.length - 1);
        CURRENT.set(hookDescriptor);
        FAST[i] = null; // the cache must not answer with the (still running) outer descriptor
        try {
            runHooks(hooks);
        } finally {
            CURRENT.set(this);
            FAST[i] = null;
            if (hookDescriptor.holdsToken || hookDescriptor.tokenInFlight) {
                hookDescriptor.releaseToken(); // cut short even in its runTop: nobody else would give it back
            }
        }
    }

    /** Rollback hooks of nested scopes of an inevitable transaction; run when the top-level attempt ends. */
    private ArrayList<Runnable> rolledBackScopeHooks;

    private void runRolledBackScopeHooks() {
        ArrayList<Runnable> hooks = rolledBackScopeHooks;
        if (hooks != null && !hooks.isEmpty()) {
            rolledBackScopeHooks = null;
            runHooks(hooks);
        }
    }

    /** A retry signal was handled by orElse: the attempt goes on. */
    void clearRetry() {
        doomed = false;
    }

    /** Stm.retry(): unwind to the top level (or to the nearest orElse). */
    void signalRetry() {
        if (unlogged) {
            restartLogged(); // waiting needs the read set
        }
        doomed = true;
        throw ControlSignal.RETRY;
    }

    /** Whether a control signal was thrown in this attempt and not handled by an orElse. */
    boolean isDoomed() {
        return doomed;
    }

    /** Whether a conflict abort was signalled in this attempt (an orElse must not absorb it). */
    boolean hasPendingAbort() {
        return conflictReason != null;
    }

    // =====================================================================================
    // Commit
    // =====================================================================================

    /**
     * Commits the attempt. The common case (an ordinary transaction that wrote references, no
     * replication hook) is kept small enough for the JIT to inline; inevitable transactions and
     * replicated writes take {@link #commitSpecial()}.
     */
    private void commit() {
        if (writeSize == 0) {
            if (inevitable) {
                releaseInevitableLocks(0L);
                releaseToken();
            }
            return; // read-only: every read was validated when made
        }
        if (inevitable || (wroteBound && hooks != null)) {
            commitSpecial();
            return;
        }
        lockWriteSet();
        if (hooks != null && boundSinceWritten()) {
            wroteBound = true;
            commitSpecialLocked();
            return;
        }
        long version = CLOCK.get() + 1;
        if (version > GlobalClock.MAX_VERSION || !validateReads(true)) {
            unlockWriteSet();
            failCommit(version);
        }
        publishWriteSet(TVar.word(version, slot));
    }

    private void failCommit(long version) {
        if (version > GlobalClock.MAX_VERSION) {
            throw new IllegalStateException("STM version clock exhausted");
        }
        abort(conflictVar, "read set changed before commit");
    }

    /**
     * Whether a reference of the write set was bound by a replication runtime after this
     * transaction wrote it (a worker binds a new reference when another of its commits ships it).
     * Checked with the write set locked: a binder reads the value after binding, so it either sees
     * our lock (and then our value) or bound before this check (and then this commit goes through
     * the hook, which ships the write).
     */
    private boolean boundSinceWritten() {
        TVar[] vars = writeVars;
        for (int i = 0, n = writeSize; i < n; i++) {
            if (TVar.BINDING.getAcquire(vars[i]) != null) {
                return true;
            }
        }
        return false;
    }

    /** Commit of an inevitable transaction, or of one that wrote replicated references. */
    private void commitSpecial() {
        if (!inevitable) {
            lockWriteSet();
        }
        commitSpecialLocked();
    }

    /** {@link #commitSpecial} once the write set is locked (or held, for an inevitable one). */
    private void commitSpecialLocked() {
        if (inevitable && !wroteBound && hooks != null && boundSinceWritten()) {
            wroteBound = true; // bound after it was written: the hook must ship it
        }
        long version = CLOCK.get() + 1;
        if (version > GlobalClock.MAX_VERSION) {
            unlockWriteSet();
            throw new IllegalStateException("STM version clock exhausted");
        }
        if (!inevitable && !validateReads(true)) {
            unlockWriteSet();
            abort(conflictVar, "read set changed before commit");
        }
        long newWord = TVar.word(version, slot);
        if (wroteBound && hooks != null) {
            Object rejected;
            try {
                rejected = hooks.onCommit(this);
            } catch (RuntimeException | Error e) {
                if (inevitable) {
                    releaseInevitableLocks(0L);
                    releaseToken();
                } else {
                    unlockWriteSet();
                }
                throw e; // the body's failure path rolls back and rethrows it
            }
            if (rejected != null) {
                if (inevitable) {
                    releaseInevitableLocks(0L);
                    releaseToken();
                    wantInevitable = true;
                } else {
                    unlockWriteSet();
                }
                abort(rejected instanceof TVar v ? v : null, "rejected by the heap owner (" + rejected + ")");
            }
            // Accepted: the heap owner has this commit, so it is decided here. Plain stores, before
            // any call: an Error from now on finishes it (finishInterruptedCommit), never rolls it back.
            heldLocks = 0;
            unpublishedFrom = 0;
            decidedWord = newWord;
            hooksUsed = true;
        }
        if (inevitable) {
            decidedWord = newWord; // from here an Error finishes this commit: see finishInterruptedCommit
            publishWriteSet(newWord);
            unpublishedFrom = writeSize;
            releaseInevitableLocks(newWord);
            releaseToken();
            decidedWord = 0L;
            unpublishedFrom = 0;
        } else {
            publishWriteSet(newWord);
            decidedWord = 0L; // set when a replication hook accepted the commit
        }
    }

    /** Writes the redo log back and unlocks each reference with its new word (locks held). */
    private void publishWriteSet(long newWord) {
        if (lastWriteLabel != label) {
            lastWriteLabel = label;
        }
        TVar[] vars = writeVars;
        int i = 0;
        try {
            heldLocks = 0; // decided: from here the locks go with the new word
            for (int n = writeSize; i < n; i++) {
                TVar v = vars[i];
                v.publish(writeObjs[i], writeLongs[i]);
                if (TVar.WAITERS.getVolatile(v) != null) {
                    collectWaiters(v);
                }
                TVar.LOCK.setRelease(v, newWord);
            }
        } catch (Throwable t) {
            // The commit is decided: an Error here (stack, memory) must not leave it half written.
            // Only stores here (a call could fail again): the rest is finishInterruptedCommit's.
            unpublishedFrom = i;
            decidedWord = newWord;
            hooksUsed = true;
            throw t;
        }
    }

    /**
     * Locks the write set. A reference written right after this transaction read it is locked by a
     * CAS from the very word recorded at that read: success also proves the read still valid (that
     * read-set position is marked in {@link #coveredReads} and not checked again), failure on an
     * unlocked word means it changed since: a conflict, detected early.
     */
    private void lockWriteSet() {
        TVar[] vars = writeVars;
        int[] readPos = writeReadPos;
        long covered = 0;
        int i = 0;
        boolean handedOver = false;
        try {
            for (int n = writeSize; i < n; i++) {
                TVar v = vars[i];
                int rp = readPos[i];
                long w = rp >= 0 ? readWords[rp] : (long) TVar.LOCK.getOpaque(v);
                int spins = 0;
                for (;;) {
                    if ((w & TVar.LOCKED) == 0 && TVar.LOCK.compareAndSet(v, w, w | TVar.LOCKED)) {
                        writeOldWords[i] = w;
                        if (rp >= 0 && rp < 64) {
                            covered |= 1L << rp;
                        }
                        break;
                    }
                    long current = (long) TVar.LOCK.getVolatile(v);
                    if ((current & TVar.LOCKED) == 0) {
                        if (rp >= 0) {
                            handedOver = true;
                            heldLocks = i;
                            releaseHeldLocks();
                            abort(v, "read set changed before commit");
                        }
                        w = current;
                    } else if (++spins > SPIN_LIMIT) {
                        handedOver = true;
                        heldLocks = i;
                        releaseHeldLocks();
                        abort(v, "write lock held by another transaction");
                    } else {
                        Thread.onSpinWait();
                    }
                }
            }
        } catch (Throwable t) {
            if (!handedOver) {
                heldLocks = i; // an Error (stack, memory) after the first i locks: see heldLocks
                hooksUsed = true;
            }
            throw t;
        }
        heldLocks = i; // all of them, until the commit publishes or gives up (an Error in between: see heldLocks)
        coveredReads = covered;
    }

    /** Read-set positions (below 64) already validated by {@link #lockWriteSet}'s CAS. */
    private long coveredReads;

    /** Unlocks the locked write set with the words it had, undoing {@link #lockWriteSet} (no commit). */
    private void unlockWriteSet() {
        releaseHeldLocks();
    }

    // =====================================================================================
    // A commit cut short by an Error
    // =====================================================================================
    //
    // A StackOverflowError (a transaction started near the end of the stack) or an
    // OutOfMemoryError may strike anywhere in a commit. What the commit still holds or owes is
    // recorded with plain stores before anything that could fail again, so that whoever comes next
    // finishes it: the attempt's failure path (afterFailure, rollback), runTop's handler a frame
    // further up, or, should the stack still be short there, this thread's next begin(). Until
    // then the references stay locked, so no other transaction sees a half-made commit.

    /**
     * The first {@code heldLocks} entries of the write set are locked, with their old words in
     * {@link #writeOldWords}, by a commit not yet decided: set by {@link #lockWriteSet}, cleared when
     * the commit publishes or the locks are released (0: none). Non-zero outside a commit means an
     * Error cut one short.
     */
    private int heldLocks;
    /**
     * The new lock word of a commit that was decided (validated, or inevitable) and not finished
     * because an Error struck (0: none). Its write-set entries from {@link #unpublishedFrom} on are
     * still locked and unpublished; an inevitable one still holds its other locks and the token.
     */
    private long decidedWord;
    private int unpublishedFrom;

    /** Releases the {@link #heldLocks} locks, the last first, recording each release as it is made. */
    private void releaseHeldLocks() {
        hooksUsed = true; // if a release fails, begin() finishes (see clearHooks)
        for (int j = heldLocks - 1; j >= 0; j--) {
            TVar.LOCK.setRelease(writeVars[j], writeOldWords[j]);
            heldLocks = j;
        }
    }

    /** Whether an Error left a commit to finish: locks to release, or a decided commit to publish. */
    private boolean commitInterrupted() {
        return heldLocks != 0 || decidedWord != 0L;
    }

    /**
     * Finishes what an Error left of a commit: releases the locks of one that was not decided, or
     * publishes the rest of one that was (then releases an inevitable one's other locks and its
     * token). The retries waiting on what it wrote are left in {@link #toWake} for the caller to
     * wake outside the transaction (finishCommit, rollback, clearHooks): a wake-up may run a
     * transaction on this thread. Each step is recorded as made, so this can be called again after
     * it fails.
     */
    private void finishInterruptedCommit() {
        if (heldLocks != 0) {
            releaseHeldLocks();
        }
        long word = decidedWord;
        if (word == 0L) {
            return;
        }
        TVar[] vars = writeVars;
        for (int j = unpublishedFrom, n = writeSize; j < n; j++) {
            TVar v = vars[j];
            v.publish(writeObjs[j], writeLongs[j]);
            if (TVar.WAITERS.getVolatile(v) != null) {
                collectWaiters(v);
            }
            TVar.LOCK.setRelease(v, word);
            unpublishedFrom = j + 1;
        }
        if (inevitable) {
            releaseInevitableLocks(word);
        }
        releaseToken();
        decidedWord = 0L;
        unpublishedFrom = 0;
    }

    /**
     * Tests only: run (on the committing thread) each time a commit's write-back meets a reference
     * with retry waiters, before it takes them; a test throws an Error from it to cut a decided
     * commit short. Read only there, where waiters make the commit slow anyway.
     */
    static volatile Runnable faultBeforeCollectingWaiters;

    private void collectWaiters(TVar v) {
        hooksUsed = true; // wake-ups an Error keeps from firing are fired by the next begin (clearHooks)
        Runnable fault = faultBeforeCollectingWaiters;
        if (fault != null) {
            fault.run();
        }
        if (toWakeSize == toWake.length) { // before taking the list: an Error here loses nothing
            toWake = Arrays.copyOf(toWake, toWakeSize * 2);
        }
        WaiterList list = (WaiterList) TVar.WAITERS.getAndSet(v, (WaiterList) null);
        if (list != null) {
            toWake[toWakeSize++] = list;
        }
    }

    /**
     * Fires the waiters collected by the commit that just ended. The list is detached first: a
     * callback may run a transaction on this thread, whose begin() empties {@link #toWake} (a
     * commit of that transaction collects into a list of its own).
     */
    private void fireCollectedWaiters() {
        WaiterList[] lists = toWake;
        int n = toWakeSize;
        toWake = spareToWake != null ? spareToWake : new WaiterList[lists.length];
        spareToWake = null;
        toWakeSize = 0;
        try {
            for (int i = 0; i < n; i++) {
                WaiterList.fireAll(lists[i]); // a failing callback is logged; the others still fire
                lists[i] = null;
            }
        } catch (Throwable t) {
            // An Error (stack) while firing: hand the lists not yet fired to the next begin (stores
            // only; firing a waiter again is harmless, it fires at most once).
            if (toWakeSize == 0) {
                toWake = lists;
                toWakeSize = n;
                hooksUsed = true;
            }
            throw t;
        }
        if (spareToWake == null) {
            spareToWake = lists;
        }
    }

    /** An emptied wake-up list kept for reuse by {@link #fireCollectedWaiters}. */
    private WaiterList[] spareToWake;

    // =====================================================================================
    // Aborts and diagnostics
    // =====================================================================================

    /** {@link Replication#restartAttempt}: a conflict; an inevitable attempt runs again inevitable. */
    void restartForReplication(String reason) {
        if (inevitable) {
            wantInevitable = true;
        }
        abort(null, reason);
    }

    void abort(TVar ref, String reason) {
        conflictVar = ref;
        conflictReason = reason != null ? reason : "aborted"; // non-null: afterSignal reads null as a retry
        doomed = true;
        throw ControlSignal.ABORT;
    }

    private void recordAbort(int attempt) {
        stats.aborts++;
        timingBudget = TIMING_AFTER_ABORT;
        long lost = timed ? System.nanoTime() - attemptStart : 0L;
        TVar ref = conflictVar;
        String txnName = labelString(label, true);
        String refName = ref == null ? "(unknown)" : ref.describe();
        String winner = ref == null ? null : lastWriterOf(ref);
        String reason = conflictReason == null ? "aborted" : conflictReason;
        StmDiagnostics.CONFLICTS.record(txnName, refName, winner, reason, lost, timed);
        AbortEvent event = new AbortEvent();
        if (event.shouldCommit()) {
            event.transaction = txnName;
            event.reference = refName;
            event.conflictingWith = winner;
            event.reason = reason;
            event.attempt = attempt;
            event.timeLost = lost;
            event.readSetSize = readSize;
            event.commit();
        }
    }

    /**
     * Who committed {@code ref} last, for an abort report: the thread whose slot its lock word
     * carries, named by the label of that thread's latest writing commit. That is the transaction
     * that wrote {@code ref} unless the thread has committed another write since (diagnostics
     * take the risk, so that references carry no field for it and commits store nothing per
     * reference). Null when unknown: the word carries the shared slot (a thread beyond the slots,
     * or a replication install), or the thread has ended.
     */
    static String lastWriterOf(TVar ref) {
        int s = TVar.slot((long) TVar.LOCK.getVolatile(ref));
        if (s == ThreadSlots.SHARED_SLOT) {
            return null;
        }
        WeakReference<TxnDescriptor> r = BY_SLOT.get(s);
        TxnDescriptor d = r == null ? null : r.get();
        return d == null ? null : labelString(d.lastWriteLabel, false);
    }

    /** A transaction label as text; walking the stack is allowed only for our own running body. */
    static String labelString(Object label, boolean ownRunningBody) {
        if (label == null) {
            return null;
        }
        if (label instanceof String s) {
            return s;
        }
        Class<?> c = (Class<?>) label;
        return ownRunningBody ? CallSites.of(c) : CallSites.known(c);
    }

    // =====================================================================================
    // retry()
    // =====================================================================================

    /** Longest park of a thread in {@code retry()} before it looks at its waiter again. */
    static final long RETRY_PARK_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);

    /** Parks this thread until a reference of the read set is committed by someone else. */
    private void waitForChange() {
        if (readSize == 0) {
            rollback(false);
            runRollbackHooks();
            throw new IllegalStateException(
                    "Stm.retry() in a transaction that has read nothing: it could never wake up. "
                            + "Read the references whose change should wake it before calling retry().");
        }
        // What the transaction read, kept past the rollback (a rollback hook may run a transaction
        // on this descriptor): see below. Copied first: an Error here leaves no waiter registered.
        TVar[] watched = Arrays.copyOf(readVars, readSize);
        long[] words = Arrays.copyOf(readWords, readSize);
        Waiter waiter = Waiter.forThread(Thread.currentThread());
        boolean changed = register(waiter);
        rollback(false);
        runRollbackHooks();
        stats.retryWaits++;
        if (changed) {
            return;
        }
        while (!waiter.hasFired()) {
            // Timed, and each time it ends the references read are looked at again: a wake-up lost
            // to an Error in the committing thread (the waiter taken off a reference and never fired,
            // or marked fired and this thread never unparked) costs at most RETRY_PARK_NANOS, not the
            // rest of this thread's life. A reference found locked over the word that was read has
            // not changed yet (its holder restores that word or publishes a new one, seen next time):
            // re-running against it would only abort, and after a few such aborts escalate.
            LockSupport.parkNanos(this, RETRY_PARK_NANOS);
            if (Thread.interrupted()) {
                waiter.cancel();
                Thread.currentThread().interrupt();
                throw new StmInterruptedException("interrupted while waiting in Stm.retry()");
            }
            if (!waiter.hasFired() && changedSince(watched, words)) {
                waiter.cancel();
                return;
            }
        }
    }

    /** Whether any of {@code vars} has a lock word other than its word in {@code words}, locked or not. */
    private static boolean changedSince(TVar[] vars, long[] words) {
        for (int i = 0; i < vars.length; i++) {
            long current = (long) TVar.LOCK.getVolatile(vars[i]);
            if (current != words[i] && current != (words[i] | TVar.LOCKED)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Registers {@code onWake} for a change of the read set instead of parking. Returns true when
     * registered (the caller returns), false when something already changed (re-run now).
     */
    private boolean deferUntilChange(Runnable onWake) {
        if (readSize == 0) {
            rollback(false);
            runRollbackHooks();
            throw new IllegalStateException(
                    "Stm.retry() in a transaction that has read nothing: it could never wake up.");
        }
        Waiter waiter = Waiter.forCallback(onWake);
        boolean changed = register(waiter);
        rollback(false);
        try {
            runRollbackHooks();
        } catch (Throwable hookFailure) {
            // The call fails with the hook's exception: disarm the callback, so that a later change
            // does not call back for it (unless a commit fired it already, in this short window).
            waiter.cancel();
            throw Stm.sneakyThrow(hookFailure);
        }
        stats.retryWaits++;
        if (changed && waiter.cancel()) {
            return false; // we re-run right away instead
        }
        return true; // registered (or a commit fired it already: the callback reschedules us)
    }

    /**
     * Adds {@code waiter} to every reference read, then checks whether any of them changed. The
     * CAS that registers and the volatile read of the word here, against the committer's lock CAS
     * and volatile read of the waiter list, mean that either we see the change or the committer
     * sees the waiter.
     *
     * <p>An inevitable transaction holds every reference it read locked, so nothing it read has
     * changed: it registers first and releases its locks after, so that any commit made after the
     * release finds the waiter. It must not compare words after the release instead: it recorded
     * them without a clock check, so their last writer may commit again before the clock moves and
     * leave the very same word (a wake-up lost to that was found by
     * {@code InevitableRetryWakeupTest}).
     */
    private boolean register(Waiter waiter) {
        for (int i = 0; i < readSize; i++) {
            TVar v = readVars[i];
            for (;;) {
                WaiterList old = (WaiterList) TVar.WAITERS.getVolatile(v);
                if (TVar.WAITERS.compareAndSet(v, old, WaiterList.prepend(waiter, old))) {
                    break;
                }
            }
        }
        if (inevitable) {
            releaseInevitableLocks(0L);
            return false;
        }
        for (int i = 0; i < readSize; i++) {
            long current = (long) TVar.LOCK.getVolatile(readVars[i]);
            if (current != readWords[i]) {
                return true;
            }
        }
        return false;
    }

    // =====================================================================================
    // Inevitability
    // =====================================================================================

    /** Stm.inevitable(): from now on this transaction cannot abort. */
    void becomeInevitable() {
        if (inevitable) {
            return;
        }
        if (unlogged) {
            wantInevitable = true; // the reads so far cannot be locked: run again, inevitable
            restartLogged();
        }
        IdentityHashMap<TVar, Long> locks = new IdentityHashMap<>(); // before the token: no call between
        acquireToken();                                               // holding it and being inevitable
        lockedByMe = locks;
        inevitable = true; // before any lock, so that releaseInevitableLocks undoes a partial transition
        stats.inevitableRuns++;
        for (int i = 0; i < readSize; i++) {
            TVar v = readVars[i];
            if (lockedByMe.containsKey(v)) {
                continue;
            }
            if (!lockExact(v, readWords[i])) {
                wantInevitable = true; // restart once, inevitable from the first read
                abort(v, "changed before the transaction became inevitable");
            }
            try {
                lockedByMe.put(v, readWords[i]);
            } catch (Throwable e) { // a StackOverflowError or OutOfMemoryError: do not leave v locked
                TVar.LOCK.setRelease(v, readWords[i]);
                throw e;
            }
        }
        for (int i = 0; i < writeSize; i++) {
            lockForInevitable(writeVars[i]);
        }
    }

    boolean isInevitable() {
        return inevitable;
    }

    /** Locks {@code v} if it still has word {@code expected}; waits out other lockers. */
    private boolean lockExact(TVar v, long expected) {
        for (int spins = 0; ; spins++) {
            long current = (long) TVar.LOCK.getVolatile(v);
            if (current == expected) {
                if (TVar.LOCK.compareAndSet(v, expected, expected | TVar.LOCKED)) {
                    return true;
                }
            } else if (current != (expected | TVar.LOCKED)) {
                return false;
            } else {
                waitBriefly(spins);
            }
        }
    }

    /**
     * Locks {@code v} for this inevitable transaction, waiting for a committer to finish; returns
     * the word {@code v} had before this transaction locked it.
     */
    private long lockForInevitable(TVar v) {
        Long held = lockedByMe.get(v);
        if (held != null) {
            return held;
        }
        for (int spins = 0; ; spins++) {
            long current = (long) TVar.LOCK.getVolatile(v);
            if ((current & TVar.LOCKED) == 0) {
                if (TVar.LOCK.compareAndSet(v, current, current | TVar.LOCKED)) {
                    try {
                        lockedByMe.put(v, current);
                    } catch (Throwable e) { // a StackOverflowError or OutOfMemoryError: do not leave v locked
                        TVar.LOCK.setRelease(v, current);
                        throw e;
                    }
                    return current;
                }
            } else {
                waitBriefly(spins);
            }
        }
    }

    /**
     * Unlocks what this inevitable transaction locked: written references get {@code newWord}
     * (already done by the commit loop when non-zero), the others their old word back. Each entry
     * leaves the map once done, so that a call cut short (a StackOverflowError) can be repeated.
     */
    private void releaseInevitableLocks(long newWord) {
        IdentityHashMap<TVar, Long> locked = lockedByMe;
        if (locked != null) {
            if (releasing != null) { // a release an Error interrupted (see releasing): finish it, once
                locked.remove(releasing);
                TVar.LOCK.setRelease(releasing, releasingWord);
                releasing = null;
            }
            for (var it = locked.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                TVar v = e.getKey();
                if (newWord == 0L || findWrite(v) < 0) { // else published with the new word by commit()
                    releasingWord = e.getValue();
                    releasing = v;
                    it.remove();
                    TVar.LOCK.setRelease(v, releasingWord);
                    releasing = null;
                } else {
                    it.remove();
                }
            }
        }
        lockedByMe = null;
        inevitable = false;
    }

    /**
     * The reference {@link #releaseInevitableLocks} is letting go of, with the word it gets back:
     * recorded (plain stores) before the entry leaves {@link #lockedByMe} and cleared right after the
     * release, with no call in between, so that a release interrupted by an Error (a
     * StackOverflowError in the map's code) is finished by the next call exactly once: neither lost
     * (the lock held for good) nor made twice (over a word another thread has since written).
     */
    private TVar releasing;
    private long releasingWord;

    private void acquireToken() {
        if (!holdsToken) {
            if (tokenInFlight) {
                releaseToken(); // an earlier acquire or release was cut short: settle it first
            }
            // The thread, not this.owner: a hook descriptor (runOutsideLiveTransaction) has none.
            Thread me = Thread.currentThread();
            tokenInFlight = true;
            hooksUsed = true; // a body that catches an Error from here and commits: finishCommitSlow settles
            // A token this thread holds already was left by another descriptor of this thread whose
            // acquire an Error cut short (whose clean-up has not run): it is this thread's to use.
            if (INEVITABLE.owner() != me && !INEVITABLE.tryAcquire(me)) {
                InevitabilityToken.Waiter w = new InevitabilityToken.Waiter(me);
                tokenWaiter = w;
                try {
                    INEVITABLE.acquire(w);
                } catch (InterruptedException e) {
                    tokenWaiter = null;
                    tokenInFlight = false;
                    Thread.currentThread().interrupt();
                    throw new StmInterruptedException("interrupted while waiting to become inevitable "
                            + "(another inevitable transaction holds the token)");
                }
                tokenWaiter = null;
            }
            holdsToken = true;
            tokenInFlight = false;
        }
    }

    /**
     * Gives the token back. Also settles an acquire or release an Error cut short (tokenInFlight):
     * leaves the line, gives the token back if this thread got it, and wakes the next waiter, whom
     * the cut-short release may not have woken. Each step is safe to repeat, so an Error in here
     * leaves the same work to the next call.
     */
    private void releaseToken() {
        if (holdsToken || tokenInFlight) {
            tokenInFlight = true;
            InevitabilityToken.Waiter w = tokenWaiter;
            if (w != null) {
                INEVITABLE.leave(w);
                tokenWaiter = null;
            }
            INEVITABLE.release(Thread.currentThread()); // only if this thread holds it; wakes the next waiter either way
            holdsToken = false;
            tokenInFlight = false;
        }
    }

    static void waitBriefly(int spins) {
        if (spins < SPIN_LIMIT) {
            Thread.onSpinWait();
        } else if (spins < SPIN_LIMIT + 64) {
            Thread.yield();
        } else if (spins == SPIN_LIMIT + 64 && settleOwnCutShortCommit()) {
            return; // the lock waited for may have been this thread's own: look again at once
        } else if (Thread.interrupted()) {
            // parkNanos returns at once for an interrupted thread: wait without the flag, then set
            // it again (else a single read of a reference an inevitable transaction holds spins a
            // core). The first park returns at once too: it takes the permit the interrupt left.
            LockSupport.parkNanos(50_000L);
            LockSupport.parkNanos(200_000L);
            Thread.currentThread().interrupt();
        } else {
            LockSupport.parkNanos(50_000L);
        }
    }

    /**
     * A single operation outside any transaction that waits on a lock: if this thread left a commit that an Error cut
     * short and even runTop could not finish (its references still locked, see finishInterruptedCommit), finish it
     * now, as this thread's next transaction would; the lock waited for may be one of them, which nobody else
     * releases. (Only transactions settled it, so a thread doing single operations waited on its own lock for good.)
     *
     * @return whether there was such a commit
     */
    private static boolean settleOwnCutShortCommit() {
        TxnDescriptor d = current();
        if (d.depth != 0 || !d.commitInterrupted()) {
            return false;
        }
        d.finishInterruptedCommit();
        if (d.toWakeSize != 0) {
            d.fireCollectedWaiters(); // outside any transaction, as clearHooks does
        }
        return true;
    }

    // =====================================================================================
    // Hooks
    // =====================================================================================

    void addAfterCommit(Runnable hook) {
        if (afterCommit == null) {
            afterCommit = spareHooks != null ? spareHooks : new ArrayList<>();
            spareHooks = null;
        }
        afterCommit.add(hook);
        hooksUsed = true;
    }

    void addAfterRollback(Runnable hook) {
        if (afterRollback == null) {
            afterRollback = new ArrayList<>();
        }
        afterRollback.add(hook);
        hooksUsed = true;
    }

    // =====================================================================================
    // Single operations outside a transaction
    // =====================================================================================

    // A reference bound by a replication runtime (Replication.bind) must go through its hooks even
    // outside a transaction: a read may first have to fetch the value, and a write must be versioned
    // by the owner and reach the other replicas, which only the commit hook does. So a single write
    // to a bound reference runs as an ordinary one-write transaction, and a single read calls
    // beforeRead first. Unbound references (every reference unless an isolated-mode system bound it)
    // keep the fast paths below.

    /** The binding of {@code ref} if replication hooks are installed and it is bound, else null. */
    private static Object replicated(TVar ref) {
        return hooks == null ? null : TVar.BINDING.getAcquire(ref);
    }

    /** A consistent read of one reference, outside any transaction. */
    static Object readSingle(TRef<?> ref) {
        Object binding = replicated(ref);
        if (binding != null) {
            beforeBoundRead(binding);
        }
        for (int spins = 0; ; spins++) {
            long w1 = (long) TVar.LOCK.getAcquire(ref);
            Object value = ref.load();
            long w2 = (long) TVar.LOCK.getAcquire(ref);
            if (w1 == w2 && (w1 & TVar.LOCKED) == 0) {
                return value;
            }
            waitBriefly(spins);
        }
    }

    /** A consistent read of one counter, outside any transaction. */
    static long readSingle(TLong ref) {
        Object binding = replicated(ref);
        if (binding != null) {
            beforeBoundRead(binding);
        }
        for (int spins = 0; ; spins++) {
            long w1 = (long) TVar.LOCK.getAcquire(ref);
            long value = ref.load();
            long w2 = (long) TVar.LOCK.getAcquire(ref);
            if (w1 == w2 && (w1 & TVar.LOCKED) == 0) {
                return value;
            }
            waitBriefly(spins);
        }
    }

    /** A one-reference transaction that writes a value. */
    static void writeSingle(TVar ref, Object obj, long prim) {
        if (replicated(ref) != null) {
            Stm.atomic(SINGLE_WRITE, () -> {
                TxnDescriptor t = current();
                if (ref instanceof TLong l) {
                    t.writeLong(l, prim);
                } else {
                    t.writeRef((TRef<?>) ref, obj);
                }
            });
            return;
        }
        TxnDescriptor d = current();
        long old = lockSingle(ref);
        d.publishSingle(ref, old, obj, prim);
    }

    /** {@link #replaceAttached}: the slot no longer holds the leaf; nothing written. */
    static final Object DETACHED = new Object();

    /**
     * A one-reference write outside any transaction that counts only while {@code holder} still
     * holds {@code node}: replaces the value of {@code cell} with {@code newValue} and returns the
     * previous value (no write when they are identical); returns {@link #DETACHED} if the holder
     * changed, and {@link #UNSUPPORTED} for replicated references (then nothing is written).
     *
     * <p>The cell is locked first, then the holder is read: a transaction that replaces the holder
     * and read the cell either saw the cell's lock (it aborts at validation) or committed before
     * the lock was taken (the holder read here shows its lock or its new value). This is how a
     * {@link TMap} replaces a value without a transaction and without losing it to a concurrent
     * removal.
     */
    static Object replaceAttached(TRef<?> cell, Object newValue, TRef<?> holder, Object node) {
        if (replicated(cell) != null || replicated(holder) != null) {
            return UNSUPPORTED;
        }
        long old = lockSingle(cell);
        long w1 = (long) TVar.LOCK.getVolatile(holder);
        Object held = holder.load();
        long w2 = (long) TVar.LOCK.getAcquire(holder);
        if (held != node || w1 != w2 || (w1 & TVar.LOCKED) != 0) {
            TVar.LOCK.setRelease(cell, old);
            return DETACHED;
        }
        Object previous = cell.load();
        if (previous == newValue) {
            TVar.LOCK.setRelease(cell, old);
            return previous;
        }
        current().publishSingle(cell, old, newValue, 0L);
        return previous;
    }

    /** {@link #replaceAttached}: the references are replicated; run a transaction instead. */
    static final Object UNSUPPORTED = new Object();

    /**
     * The first half of a two-reference write outside any transaction (how a {@link TMap} inserts a
     * key without one): locks {@code holder} if it still holds {@code expected} and returns the
     * word to unlock it with; returns {@link #NOT_LOCKED} when the holder changed or its lock was
     * taken (nothing locked: the caller looks again). The caller then builds the new value, knowing
     * that {@code holder} holds {@code expected} until it calls {@link #replaceLockedAndAdd} or
     * {@link #unlockHolder}, and must call one of them. Not for replicated references
     * ({@link #isReplicated}).
     *
     * <p>The lock is taken by compare-and-set, never waited for, so this cannot deadlock with a
     * committing transaction or another such write. Locking the holder from the word its value was
     * read with does not prove the value unchanged: two commits by one thread with the same clock
     * sample leave the same word (the lazy clock), so the value is checked again under the lock
     * (leaves are immutable and each is a new object, so the same object means the same entries).
     */
    static long lockHolding(TRef<?> holder, Object expected) {
        long hw = (long) TVar.LOCK.getVolatile(holder);
        if ((hw & TVar.LOCKED) != 0 || holder.load() != expected
                || !TVar.LOCK.compareAndSet(holder, hw, hw | TVar.LOCKED)) {
            return NOT_LOCKED;
        }
        if (holder.load() != expected) {
            // Two commits by one thread between our check and our lock may leave the same word
            // (same clock sample, same slot): only the value, read under the lock, proves it.
            TVar.LOCK.setRelease(holder, hw);
            return NOT_LOCKED;
        }
        return hw;
    }

    /** {@link #lockHolding}'s answer when it locked nothing (never an unlocked word: its lock bit is set). */
    static final long NOT_LOCKED = -1L;

    /** Unlocks a holder locked by {@link #lockHolding} without writing it. */
    static void unlockHolder(TRef<?> holder, long holderWord) {
        TVar.LOCK.setRelease(holder, holderWord);
    }

    /**
     * The second half: with {@code holder} locked by {@link #lockHolding} (its word
     * {@code holderWord}), replaces its value with {@code node} and adds {@code delta} to
     * {@code counter}, as one atomic step by the thread of {@code d} (its idle descriptor). Returns
     * null when written; {@link #DETACHED} when the counter's lock was taken (nothing written; the
     * holder is unlocked unchanged). The version is sampled after both locks are held, as a commit
     * does.
     */
    static Object replaceLockedAndAdd(TxnDescriptor d, TRef<?> holder, long holderWord, Object node, TLong counter,
                                      long delta) {
        long cw = (long) TVar.LOCK.getVolatile(counter);
        if ((cw & TVar.LOCKED) != 0 || !TVar.LOCK.compareAndSet(counter, cw, cw | TVar.LOCKED)) {
            TVar.LOCK.setRelease(holder, holderWord);
            return DETACHED;
        }
        long version = CLOCK.get() + 1;
        if (version > GlobalClock.MAX_VERSION) { // it would wrap to version 0 in the lock word
            TVar.LOCK.setRelease(counter, cw);
            TVar.LOCK.setRelease(holder, holderWord);
            throw new IllegalStateException("STM version clock exhausted");
        }
        long newWord = TVar.word(version, d.slot);
        counter.publish(null, counter.load() + delta);
        holder.publish(node, 0L);
        WaiterList counterWaiters = takeWaiters(counter);
        WaiterList holderWaiters = takeWaiters(holder);
        TVar.LOCK.setRelease(counter, newWord);
        TVar.LOCK.setRelease(holder, newWord);
        d.stats.commits++;
        d.noteSingleWrite();
        if (counterWaiters != null) {
            WaiterList.fireAll(counterWaiters);
        }
        if (holderWaiters != null) {
            WaiterList.fireAll(holderWaiters);
        }
        return null;
    }

    /** Whether either reference is replicated (its writes must go through a transaction). */
    static boolean isReplicated(TVar a, TVar b) {
        return replicated(a) != null || replicated(b) != null;
    }

    /** Records that this thread's latest write was a single write outside a transaction. */
    private void noteSingleWrite() {
        if (lastWriteLabel != SINGLE_WRITE) {
            lastWriteLabel = SINGLE_WRITE;
        }
    }

    /** Takes the retry waiters of {@code ref}, written outside a transaction (lock held). */
    private static WaiterList takeWaiters(TVar ref) {
        return TVar.WAITERS.getVolatile(ref) != null ? (WaiterList) TVar.WAITERS.getAndSet(ref, (WaiterList) null) : null;
    }

    /** A one-counter transaction that adds {@code delta}; returns the new value. */
    static long addSingle(TLong ref, long delta) {
        if (replicated(ref) != null) {
            return Stm.atomic(SINGLE_WRITE, () -> {
                TxnDescriptor t = current();
                long next = t.readLong(ref) + delta;
                t.writeLong(ref, next);
                return next;
            });
        }
        TxnDescriptor d = current();
        long old = lockSingle(ref);
        long next = ref.load() + delta;
        d.publishSingle(ref, old, null, next);
        return next;
    }

    private static long lockSingle(TVar ref) {
        for (int spins = 0; ; spins++) {
            long w = (long) TVar.LOCK.getVolatile(ref);
            if ((w & TVar.LOCKED) == 0 && TVar.LOCK.compareAndSet(ref, w, w | TVar.LOCKED)) {
                return w;
            }
            waitBriefly(spins);
        }
    }

    private void publishSingle(TVar ref, long oldWord, Object obj, long prim) {
        publishSingle(ref, oldWord, obj, prim, slot);
    }

    private void publishSingle(TVar ref, long oldWord, Object obj, long prim, int slotToStamp) {
        long version = CLOCK.get() + 1;
        if (version > GlobalClock.MAX_VERSION) { // it would wrap to version 0 in the lock word
            TVar.LOCK.setRelease(ref, oldWord);
            throw new IllegalStateException("STM version clock exhausted");
        }
        ref.publish(obj, prim);
        WaiterList waiters = takeWaiters(ref);
        TVar.LOCK.setRelease(ref, TVar.word(version, slotToStamp));
        stats.commits++;
        noteSingleWrite();
        if (waiters != null) {
            WaiterList.fireAll(waiters);
        }
    }

    private static final String SINGLE_WRITE = "(single write outside a transaction)";

    /** Replication: a one-reference write that runs {@code underLock} with the lock held. */
    static void installSingle(TVar ref, Object obj, long prim, Runnable underLock) {
        TxnDescriptor d = current();
        long old = lockSingle(ref);
        try {
            if (underLock != null) {
                underLock.run();
            }
        } catch (RuntimeException | Error e) {
            TVar.LOCK.setRelease(ref, old);
            throw e;
        }
        // Installs happen while this thread may run a transaction (a replica fetched inside it):
        // stamp the shared slot so that no transaction takes them for its own earlier writes.
        d.publishSingle(ref, old, obj, prim, ThreadSlots.SHARED_SLOT);
    }

    // =====================================================================================
    // Replication.CommitView (valid during the commit hook only)
    // =====================================================================================

    @Override
    public String transactionName() {
        return labelString(label, false);
    }

    @Override
    public int readCount() {
        return readSize;
    }

    @Override
    public Object readRef(int i) {
        return readVars[i];
    }

    @Override
    public Object readBinding(int i) {
        return TVar.BINDING.getAcquire(readVars[i]);
    }

    @Override
    public boolean readStillValid(int i) {
        TVar v = readVars[i];
        long current = (long) TVar.LOCK.getVolatile(v);
        // Locked by this transaction since the read: to write it, or (inevitable) because it read it.
        return current == readWords[i] || (current == (readWords[i] | TVar.LOCKED)
                && (findWrite(v) >= 0 || inevitable && lockedByMe != null && lockedByMe.containsKey(v)));
    }

    @Override
    public int writeCount() {
        return writeSize;
    }

    @Override
    public Object writeRef(int i) {
        return writeVars[i];
    }

    @Override
    public Object writeBinding(int i) {
        return TVar.BINDING.getAcquire(writeVars[i]);
    }

    @Override
    public Object writeValue(int i) {
        return writeVars[i] instanceof TLong ? (Object) writeLongs[i] : writeObjs[i];
    }
}
