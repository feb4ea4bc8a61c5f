package io.stmactors.actors;

import java.io.Serializable;

/**
 * Handles one message and returns the behavior for the next one ({@link Behaviors#same()} to keep
 * this one). Runs as one transaction: it may be re-run on conflict, so effects outside the heap
 * belong in {@code Stm.afterCommit}. Serializable, so that a lambda can be shipped to a worker
 * process in {@link Mode#ISOLATED_PROCESSES} (what it captures must be registered as well).
 *
 * @param <M> the message type
 */
@FunctionalInterface
public interface MessageHandler<M> extends Serializable {
    /** Handles {@code message}. */
    Behavior<M> apply(ActorContext<M> context, M message) throws Exception;
}
