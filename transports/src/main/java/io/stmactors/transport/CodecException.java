package io.stmactors.transport;

/**
 * Thrown by {@link KryoCodec} when an object cannot be encoded or a byte sequence cannot be decoded.
 * <p>
 * On decode it means the bytes were malformed, truncated, forged, or produced by a codec with a different
 * registration list (compare {@link KryoCodec#fingerprint()} values). The codec that threw stays usable.
 * <p>
 * Thread-safety: immutable once constructed.
 */
public class CodecException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, written for the person who reads the log.
     */
    public CodecException(final String message)
    {
        super(message);
    }

    /**
     * @param message what went wrong, written for the person who reads the log.
     * @param cause   the underlying Kryo or JDK exception.
     */
    public CodecException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
