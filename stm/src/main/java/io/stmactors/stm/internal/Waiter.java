package io.stmactors.stm.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Something waiting for one of a set of references to be committed: a parked thread
 * ({@link #forThread}) or a callback ({@link #forCallback}, used by the actor dispatcher so that
 * no thread parks per waiting actor).
 *
 * <p>A waiter fires at most once. It is registered on every reference of a retried transaction's
 * read set; the first commit to any of them fires it, later ones find it already fired.
 */
public abstract class Waiter {
    private final AtomicBoolean fired = new AtomicBoolean();

    /** Fires the waiter if it has not fired yet. Called by committing threads, after unlocking. */
    public final void fire() {
        if (!fired.get() && fired.compareAndSet(false, true)) {
            onFire();
        }
    }

    /**
     * Disarms the waiter without running its action (the waiting side gave up or re-ran). Returns
     * false if a commit fired it first: its action runs (or ran) and the caller must rely on it.
     */
    public final boolean cancel() {
        return !fired.get() && fired.compareAndSet(false, true);
    }

    /** Whether {@link #fire()} or {@link #cancel()} has happened. */
    public final boolean hasFired() {
        return fired.get();
    }

    /** What firing does. Must be quick and must not block: it runs on a committing thread. */
    protected abstract void onFire();

    /** A waiter that unparks {@code thread}. */
    public static Waiter forThread(Thread thread) {
        return new Waiter() {
            @Override
            protected void onFire() {
                LockSupport.unpark(thread);
            }
        };
    }

    /** A waiter that runs {@code callback} once on the committing thread. */
    public static Waiter forCallback(Runnable callback) {
        return new Waiter() {
            @Override
            protected void onFire() {
                callback.run();
            }
        };
    }
}
