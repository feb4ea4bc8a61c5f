package io.stmactors.actors.internal;

import io.stmactors.actors.Behavior;
import io.stmactors.actors.StateHandler;

/** {@code Behaviors.withState}: the initial state and the handler; the runtime keeps the state per actor. */
public final class StatefulBehavior<S, M> extends Behavior<M> {
    private static final long serialVersionUID = 1L;

    public final S initial;
    public final StateHandler<S, M> handler;

    public StatefulBehavior(S initial, StateHandler<S, M> handler) {
        this.initial = initial;
        this.handler = handler;
    }
}
