package io.stmactors.transport;

/**
 * Base class of the exceptions a {@link Transport} throws. Unchecked: a caller usually cannot recover locally and
 * lets the actor runtime's supervision decide.
 * <p>
 * Thread-safety: immutable once constructed.
 */
public class TransportException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, naming the endpoint involved.
     */
    public TransportException(final String message)
    {
        super(message);
    }

    /**
     * @param message what went wrong, naming the endpoint involved.
     * @param cause   the underlying I/O or system exception.
     */
    public TransportException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
