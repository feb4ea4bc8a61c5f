package io.stmactors.actors;

import java.io.Serializable;

/**
 * Handles a {@link Signal} such as {@link Terminated}; same rules as {@link MessageHandler}.
 *
 * @param <M> the actor's message type
 */
@FunctionalInterface
public interface SignalHandler<M> extends Serializable {
    /** Handles {@code signal}. */
    Behavior<M> apply(ActorContext<M> context, Signal signal) throws Exception;
}
