package io.stmactors.actors.isolated;

import io.stmactors.stm.Replication;

/**
 * The process-wide replication hooks: dispatches each bound reference to the process side
 * (a coordinator's {@link HeapOwner} or a worker's {@link HeapReplica}) its binding names, so that
 * several isolated-mode systems may live in one JVM (tests).
 */
final class ReplicationRouter implements Replication.Hooks {
    /** What each side implements. */
    interface Side {
        void beforeRead(RefBinding binding);

        Object onCommit(Replication.CommitView commit);

        /** Whether this side's commits are decided by another process (a worker's replica). */
        default boolean replica() {
            return false;
        }
    }

    private static final ReplicationRouter INSTANCE = new ReplicationRouter();
    /** Set on a worker's handler and update-installer threads: their transactions are never escalated. */
    private static final ThreadLocal<Boolean> REPLICA_THREAD = new ThreadLocal<>();

    static void ensureInstalled() {
        if (Replication.hooks() != INSTANCE) {
            Replication.install(INSTANCE);
        }
    }

    @Override
    public void beforeRead(Object binding) {
        if (binding instanceof RefBinding b && b.side instanceof Side side) {
            side.beforeRead(b);
        }
    }

    @Override
    public Object onCommit(Replication.CommitView commit) {
        Side side = null;
        for (int i = 0, n = commit.writeCount(); i < n && side == null; i++) {
            if (commit.writeBinding(i) instanceof RefBinding b && b.side instanceof Side s) {
                side = s;
            }
        }
        return side == null ? null : side.onCommit(commit);
    }

    /**
     * A transaction that read or wrote a replica's reference is not escalated to inevitable: the heap owner
     * may reject its commit anyway, and an inevitable attempt could wait (for the owner's updates to be
     * installed, at its start or on a first read) while holding the inevitability token or the locks of what it
     * read, which the replica's update installer may need: both would wait until the owner timeout.
     */
    @Override
    public boolean mayEscalate(Replication.CommitView aborted) {
        if (REPLICA_THREAD.get() != null) {
            return false; // also when this attempt has not reached a replica's reference yet: the next may
        }
        for (int i = 0, n = aborted.writeCount(); i < n; i++) {
            if (onReplica(aborted.writeBinding(i))) {
                return false;
            }
        }
        for (int i = 0, n = aborted.readCount(); i < n; i++) {
            if (onReplica(aborted.readBinding(i))) {
                return false;
            }
        }
        return true;
    }

    /** Marks the calling thread as one that runs a worker's transactions (see {@link #mayEscalate}). */
    static void markReplicaThread() {
        if (REPLICA_THREAD.get() == null) {
            REPLICA_THREAD.set(Boolean.TRUE);
        }
    }

    private static boolean onReplica(Object binding) {
        return binding instanceof RefBinding b && b.side instanceof Side s && s.replica();
    }
}
