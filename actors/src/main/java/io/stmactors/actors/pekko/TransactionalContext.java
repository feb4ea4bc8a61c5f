package io.stmactors.actors.pekko;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.slf4j.Logger;

/**
 * What a {@link TransactionalHandler} may do besides reading and writing the heap. Effects outside the heap are
 * held until the handler's transaction commits and dropped if it rolls back.
 * <p>
 * Threading: valid only inside the handler call it was passed to, on the actor's thread.
 *
 * @param <T> the actor's message type.
 */
public interface TransactionalContext<T>
{
    /**
     * Send {@code message} to {@code target} once this handler commits. An attempt that is rolled back (conflict,
     * exception, {@code Stm.retry()}) sends nothing; the attempt that commits sends exactly once, in the order of
     * the {@code tell} calls.
     *
     * @param target  the receiver (any Pekko actor, local or remote).
     * @param message the message; it should be immutable, since it is delivered after the handler returns.
     * @param <M>     the receiver's message type.
     */
    <M> void tell(ActorRef<M> target, M message);

    /**
     * Run {@code effect} once this handler commits, on the actor's thread, before the next message is handled.
     * Use it for I/O, logging that must not repeat, or Pekko context operations (spawn, watch, stop) which are not
     * transactional: {@code context.afterCommit(() -> context.pekko().stop(child))}.
     *
     * @param effect the side effect.
     */
    void afterCommit(Runnable effect);

    /**
     * @return this actor's ref, to pass in messages.
     */
    ActorRef<T> self();

    /**
     * @return 1 on the first attempt at the current message, 2 after one rollback, and so on.
     */
    int attempt();

    /**
     * @return the actor's logger. Lines logged here repeat on every attempt; log from {@link #afterCommit} to log
     * once.
     */
    Logger log();

    /**
     * The underlying Pekko context. <b>WARNING</b>: its operations are not transactional; call its side-effecting
     * methods (spawn, watch, stop, scheduling, ask) from {@link #afterCommit}, never directly in the handler.
     *
     * @return the Pekko actor context.
     */
    ActorContext<T> pekko();
}
