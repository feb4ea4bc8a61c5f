package io.stmactors.actors;

import java.io.Serializable;

/**
 * Creates an actor's behavior when it starts (and again when it is restarted), inside a
 * transaction: children it spawns and messages it sends take effect only if it succeeds.
 *
 * @param <M> the message type
 */
@FunctionalInterface
public interface SetupFactory<M> extends Serializable {
    /** Returns the behavior for the first message. */
    Behavior<M> apply(ActorContext<M> context) throws Exception;
}
