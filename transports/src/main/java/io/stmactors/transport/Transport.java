package io.stmactors.transport;

import io.stmactors.transport.pekko.PekkoTransport;
import io.stmactors.transport.pekko.PekkoTransportConfig;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Moves opaque byte messages between endpoints (processes) identified by small integer ids. Every endpoint has one
 * inbox; any endpoint can send to any other, including itself.
 * <p>
 * Guarantees: a message is delivered whole and at most once, or not at all; messages sent by one thread to one
 * destination are delivered in the order they were sent. Nothing is dropped silently: a send either completes or
 * throws.
 * <p>
 * Threading: {@link #send} may be called by any number of threads at once. {@link #poll} must be called by one
 * thread only (the inbox has a single consumer). {@link #close} may be called from any thread, once or more.
 */
public interface Transport extends AutoCloseable
{
    /**
     * A configuration for the coordinator of an isolated-mode actor system over a Pekko cluster: endpoint 0, bound to
     * 127.0.0.1 on a free port, a fresh random cluster secret, and these seed nodes (usually none: the coordinator
     * starts the cluster and workers join it). Pass it to {@code ActorSystemConfig.builder().transport(...)}; adjust
     * host and port with {@link PekkoTransportConfig#toBuilder()}.
     *
     * @param seedNodes {@code host:port} of existing members to join, if any.
     * @return the configuration (nothing is opened yet).
     */
    static PekkoTransportConfig pekko(final String... seedNodes)
    {
        return PekkoTransportConfig.builder()
            .endpointId(0)
            .clusterSecret(new java.security.SecureRandom().nextLong())
            .seedNodes(seedNodes)
            .build();
    }

    /**
     * Open an endpoint of a Pekko cluster: several JVMs, on one or several machines, joined with Pekko Cluster and
     * talking over Artery TCP. Same as {@link PekkoTransport#open}; see there for what it waits for and what it
     * throws.
     *
     * @param config settings of this endpoint.
     * @return the open transport; also offers the cluster's membership events.
     */
    static PekkoTransport pekko(final PekkoTransportConfig config)
    {
        return PekkoTransport.open(config);
    }

    /**
     * @return this endpoint's id.
     */
    int localId();

    /**
     * Send {@code payload[offset, offset + length)} to an endpoint. Waits, using the configured idle strategy, while
     * the destination's inbox is full; payloads larger than one inbox record are sent as fragments. Returns once
     * the whole message is in the destination's inbox. Thread-safe.
     *
     * @param destinationId endpoint to deliver to.
     * @param messageType   a caller-defined type, {@code >= 0}, handed to the receiver's {@link FrameHandler}.
     * @param payload       holding the message.
     * @param offset        of the first byte.
     * @param length        of the message, at most {@link #maxMessageSize()}.
     * @throws MessageTooLargeException        if {@code length > maxMessageSize()}, or larger than the destination
     *                                         accepts where the transport knows that limit; nothing was sent.
     * @throws TransportBackPressureException  if the destination's inbox (or, over Pekko, the send window to it)
     *                                         stayed full for the send timeout.
     * @throws EndpointClosedException         if the destination or this transport is closed.
     * @throws IllegalArgumentException        for a negative type or an id out of range.
     */
    void send(int destinationId, int messageType, DirectBuffer payload, int offset, int length);

    /**
     * Send a whole array; see {@link #send(int, int, DirectBuffer, int, int)}. Thread-safe.
     *
     * @param destinationId endpoint to deliver to.
     * @param messageType   a caller-defined type, {@code >= 0}.
     * @param payload       the message.
     */
    default void send(final int destinationId, final int messageType, final byte[] payload)
    {
        send(destinationId, messageType, new UnsafeBuffer(payload), 0, payload.length);
    }

    /**
     * Take up to {@code limit} frames from the inbox and hand every complete message to {@code handler}.
     * <b>Single consumer</b>: call from one thread only.
     *
     * @param handler receives complete messages.
     * @param limit   most frames to take in this call (a fragmented message takes several).
     * @return frames taken, including rejected ones; 0 means the inbox was empty (use it to drive an idle strategy).
     * @throws EndpointClosedException if this transport is closed.
     */
    int poll(FrameHandler handler, int limit);

    /**
     * Whether {@code destinationId} currently has an open inbox. A true answer can be stale by the time of the next
     * send, which then throws {@link EndpointClosedException}. Thread-safe.
     *
     * @param destinationId endpoint to check.
     * @return true if a send to it could currently succeed.
     */
    boolean isReachable(int destinationId);

    /**
     * @return the largest payload {@link #send} accepts, in bytes.
     */
    int maxMessageSize();

    /**
     * @return live counters of this transport.
     */
    TransportCounters counters();

    /**
     * Close this endpoint: its inbox stops accepting messages, its files are removed, and sends and polls in other
     * threads end promptly with {@link EndpointClosedException}. Idempotent, thread-safe.
     */
    void close();
}
