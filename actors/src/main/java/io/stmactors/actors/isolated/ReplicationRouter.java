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
    }

    private static final ReplicationRouter INSTANCE = new ReplicationRouter();

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
}
