package io.stmactors.actors.pekko;

import io.stmactors.stm.Stm;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.slf4j.Logger;

/**
 * The behavior behind {@link Transactional#receive}: runs each message's handler in {@code Stm.tryAtomic}, and
 * turns {@code Stm.retry()} into "stash and wait for a wake-up" so that no dispatcher thread parks.
 * <p>
 * Internally it receives {@code Object}: the user's messages of type {@code T} and its own {@link WakeUp}, sent by
 * the STM (from the committing thread) when something a retried handler read has changed. Wake-ups carry a
 * generation number, so a stale one is ignored. While a message waits, later messages go to the stash and are
 * replayed in order once it has been handled.
 * <p>
 * Thread-safety: an actor; its fields are touched only while Pekko runs it. The STM's retry callback only tells.
 *
 * @param <T> the user's message type.
 */
final class TransactionalBehavior<T> extends AbstractBehavior<Object> implements TransactionalContext<T>
{
    private final StashBuffer<Object> stash;
    private final TransactionalHandler<T> handler;
    private final String transactionName;
    private final ActorRef<Object> selfRef;

    private T waitingMessage;
    /**
     * A handler failed (supervision resumed the actor) while messages were stashed behind a waiting one: they are
     * replayed by an {@link #UNSTASH} sent to self, and messages arriving before it are stashed behind them.
     */
    private boolean stranded;
    private long wakeUpGeneration;
    private int attempt;
    private Behavior<T> next;

    TransactionalBehavior(
        final ActorContext<Object> context,
        final StashBuffer<Object> stash,
        final String name,
        final TransactionalHandler<T> handler)
    {
        super(context);
        this.stash = stash;
        this.handler = handler;
        this.selfRef = context.getSelf();
        this.transactionName = null != name ? name : "pekko:" + context.getSelf().path().name();
    }

    /** {@inheritDoc} */
    public Receive<Object> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(WakeUp.class, this::onWakeUp)
            .onMessageEquals(UNSTASH, this::onUnstash)
            .onAnyMessage(this::onUserMessage)
            .build();
    }

    private Behavior<Object> onWakeUp(final WakeUp wakeUp)
    {
        if (wakeUp.generation != wakeUpGeneration || null == waitingMessage)
        {
            return this; // stale
        }
        final T message = waitingMessage;
        waitingMessage = null;
        return handle(message);
    }

    @SuppressWarnings("unchecked")
    private Behavior<Object> onUserMessage(final Object message)
    {
        if (null != waitingMessage || stranded)
        {
            stash.stash(message);
            return this;
        }
        return handle((T)message);
    }

    private Behavior<Object> onUnstash()
    {
        stranded = false;
        return stash.nonEmpty() ? stash.unstashAll(this) : this;
    }

    private Behavior<Object> handle(final T message)
    {
        try
        {
            return handleInTransaction(message);
        }
        catch (final Throwable failure)
        {
            // The failure goes to Pekko's supervision; if that resumes this behavior, the messages stashed behind a
            // woken handler must still be replayed, in order, without waiting for a later message to commit.
            if (stash.nonEmpty() && !stranded)
            {
                stranded = true;
                selfRef.tell(UNSTASH);
            }
            throw TransactionalBehavior.<RuntimeException>rethrow(failure);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E rethrow(final Throwable failure) throws E
    {
        throw (E)failure;
    }

    private Behavior<Object> handleInTransaction(final T message)
    {
        attempt = 0;
        next = null;
        final long generation = ++wakeUpGeneration;
        final boolean committed;
        if (Stm.inTransaction())
        {
            Stm.atomic(transactionName, () -> run(message)); // joins the caller's transaction
            committed = true;
        }
        else
        {
            committed = Stm.tryAtomic(transactionName, () -> run(message),
                () -> selfRef.tell(new WakeUp(generation)));
        }
        if (!committed)
        {
            waitingMessage = message; // retried: wait for a wake-up, stash the rest
            return this;
        }

        final Behavior<Object> after = adopt(next);
        next = null;
        if (stash.nonEmpty() && Behavior.isAlive(after))
        {
            // Replay what arrived while this message waited. (If the woken handler returned unhandled, that one
            // message is not reported as unhandled: the stash must be drained either way.)
            return stash.unstashAll(Behavior.isUnhandled(after) ? this : after);
        }
        return after;
    }

    private void run(final T message) throws Exception
    {
        attempt++;
        next = null;
        final Behavior<T> result = handler.onMessage(this, message);
        if (null == result)
        {
            throw new IllegalStateException("transactional handler of " + selfRef.path() + " returned null for " +
                message.getClass().getName() + "; return Behaviors.same() to keep the behavior");
        }
        next = result;
    }

    @SuppressWarnings("unchecked")
    private Behavior<Object> adopt(final Behavior<T> result)
    {
        if (result == Behaviors.<T>same())
        {
            return this;
        }
        return (Behavior<Object>)(Behavior<?>)result; // unhandled, stopped, or a new behavior for the same actor
    }

    // ---------------------------------------------------------------------------------------------------------
    // TransactionalContext, valid during a handler call.

    /** {@inheritDoc} */
    public <M> void tell(final ActorRef<M> target, final M message)
    {
        Transactional.tell(target, message);
    }

    /** {@inheritDoc} */
    public void afterCommit(final Runnable effect)
    {
        Stm.afterCommit(effect);
    }

    /** {@inheritDoc} */
    public ActorRef<T> self()
    {
        return selfRef.narrow();
    }

    /** {@inheritDoc} */
    public int attempt()
    {
        return attempt;
    }

    /** {@inheritDoc} */
    public Logger log()
    {
        return getContext().getLog();
    }

    /** {@inheritDoc} */
    @SuppressWarnings("unchecked")
    public ActorContext<T> pekko()
    {
        return (ActorContext<T>)(ActorContext<?>)getContext();
    }

    /** Sent to self to replay the stash after a failed handler left messages in it (see {@link #stranded}). */
    private static final Object UNSTASH = new Object()
    {
        @Override
        public String toString()
        {
            return "TransactionalBehavior.UNSTASH";
        }
    };

    /**
     * Sent to the actor by the STM when a reference a retried handler read has been committed.
     */
    private static final class WakeUp
    {
        final long generation;

        WakeUp(final long generation)
        {
            this.generation = generation;
        }
    }
}
