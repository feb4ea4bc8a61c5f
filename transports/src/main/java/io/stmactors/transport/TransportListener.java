package io.stmactors.transport;

/**
 * Optional observer of events a {@link Transport} also counts in {@link TransportCounters} and logs.
 * <p>
 * Called on the polling thread, inside {@link Transport#poll}; implementations must be quick and must not call
 * {@code poll} themselves. Exceptions thrown here are logged and ignored.
 */
public interface TransportListener
{
    /** A listener that ignores every event. */
    TransportListener NO_OP = new TransportListener()
    {
    };

    /**
     * A frame was dropped and not delivered.
     *
     * @param reason          why.
     * @param claimedSourceId the source id the frame claims, or -1 if it could not be read.
     * @param detail          a human-readable description.
     */
    default void onFrameRejected(final RejectReason reason, final int claimedSourceId, final String detail)
    {
    }

    /**
     * A partly received large message was thrown away: its sender gave up (back-pressure, crash) and started
     * another message or said so.
     *
     * @param sourceId      the sender.
     * @param receivedBytes bytes received before it was discarded.
     * @param messageLength the full length it announced.
     */
    default void onIncompleteMessageDiscarded(final int sourceId, final int receivedBytes, final int messageLength)
    {
    }
}
