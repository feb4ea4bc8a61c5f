package io.stmactors.transport.pekko;

/**
 * Told when other endpoints of a {@link PekkoTransport} cluster come, become unreachable, come back, or go. This is
 * how the actor runtime learns that a worker died: {@link #onEndpointRemoved} is its "dead worker" signal.
 * <p>
 * The events are Pekko Cluster membership events translated to endpoint ids (every member carries the role
 * {@code stm-endpoint-<id>}). Only other endpoints are reported, never the local one.
 * <p>
 * Threading: called on a Pekko dispatcher thread, one event at a time, in the order Pekko publishes them.
 * Implementations must be quick and must not block; exceptions are logged and ignored. A listener added after an
 * event happened does not see it: register before starting the workers, or ask
 * {@link PekkoTransport#isReachable(int)}.
 */
public interface EndpointMembershipListener
{
    /** Why an endpoint was taken out of the cluster. */
    enum RemovalReason
    {
        /** It left gracefully ({@link PekkoTransport#close()}, or its JVM shut down normally). */
        LEFT,
        /** It was downed: the split-brain resolver (or an operator) decided it is dead, e.g. after a crash. */
        DOWNED,
        /** It was removed without this endpoint seeing it leave or be downed first. */
        REMOVED
    }

    /**
     * An endpoint joined the cluster and is up. Its inbox may still take a moment to appear in the receptionist;
     * sends wait for it (bounded by the send timeout).
     *
     * @param endpointId the endpoint.
     * @param address    its Pekko address, {@code pekko://system@host:port}.
     */
    default void onEndpointUp(final int endpointId, final String address)
    {
    }

    /**
     * The failure detector suspects the endpoint: no heartbeats within the acceptable pause. Sends to it wait (up to
     * the send timeout) for it to come back or be removed.
     *
     * @param endpointId the endpoint.
     * @param address    its Pekko address.
     */
    default void onEndpointUnreachable(final int endpointId, final String address)
    {
    }

    /**
     * A previously unreachable endpoint answers heartbeats again.
     *
     * @param endpointId the endpoint.
     * @param address    its Pekko address.
     */
    default void onEndpointReachable(final int endpointId, final String address)
    {
    }

    /**
     * The endpoint is gone for good (this incarnation of it): sends to it now fail at once with
     * {@link io.stmactors.transport.EndpointClosedException}, and messages it had not yet received are lost. Called
     * once per incarnation, at the first of leaving, being downed or being removed.
     *
     * @param endpointId the endpoint.
     * @param address    its Pekko address.
     * @param reason     why.
     */
    default void onEndpointRemoved(final int endpointId, final String address, final RemovalReason reason)
    {
    }
}
