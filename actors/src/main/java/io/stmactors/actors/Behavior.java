package io.stmactors.actors;

import java.io.Serializable;

/**
 * What an actor does with its next message. Immutable: one behavior may be spawned many times.
 * Build behaviors with {@link Behaviors}; the subclasses are the runtime's.
 *
 * @param <M> the message type
 */
public abstract class Behavior<M> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** For the runtime's subclasses only. */
    protected Behavior() {
    }
}
