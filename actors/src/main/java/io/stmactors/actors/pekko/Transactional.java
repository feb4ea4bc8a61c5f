package io.stmactors.actors.pekko;

import io.stmactors.stm.Stm;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.util.Objects;

/**
 * Transactional actors for Apache Pekko typed: each message is handled as one {@code Stm.atomic} transaction over
 * the stm-actors heap, and the messages the handler sends are held until it commits and dropped if it rolls back.
 * This is what Akka 2.0&ndash;2.2 offered as <em>Transactors</em> (removed in Akka 2.3), on today's Pekko.
 *
 * <pre>{@code
 * record Transfer(long amount, ActorRef<String> replyTo) {}
 *
 * TLong checking = TLong.named("checking", 100);
 * TLong savings = TLong.named("savings", 0);
 *
 * Behavior<Transfer> teller = Transactional.receive("transfer", (ctx, t) -> {
 *     if (checking.get() < t.amount()) {
 *         ctx.tell(t.replyTo(), "insufficient funds");       // sent only if this commits
 *         return Behaviors.same();
 *     }
 *     checking.add(-t.amount());                              // all or nothing, isolated,
 *     savings.add(t.amount());                                // re-run on conflict
 *     ctx.tell(t.replyTo(), "moved " + t.amount());            // sent once, after commit
 *     return Behaviors.same();
 * });
 * ActorSystem<Transfer> bank = ActorSystem.create(teller, "bank");  // or ctx.spawn(teller, "teller")
 * bank.tell(new Transfer(30, replyTo));
 * }</pre>
 *
 * <h2>Semantics</h2>
 * <ul>
 *     <li><b>One message, one transaction.</b> The handler's heap reads and writes, its
 *     {@link TransactionalContext#tell tells} and {@link TransactionalContext#afterCommit effects} and the next
 *     behavior it returns commit together or not at all. Transactions of different actors run in parallel on
 *     Pekko's dispatcher threads and commit as if one at a time (serializable, opaque: see {@link Stm}).</li>
 *     <li><b>Conflicts</b> re-run the handler with the same message on the same thread; a re-run handler sends
 *     once. {@link TransactionalContext#attempt()} says which attempt is running.</li>
 *     <li><b>Failures.</b> A handler that throws rolls back every write and sends nothing; the exception then
 *     reaches Pekko's supervision as usual ({@code Behaviors.supervise(...)}: resume, restart, stop; the default
 *     is stop). Restart re-creates the behavior but does not touch the heap: state kept in {@code TRef}s stays as
 *     the last committed transaction left it.</li>
 *     <li><b>Waiting for state.</b> A handler may call {@code Stm.retry()}: the attempt is rolled back, no Pekko
 *     thread is blocked, and the actor handles nothing else (later messages are stashed, up to
 *     {@value #STASH_CAPACITY}, then Pekko's {@code StashOverflowException}) until a reference the handler read
 *     changes; then the same message is handled again, then the stashed ones, in order.</li>
 *     <li><b>Sending outside the context.</b> A plain {@code ref.tell(msg)} inside the handler is not held: it is
 *     sent by every attempt. Use {@link TransactionalContext#tell} or {@link #tell(ActorRef, Object)}.</li>
 *     <li><b>Inside a transaction already</b> (e.g. a synchronous test kit driven from {@code Stm.atomic}): the
 *     handler joins that transaction, and {@code Stm.retry()} propagates to it.</li>
 * </ul>
 * State can live on the heap (shared with other actors and with non-actor code, as in the example), or in the
 * behavior itself: return {@code Transactional.receive(...)} capturing the new state, which is adopted only on
 * commit.
 * <p>
 * Thread-safety: the behaviors are ordinary Pekko behaviors; the static methods may be called from any thread.
 */
public final class Transactional
{
    /** Messages held while a handler waits in {@code Stm.retry()}. */
    public static final int STASH_CAPACITY = 10_000;

    private Transactional()
    {
    }

    /**
     * A behavior whose handler runs as one transaction per message, named after the actor in STM diagnostics.
     *
     * @param handler handles each message inside a transaction.
     * @param <T>     the message type.
     * @return the behavior; spawn it like any other.
     */
    public static <T> Behavior<T> receive(final TransactionalHandler<T> handler)
    {
        return create(null, handler);
    }

    /**
     * A behavior whose handler runs as one transaction per message.
     *
     * @param name    names the transactions in {@code Stm.diagnostics()} conflict reports.
     * @param handler handles each message inside a transaction.
     * @param <T>     the message type.
     * @return the behavior; spawn it like any other.
     */
    public static <T> Behavior<T> receive(final String name, final TransactionalHandler<T> handler)
    {
        return create(Objects.requireNonNull(name, "name"), handler);
    }

    /**
     * Send a message once the current transaction commits, or at once outside a transaction. Usable from any
     * transactional code, not only handlers.
     *
     * @param target  the receiver.
     * @param message the message.
     * @param <M>     the receiver's message type.
     */
    public static <M> void tell(final ActorRef<M> target, final M message)
    {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(message, "message");
        if (Stm.inTransaction())
        {
            Stm.afterCommit(() -> target.tell(message));
        }
        else
        {
            target.tell(message);
        }
    }

    private static <T> Behavior<T> create(final String name, final TransactionalHandler<T> handler)
    {
        Objects.requireNonNull(handler, "handler");
        final Behavior<Object> behavior = Behaviors.<Object>withStash(STASH_CAPACITY, stash ->
            Behaviors.setup(context -> new TransactionalBehavior<T>(context, stash, name, handler)));
        return behavior.narrow();
    }
}
