package io.stmactors.actors.internal;

import io.stmactors.actors.Behavior;

/** {@code Behaviors.concurrent}: a marker read at spawn time; the actor's handlers may run in parallel. */
public final class ConcurrentBehavior<M> extends Behavior<M> {
    private static final long serialVersionUID = 1L;

    public final Behavior<M> inner;

    public ConcurrentBehavior(Behavior<M> inner) {
        this.inner = inner;
    }
}
