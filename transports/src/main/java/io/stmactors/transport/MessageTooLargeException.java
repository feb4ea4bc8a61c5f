package io.stmactors.transport;

/**
 * Thrown by {@link Transport#send} when a payload exceeds the configured maximum message size, the sender's or the
 * destination's. Nothing was sent.
 * <p>
 * Thread-safety: immutable once constructed.
 */
public class MessageTooLargeException extends TransportException
{
    private static final long serialVersionUID = 1L;

    /** See {@link #size()}. */
    private final long size;
    /** See {@link #limit()}. */
    private final int limit;

    /**
     * @param size  of the rejected payload in bytes.
     * @param limit the maximum message size in bytes.
     */
    public MessageTooLargeException(final long size, final int limit)
    {
        super("Message of " + size + " bytes exceeds the maximum message size of " + limit +
            " bytes; nothing was sent (raise the maxMessageSize of the transport's configuration or split the message)");
        this.size = size;
        this.limit = limit;
    }

    /**
     * @param size          of the rejected payload in bytes.
     * @param limit         the destination's maximum message size in bytes, smaller than the sender's.
     * @param destinationId the endpoint whose limit it exceeds.
     */
    public MessageTooLargeException(final long size, final int limit, final int destinationId)
    {
        super("Message of " + size + " bytes exceeds the maximum message size of " + limit + " bytes of endpoint " +
            destinationId + ", which would reject it; nothing was sent (raise that endpoint's " +
            "maxMessageSize or split the message)");
        this.size = size;
        this.limit = limit;
    }

    /**
     * @return size of the rejected payload in bytes.
     */
    public long size()
    {
        return size;
    }

    /**
     * @return the maximum message size in bytes.
     */
    public int limit()
    {
        return limit;
    }
}
