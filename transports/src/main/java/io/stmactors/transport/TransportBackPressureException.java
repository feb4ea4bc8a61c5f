package io.stmactors.transport;

import java.time.Duration;

/**
 * Thrown by {@link Transport#send} when the destination's inbox (the shared-memory ring) or the sender's window to
 * it (the Pekko transport's credit) stayed full for the whole send timeout.
 * <p>
 * Nothing of the message will be delivered: an unfragmented message was not written at all, and the fragments of a
 * partly written large message are discarded by the receiver (see {@link FrameDescriptor}). The caller may retry.
 * Usually the destination's consumer is slow or stuck; the message says how long ago it last polled (ring) or what
 * was in flight (Pekko).
 * <p>
 * Thread-safety: immutable once constructed.
 */
public class TransportBackPressureException extends TransportException
{
    private static final long serialVersionUID = 1L;

    /** See {@link #destinationId()}. */
    private final int destinationId;
    /** See {@link #ringCapacity()}. */
    private final int ringCapacity;

    /**
     * @param destinationId   the endpoint whose inbox was full.
     * @param ringCapacity    capacity in bytes of that inbox.
     * @param timeout         how long the sender waited.
     * @param consumerIdleMs  milliseconds since the destination's consumer last polled, or -1 if unknown.
     */
    public TransportBackPressureException(
        final int destinationId, final int ringCapacity, final Duration timeout, final long consumerIdleMs)
    {
        super("Inbox of endpoint " + destinationId + " (ring capacity " + ringCapacity + " bytes) stayed full for " +
            timeout.toMillis() + " ms; the message was not delivered" +
            (consumerIdleMs >= 0 ? " (its consumer last polled " + consumerIdleMs + " ms ago)" : ""));
        this.destinationId = destinationId;
        this.ringCapacity = ringCapacity;
    }

    /**
     * For a transport whose inbox is not a ring it can see (the Pekko transport's send window).
     *
     * @param destinationId the endpoint that took no more.
     * @param capacity      what {@link #ringCapacity()} reports: the bytes the sender may have in flight to it.
     * @param message       what happened, in the transport's terms.
     */
    public TransportBackPressureException(final int destinationId, final int capacity, final String message)
    {
        super(message);
        this.destinationId = destinationId;
        this.ringCapacity = capacity;
    }

    /**
     * @return the endpoint whose inbox was full.
     */
    public int destinationId()
    {
        return destinationId;
    }

    /**
     * @return capacity in bytes of the full inbox ring (shared memory), or of the full send window (Pekko).
     */
    public int ringCapacity()
    {
        return ringCapacity;
    }
}
