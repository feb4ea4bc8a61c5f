package io.stmactors.stm;

import java.util.Objects;

/**
 * Service-provider interface for runtimes that replicate the heap across processes (the actor
 * runtime's isolated-process mode). Not for application code.
 *
 * <p>A reference can be <em>bound</em> to an opaque binding object owned by the runtime (for
 * example a global id and the owner's version). Bound references behave as usual, plus:
 * <ul>
 *   <li>before a transaction reads a bound reference, {@link Hooks#beforeRead(Object)} runs (it may
 *       block to fetch the value from the owner and {@link #install(TRef, Object, Runnable)} it);</li>
 *   <li>a transaction that writes a bound reference calls {@link Hooks#onCommit(CommitView)} during
 *       its commit, while it holds the locks of its write set and after it validated its reads
 *       locally; the hook ships the commit to the owner and may reject it, which aborts the attempt
 *       (even an inevitable one: inevitability is per process).</li>
 * </ul>
 * Hooks are process-wide and installed once, before bound references are used.
 */
public final class Replication {
    private Replication() {
    }

    /** What the runtime plugs in. Implementations must not start transactions from these methods. */
    public interface Hooks {
        /** Runs before a transactional read of a reference bound to {@code binding}. May block. */
        void beforeRead(Object binding);

        /**
         * Runs during the commit of a transaction that writes at least one bound reference.
         * Returns null to accept, or the reference (or any object naming it) that conflicted.
         * Must not block on anything that itself waits for a transactional lock.
         */
        Object onCommit(CommitView commit);

        /**
         * Whether a transaction that keeps conflicting may run its next attempt inevitable (the engine
         * escalates after repeated conflicts). Called on the aborting thread with the aborted attempt in
         * view, its read and write sets not yet cleared. A runtime answers false for a transaction whose
         * commit another process decides: inevitability could not keep that one from being rejected, and an
         * inevitable attempt holds the process-wide token and locks what it reads, so it must never wait
         * for a thread that may itself need them (a replica's update installer). The default is true.
         * {@link Stm#inevitable()} called by the body is honoured either way.
         */
        default boolean mayEscalate(CommitView aborted) {
            return true;
        }
    }

    /** The committing transaction, as the hook sees it. Valid only during the call. */
    public interface CommitView {
        /** The transaction's name (actor name, or call site), for diagnostics. */
        String transactionName();

        int readCount();

        /** The i-th reference read: a {@link TRef} or {@link TLong}. */
        Object readRef(int i);

        /** Its binding, or null if it is not bound. */
        Object readBinding(int i);

        /**
         * Whether the i-th read is still unchanged locally. Read binding data first, then call
         * this: true means the binding data belongs to the value the transaction read.
         */
        boolean readStillValid(int i);

        int writeCount();

        /** The i-th reference written. */
        Object writeRef(int i);

        /** Its binding, or null. */
        Object writeBinding(int i);

        /** The value being committed (a {@link Long} for a {@link TLong}). */
        Object writeValue(int i);
    }

    /** Installs the process-wide hooks (once). */
    public static synchronized void install(Hooks hooks) {
        Objects.requireNonNull(hooks, "hooks");
        if (TxnDescriptor.hooks != null && TxnDescriptor.hooks != hooks) {
            throw new IllegalStateException("replication hooks are already installed in this process");
        }
        TxnDescriptor.hooks = hooks;
    }

    /** Removes the hooks (tests, and a coordinator that shut down). */
    public static synchronized void uninstall(Hooks hooks) {
        if (TxnDescriptor.hooks == hooks) {
            TxnDescriptor.hooks = null;
        }
    }

    /** The installed hooks, or null. */
    public static Hooks hooks() {
        return TxnDescriptor.hooks;
    }

    /** Binds {@code ref} ({@link TRef} or {@link TLong}) to {@code binding} (null unbinds). */
    public static void bind(Object ref, Object binding) {
        TVar.BINDING.setRelease(var(ref), binding);
    }

    /** The binding of {@code ref}, or null. */
    public static Object binding(Object ref) {
        return TVar.BINDING.getAcquire(var(ref));
    }

