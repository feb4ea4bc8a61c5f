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

    @Override
    public String toString() {
        return "ActorRef(" + name + ")";
    }
}
