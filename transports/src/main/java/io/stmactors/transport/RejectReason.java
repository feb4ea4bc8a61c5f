package io.stmactors.transport;

/**
 * Why a received frame was dropped instead of delivered.
 */
public enum RejectReason
{
    /** A length, id, type, flag or offset in the frame is impossible; the frame was damaged or forged. */
    MALFORMED,

    /** The frame's version is not {@link FrameDescriptor#CURRENT_VERSION}: the peer runs another build. */
    UNSUPPORTED_VERSION,

    /** The frame does not carry this cluster's secret: it comes from another cluster or was forged. */
    WRONG_SECRET,

    /** A fragment does not continue the message being reassembled for its source. */
    FRAGMENT_OUT_OF_SEQUENCE
}