    /**
     * Writes {@code value} into {@code ref} outside any transaction (a one-reference commit that
     * never calls the commit hook), running {@code underLock} while the reference is locked, so
     * that binding data it updates changes atomically with the value. If {@code underLock} throws,
     * nothing is written: the lock is released unchanged and the exception propagates (a caller may
     * use that to decline an install it finds stale under the lock).
     */
    public static void install(TRef<?> ref, Object value, Runnable underLock) {
        TxnDescriptor.installSingle(ref, value, 0L, underLock);
    }

    /** As {@link #install(TRef, Object, Runnable)}, for a counter. */
    public static void install(TLong ref, long value, Runnable underLock) {
        TxnDescriptor.installSingle(ref, null, value, underLock);
    }

    /**
     * As {@link #install(TRef, Object, Runnable)} for a reference of either kind: a {@link TLong}
     * takes a {@link Long}.
     */
    public static void installValue(Object ref, Object value, Runnable underLock) {
        if (ref instanceof TLong l) {
            install(l, (Long) value, underLock);
        } else {
            install((TRef<?>) var(ref), value, underLock);
        }
    }

    /**
     * Stops the calling thread's running attempt as a conflict: it is rolled back, its rollback hooks
     * ({@link Stm#afterRollback}) run, and the transaction runs again (an inevitable one, inevitable
     * again). For a hook that must not wait while the attempt holds locks: an inevitable attempt
     * locks what it reads, so from {@link Hooks#beforeRead} it may register the wait as a rollback
     * hook (it runs once the locks and the inevitability token are released) and restart.
     *
     * @throws IllegalStateException outside a transaction
     */
    public static void restartAttempt(String reason) {
        TxnDescriptor d = TxnDescriptor.active();
        if (d == null) {
            throw new IllegalStateException("Replication.restartAttempt called outside a transaction");
        }
        d.restartForReplication(reason);
    }

    /** The current committed value of {@code ref} (a {@link Long} for a {@link TLong}), outside transactions. */
    public static Object peek(Object ref) {
        if (ref instanceof TRef<?> r) {
            return TxnDescriptor.readSingle(r);
        }
        return TxnDescriptor.readSingle((TLong) ref);
    }

    /**
     * The classes a serializer must register to ship heap structures by reference: the reference
     * types themselves (which a replication runtime serializes as handles, never by value) and the
     * collections with their internal node types, whose fields hold references. In a fixed order.
     */
    public static java.util.List<Class<?>> heapTypes() {
        return java.util.List.of(TRef.class, TLong.class, TRef[].class, TLong[].class,
                TMap.class, MapTrie.class, StripedCounter.class,
                TSet.class, TQueue.class, TQueue.nodeClass(), TArray.class, MapCell.class, MapTrie.Leaf.class);
    }

    /**
     * The class of a {@link TMap} leaf (among {@link #heapTypes()}), which a serializer must write as
     * {@link #leafArrays} and read back with {@link #leaf}: its arrays may be longer than the leaf,
     * and what lies past its entries belongs to no one who can see this leaf.
     */
    public static Class<?> leafClass() {
        return MapTrie.Leaf.class;
    }

    /** A {@link TMap} leaf's entries: {@code {int[] {depth, hash0, hash1, ...}, Object[] {key0, cell0, ...}}}. */
    public static Object[] leafArrays(Object leaf) {
        return ((MapTrie.Leaf) leaf).trimmed();
    }

    /**
     * The leaf made of arrays from {@link #leafArrays} (it takes them over).
     *
     * @throws IllegalArgumentException if they are not a leaf's (lengths that do not match, a depth out of range)
     */
    public static Object leaf(int[] hashes, Object[] kv) {
        return MapTrie.Leaf.of(hashes, kv);
    }

    /**
     * The classes among {@link #heapTypes()} that are references themselves, to be written as a
     * handle: {@link TRef}, the class of a {@link TMap} entry's value cell (a {@code TRef} that keeps
     * its value outside itself; a replica may stand for it with a plain {@code TRef}) and
     * {@link TLong}.
     */
    public static java.util.List<Class<?>> referenceTypes() {
        return java.util.List.of(TRef.class, MapCell.class, TLong.class);
    }

    private static TVar var(Object ref) {
        if (ref instanceof TVar v) {
            return v;
        }
        throw new IllegalArgumentException("not a transactional reference: " + ref);
    }
}
