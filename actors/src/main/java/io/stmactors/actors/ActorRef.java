package io.stmactors.actors;

/**
 * The address of an actor that accepts messages of type {@code M}.
 *
 * <p>{@link #tell(Object)} does not block or throw because of the receiver's state (with the one
 * exception below): a message to a stopped actor becomes a dead letter (counted, logged at debug).
 * Inside a transaction (an actor handler, or any {@code Stm.atomic} block) the message is delivered
 * only if and when that transaction commits; outside, it is delivered at once. The exception, in
 * {@link Mode#ISOLATED_PROCESSES}: a tell from a thread of the coordinator process (a program's
 * thread or an ask's callback, not a handler) to an actor whose worker's inbox stays full waits
 * for the transport's send timeout and then throws
 * {@code io.stmactors.transport.TransportBackPressureException}; the message is not delivered.
 *
 * <p>Thread-safe; may be passed inside messages and stored in transactional references.
 *
 * @param <M> the message type
 */
public interface ActorRef<M> {
    /** Sends {@code message} (not null). */
    void tell(M message);

    /** The actor's name: its path from the top ({@code "parent/child"}). */
    String name();
}
