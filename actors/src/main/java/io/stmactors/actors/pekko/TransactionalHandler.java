package io.stmactors.actors.pekko;

import org.apache.pekko.actor.typed.Behavior;

/**
 * The message handler of a transactional Pekko actor ({@link Transactional#receive}): it runs inside one
 * {@code Stm.atomic} transaction per message.
 * <p>
 * It may run more than once for one message (a conflict re-runs it), so everything it does must either be a heap
 * operation ({@code TRef}, {@code TLong}, the transactional collections) or go through the
 * {@link TransactionalContext}, which holds sends and other effects until commit. A plain {@code ref.tell(...)}
 * here would be repeated on every re-run.
 *
 * @param <T> the actor's message type.
 */
@FunctionalInterface
public interface TransactionalHandler<T>
{
    /**
     * Handle one message inside a transaction.
     *
     * @param context sends held until commit, the actor's own ref, the attempt number.
     * @param message the message.
     * @return the next behavior, adopted only if the transaction commits: {@code Behaviors.same()}, another
     * {@link Transactional#receive} (e.g. carrying new state), {@code Behaviors.stopped()},
     * {@code Behaviors.unhandled()}, or any other Pekko behavior (which then leaves transactional mode). Never null.
     * @throws Exception to roll back the transaction, after which Pekko's supervision applies.
     */
    Behavior<T> onMessage(TransactionalContext<T> context, T message) throws Exception;
}
