package io.stmactors.transport;

/**
 * Thrown when an endpoint cannot be used because it is closed: the destination's inbox file is gone or marked
 * closed, its owning process has died, or the local transport itself was closed.
 * <p>
 * Thread-safety: immutable once constructed.
 */
public class EndpointClosedException extends TransportException
{
    private static final long serialVersionUID = 1L;

    /** See {@link #endpointId()}. */
    private final int endpointId;

    /**
     * @param endpointId the endpoint that is closed.
     * @param detail     why it is considered closed.
     */
    public EndpointClosedException(final int endpointId, final String detail)
    {
        super("Endpoint " + endpointId + " is closed: " + detail);
        this.endpointId = endpointId;
    }

    /**
     * @return the endpoint that is closed.
     */
    public int endpointId()
    {
        return endpointId;
    }
}
