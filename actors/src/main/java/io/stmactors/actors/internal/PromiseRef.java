package io.stmactors.actors.internal;

import io.stmactors.actors.ActorRef;
import io.stmactors.stm.Stm;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The temporary reply address of an {@code ask}: the first message completes the future; later
 * ones, and replies after a timeout, are dropped silently. Inside a transaction the completion
 * happens at commit, like any send.
 */
public final class PromiseRef<R> implements ActorRef<R>, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final transient CompletableFuture<R> future;
    private final String name;
    /** The id under which an isolated-mode process registered this promise; 0 until then. */
    private volatile long wireId;

    public PromiseRef(CompletableFuture<R> future, String name) {
        this.future = future;
        this.name = name;
    }

    @Override
    public void tell(R message) {
        Objects.requireNonNull(message, "message");
        if (Stm.inTransaction()) {
            Stm.afterCommit(() -> future.complete(message));
        } else {
            future.complete(message);
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** The future this promise completes. */
    public CompletableFuture<R> future() {
        return future;
    }

    /** Isolated mode: the id of this promise on the wire (0: none yet). */
    public long wireId() {
        return wireId;
    }

    /** Isolated mode: records the id of this promise on the wire. */
    public void wireId(long id) {
        this.wireId = id;
    }

    @Override
    public String toString() {
        return "ActorRef(" + name + ")";
    }
}
