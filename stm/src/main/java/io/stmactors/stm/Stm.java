package io.stmactors.stm;

import io.stmactors.stm.internal.ControlSignal;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Entry point of the transactional heap: run code as a transaction, wait for state, register
 * side effects.
 *
 * <pre>{@code
 * TLong from = TLong.of(100), to = TLong.of(0);
 * Stm.atomic(() -> {            // all or nothing, isolated from other transactions
 *     if (from.get() < 10) Stm.retry();   // wait until 'from' changes
 *     from.add(-10);
 *     to.add(10);
 * });
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * Committed transactions are serializable; a running transaction never observes an inconsistent
 * state (opacity), so invariants checked inside a transaction hold even in attempts that will
 * abort. A body may run several times (conflicts re-run it); only the committed run's writes
 * become visible, and {@link #afterCommit(Runnable)} hooks run once, after commit.
 *
 * <h2>Exceptions</h2>
 * An exception thrown by the body rolls back every write of the transaction, runs the
 * {@link #afterRollback(Runnable)} hooks, and is rethrown unchanged — checked exceptions too, even
 * though {@code atomic} declares none (so it can be called from a plain {@link Runnable}). To
 * catch a checked exception {@code E} thrown by a body, catch {@code Exception} and test
 * {@code instanceof E}, or call {@link #atomicChecked(TxnCallable)}, which declares
 * {@code throws Exception}.
 *
 * <h2>Nesting</h2>
 * An {@code atomic} call inside a transaction joins it (flat for conflicts: a conflict re-runs the
 * outermost transaction), but an exception escaping the inner block rolls back only the inner
 * block's writes (closed nesting), so the outer body may catch it and go on.
 * {@link #orElse(TxnCallable, TxnCallable)} likewise rolls back only its first branch.
 *
 * <h2>Threads</h2>
 * All methods may be called from any thread. The STM keeps one reusable descriptor per thread,
 * so the common path allocates nothing.
 */
public final class Stm {
    private Stm() {
    }

    /** Runs {@code body} as a transaction, re-running it on conflict, and returns its result. */
    public static <T> T atomic(TxnCallable<T> body) {
        Objects.requireNonNull(body, "body");
        return run(body.getClass(), body, true);
    }

    /** Runs {@code body} as a transaction, re-running it on conflict. */
    public static void atomic(TxnRunnable body) {
        Objects.requireNonNull(body, "body");
        run(body.getClass(), body, false);
    }

    /** Like {@link #atomic(TxnCallable)}; {@code name} identifies the transaction in diagnostics. */
    public static <T> T atomic(String name, TxnCallable<T> body) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        return run(name, body, true);
    }

    /** Like {@link #atomic(TxnRunnable)}; {@code name} identifies the transaction in diagnostics. */
    public static void atomic(String name, TxnRunnable body) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        run(name, body, false);
    }

    /**
     * Like {@link #atomic(TxnCallable)} but declares the checked exceptions its body may throw,
     * for callers that want the compiler's help catching them.
     */
    public static <T> T atomicChecked(TxnCallable<T> body) throws Exception {
        return atomic(body);
    }

    /** Like {@link #atomic(TxnRunnable)} but declares the checked exceptions its body may throw. */
    public static void atomicChecked(TxnRunnable body) throws Exception {
        atomic(body);
    }

    /**
     * For runtimes (the actor dispatcher): runs {@code body} as a top-level transaction like
     * {@link #atomic(String, TxnRunnable)}, except that when the body calls {@link #retry()} this
     * thread does not park: the attempt is rolled back, {@code onChange} is registered to run once
     * (on the committing thread, so it must be quick and must not block) when a reference the body
     * read is committed, and the method returns {@code false}. Returns {@code true} once the body
     * committed. An exception of the body, or of a rollback hook of the retried attempt, is thrown
     * unchanged, and then {@code onChange} is not called (unless a commit fired it in the moment
     * between its registration and the hook's failure).
     *
     * @throws IllegalStateException if called inside a transaction
     */
    public static boolean tryAtomic(String name, TxnRunnable body, Runnable onChange) {
        return tryAtomicReporting(name, body, onChange, null);
    }

    /**
     * {@link #tryAtomic(String, TxnRunnable, Runnable)}, except that an exception thrown by an
     * {@link #afterCommit} hook of this transaction does not leave the method: the transaction has
     * committed, so after every hook ran the exception (the first; later ones suppressed in it) is
     * passed to {@code onHookFailure}, on this thread, and the method returns {@code true}. For a
     * runtime that must apply the outcome of a commit (an actor's new state) before it deals with a
     * hook's failure. Exceptions of the body are thrown as by the three-argument form.
     *
     * @throws IllegalStateException if called inside a transaction
     */
    public static boolean tryAtomic(String name, TxnRunnable body, Runnable onChange,
                                    Consumer<? super Throwable> onHookFailure) {
        return tryAtomicReporting(name, body, onChange, Objects.requireNonNull(onHookFailure, "onHookFailure"));
    }

    /** Both forms of tryAtomic: hook failures thrown when {@code onHookFailure} is null. */
    private static boolean tryAtomicReporting(String name, TxnRunnable body, Runnable onChange,
                                              Consumer<? super Throwable> onHookFailure) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(onChange, "onChange");
        TxnDescriptor d = TxnDescriptor.current();
        if (d.depth != 0) {
            throw new IllegalStateException("Stm.tryAtomic must be called outside any transaction");
        }
        return d.runTop(name, body, false, onChange, onHookFailure) != TxnDescriptor.DEFERRED;
    }

    /**
     * Blocks the transaction until something it has read changes: the attempt is rolled back and
     * the thread parks (without spinning) until another transaction commits one of the references
     * read; then the body runs again.
     *
     * @throws IllegalStateException outside a transaction, or when the transaction has read
     *                               nothing (it could never wake up)
     */
    public static void retry() {
        TxnDescriptor d = TxnDescriptor.active();
        if (d == null) {
            throw new IllegalStateException("Stm.retry() called outside a transaction: "
                    + "it can only be used inside Stm.atomic(...)");
        }
        d.signalRetry();
    }

    /**
     * Runs {@code first}; if it calls {@link #retry()}, rolls back what {@code first} did and runs
     * {@code second} instead. If both retry, the whole transaction waits for a change to anything
     * either branch read. Outside a transaction, runs as one.
     */
    public static <T> T orElse(TxnCallable<T> first, TxnCallable<T> second) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        TxnDescriptor d = TxnDescriptor.current();
        if (d.depth == 0) {
            return run(first.getClass(), (TxnCallable<T>) () -> orElseIn(TxnDescriptor.current(), first, second), true);
        }
        try {
            return orElseIn(d, first, second);
        } catch (Exception e) {
            throw sneakyThrow(e);
        }
    }

    private static <T> T orElseIn(TxnDescriptor d, TxnCallable<T> first, TxnCallable<T> second) throws Exception {
        long cp = d.checkpoint();
        long hooks = d.hooksCheckpoint();
        int undo = d.undoMark();
        boolean doomedBefore = d.isDoomed(); // a signal swallowed earlier: first's retry must not undo it
        d.depth++;
        try {
            T result = first.call();
            d.release(cp);
            return result;
        } catch (ControlSignal signal) {
            if (signal != ControlSignal.RETRY || d.hasPendingAbort() || doomedBefore) {
                d.release(cp);
                throw signal;
            }
            d.clearRetry(); // first: a failing rollback hook below is an exception, not a retry
            d.rollbackTo(cp, hooks, undo);
        } catch (Throwable t) {
            rollbackScope(d, cp, hooks, undo, t);
            throw t;
        } finally {
            d.depth--;
        }
        return nested(d, second, true);
    }

    /** Whether the calling thread is running a transaction. */
    public static boolean inTransaction() {
        return TxnDescriptor.active() != null;
    }

    /**
     * Registers {@code hook} to run once after the current transaction commits, outside it, on the
     * committing thread. Hooks never run for an aborted attempt. If a hook throws, the other hooks
     * still run and the first exception propagates from {@code atomic} (the commit stands).
     *
     * @throws IllegalStateException outside a transaction
     */
    public static void afterCommit(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        requireActive("Stm.afterCommit").addAfterCommit(hook);
    }

    /**
     * Like {@link #afterCommit(Runnable)} when a transaction is running, and returns true; outside
     * a transaction does nothing and returns false (the caller then acts at once). One look-up of
     * the thread's transaction instead of {@link #inTransaction()} followed by
     * {@code afterCommit}: for code on a hot path that works both ways, such as an actor's send.
     */
    public static boolean afterCommitIfActive(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        TxnDescriptor d = TxnDescriptor.active();
        if (d == null) {
            return false;
        }
        d.addAfterCommit(hook);
        return true;
    }

    /**
     * Registers {@code hook} to run when the current attempt rolls back: on a conflict (before the
     * body is re-run), on {@link #retry()}, and when the body throws.
     *
     * @throws IllegalStateException outside a transaction
     */
    public static void afterRollback(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        requireActive("Stm.afterRollback").addAfterRollback(hook);
    }

    /**
     * Makes the current transaction inevitable: from here on it cannot abort, so it may perform
     * I/O. At most one inevitable transaction runs at a time (others wait for the token). If
     * something the transaction already read has changed, it is restarted once, inevitable from
     * the start. Other transactions that touch what it touches wait for it.
     *
     * @throws IllegalStateException outside a transaction
     */
    public static void inevitable() {
        requireActive("Stm.inevitable()").becomeInevitable();
    }

    /** Whether the current transaction is inevitable (false outside a transaction). */
    public static boolean isInevitable() {
        TxnDescriptor d = TxnDescriptor.active();
        return d != null && d.isInevitable();
    }

    /** The heap's statistics and conflict report. Cheap; the object is a live view. */
    public static StmDiagnostics diagnostics() {
        return StmDiagnostics.INSTANCE;
    }

    // -------------------------------------------------------------------------------------

    private static TxnDescriptor requireActive(String what) {
        TxnDescriptor d = TxnDescriptor.active();
        if (d == null) {
            throw new IllegalStateException(what + " called outside a transaction");
        }
        return d;
    }

    /**
     * Runs {@code body}, a {@link TxnCallable} if {@code callable}, else a {@link TxnRunnable}: the
     * caller's overload says which, so no one tests the body's type (see
     * {@link TxnDescriptor#invoke}).
     */
    @SuppressWarnings("unchecked")
    private static <T> T run(Object label, Object body, boolean callable) {
        TxnDescriptor d = TxnDescriptor.current();
        if (d.depth != 0) {
            return (T) nested(d, body, callable);
        }
        return (T) d.runTop(label, body, callable, null);
    }

    @SuppressWarnings("unchecked")
    private static <T> T nested(TxnDescriptor d, Object body, boolean callable) {
        long cp = d.checkpoint();
        long hooks = d.hooksCheckpoint();
        int undo = d.undoMark();
        d.depth++;
        try {
            Object result = TxnDescriptor.invoke(body, callable);
            d.release(cp);
            return (T) result;
        } catch (ControlSignal signal) {
            d.release(cp);
            throw signal;
        } catch (Throwable t) {
            rollbackScope(d, cp, hooks, undo, t);
            throw sneakyThrow(t);
        } finally {
            d.depth--;
        }
    }

    /**
     * Rolls back a nested scope that {@code failure} is leaving: a failing rollback hook does not
     * replace the body's exception, it is suppressed in it (as at the top level).
     */
    private static void rollbackScope(TxnDescriptor d, long cp, long hooks, int undo, Throwable failure) {
        try {
            d.rollbackTo(cp, hooks, undo);
        } catch (Throwable hookFailure) {
            if (hookFailure != failure) {
                failure.addSuppressed(hookFailure);
            }
        }
    }

    /** Throws {@code t} unchanged, whatever its type; declared to return so callers can 'throw'. */
    @SuppressWarnings("unchecked")
    static <E extends Throwable> RuntimeException sneakyThrow(Throwable t) throws E {
        throw (E) t;
    }
}
