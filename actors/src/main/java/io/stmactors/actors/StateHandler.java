package io.stmactors.actors;

import java.io.Serializable;

/**
 * Handles one message of an actor whose state the runtime keeps
 * ({@link Behaviors#withState(Object, StateHandler)}) and returns the next state. The state
 * should be an immutable value: the runtime stores the returned object, and an aborted or failed
 * handler leaves the previous state in place.
 *
 * @param <S> the state type
 * @param <M> the message type
 */
@FunctionalInterface
public interface StateHandler<S, M> extends Serializable {
    /** Returns the state after handling {@code message} in {@code state}. */
    S apply(ActorContext<M> context, S state, M message) throws Exception;
}
