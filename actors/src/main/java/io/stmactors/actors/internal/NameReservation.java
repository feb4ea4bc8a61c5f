package io.stmactors.actors.internal;

import io.stmactors.stm.Replication;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;

import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The claim of an actor name by a spawn inside a transaction, which holds only if that transaction
 * commits. A registry ({@link ConcurrentMap} of name to entry) takes the entry at once, so that two
 * actors never share a name; another thread's spawn of the same name must not read that entry as a
 * taken name before the transaction is decided (as with one big lock, it either comes after the
 * commit, and finds the name in use, or after the rollback, and gets it).
 *
 * <p>How "decided" is known: the spawning transaction writes {@link #committed} = 1, so its
 * committed value turns 1 exactly when that transaction commits, before any of its after-commit
 * hooks run; a rollback removes the entry from the registry (an after-rollback hook). A waiting
 * spawn polls both. Inside a transaction it first rolls its own attempt back (so it holds no lock
 * or inevitability token while it waits, and, its hooks having run, no name of its own), waits in
 * an after-rollback hook (at most {@link #ROLLBACK_WAIT_NANOS} per attempt), and runs again.
 */
public final class NameReservation {
    private final Thread thread = Thread.currentThread();
    private final TLong committed = TLong.of(0);

    private NameReservation() {
    }

    /** A reservation for a spawn in the running transaction, or null outside a transaction. */
    public static NameReservation ofCurrentTransaction() {
        if (!Stm.inTransaction()) {
            return null;
        }
        NameReservation r = new NameReservation();
        r.committed.set(1); // committed with the spawning transaction, or never
        return r;
    }

    /**
     * Whether the transaction that made this reservation, on another thread, has not committed
     * (inside a transaction, as of its snapshot). The spawning thread's own reservations count as
     * decided: a name spawned twice by one transaction is in use.
     */
    private boolean undecided() {
        if (thread == Thread.currentThread()) {
            return false;
        }
        // An inevitable transaction locks what it reads: it would make the spawner's commit fail.
        return Stm.isInevitable() ? (Long) Replication.peek(committed) == 0L : committed.get() == 0;
    }

    /**
     * Puts {@code entry} under {@code name}, waiting while another thread's undecided transaction
     * holds the name; throws {@code inUse}'s exception when the name is taken. Each wait inside a
     * transaction counts as a conflict, so after about a dozen of them the transaction turns
     * inevitable and the next one fails: an {@link IllegalStateException} (also when the calling
     * transaction is inevitable, or the thread is interrupted while it waits).
     */
    public static <V> void reserve(ConcurrentMap<String, V> registry, String name, V entry,
                                   Function<? super V, NameReservation> reservationOf,
                                   Supplier<? extends RuntimeException> inUse) {
        for (;;) {
            V existing = registry.putIfAbsent(name, entry);
            if (existing == null) {
                return;
            }
            NameReservation pending = reservationOf.apply(existing);
            if (pending == null || !pending.undecided()) {
                throw inUse.get();
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted while waiting for the transaction that spawned an actor named '"
                        + name + "' on another thread to commit or roll back");
            }
            if (Stm.isInevitable()) {
                // Waiting means running the attempt again, which an inevitable transaction (one that
                // may have done I/O) must not; nor may it wait in place, holding what it locked.
                throw new IllegalStateException("actor name '" + name + "' is reserved by a spawn on another thread "
                        + "whose transaction has not committed yet, and an inevitable transaction cannot wait for "
                        + "it (a transaction becomes inevitable by Stm.inevitable(), or after about a dozen "
                        + "conflicts or waits in a row)");
            }
            if (Stm.inTransaction()) {
                Stm.afterRollback(() -> pending.awaitDecided(registry, name, existing, ROLLBACK_WAIT_NANOS));
                Replication.restartAttempt("actor name '" + name
                        + "' is reserved by a concurrent spawn whose transaction has not committed yet");
            }
            pending.awaitDecided(registry, name, existing, Long.MAX_VALUE);
        }
    }

    /**
     * How long one rolled-back attempt waits before it runs again (and, if the name is still
     * undecided, waits again). Bounded because rollback hooks run in a fixed order: when a nested
     * scope swallowed the restart, the wait may run before the hook that gives this attempt's own
     * names back, and two such transactions crossing names would otherwise wait for each other.
     */
    private static final long ROLLBACK_WAIT_NANOS = 10_000_000L;

    /**
     * Waits until the reserving transaction committed, its entry left the registry, this thread is
     * interrupted, or {@code maxNanos} passed.
     */
    private <V> void awaitDecided(ConcurrentMap<String, V> registry, String name, V existing, long maxNanos) {
        long start = System.nanoTime();
        long pause = 1_000;
        while (committed.get() == 0 && registry.get(name) == existing && !Thread.currentThread().isInterrupted()
                && System.nanoTime() - start < maxNanos) {
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 1_000_000);
        }
    }
}
