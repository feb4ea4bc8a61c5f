package io.stmactors.transport.internal;

import static io.stmactors.transport.FrameDescriptor.ABORT_FLAG;
import static io.stmactors.transport.FrameDescriptor.BEGIN_FLAG;
import static io.stmactors.transport.FrameDescriptor.END_FLAG;
import static io.stmactors.transport.FrameDescriptor.HEADER_LENGTH;
import static io.stmactors.transport.FrameDescriptor.MAX_ENDPOINT_ID;
import static io.stmactors.transport.FrameDescriptor.UNFRAGMENTED;

/**
 * Checks the fields of a frame header (after version and secret) for consistency, so a damaged or forged frame is
 * refused before any field is used as a length, an offset or an id. See {@link io.stmactors.transport.FrameDescriptor}.
 * <p>
 * Thread-safety: stateless.
 */
public final class FrameValidator
{
    private FrameValidator()
    {
    }

    /**
     * @param flags          frame flags.
     * @param reserved       reserved field, must be 0.
     * @param sourceId       claimed source endpoint.
     * @param messageType    message type.
     * @param frameLength    frame length field.
     * @param recordLength   bytes the ring record actually holds (header + payload).
     * @param messageLength  whole-message length field.
     * @param fragmentOffset fragment offset field.
     * @param maxMessageSize the receiver's limit.
     * @return null if the header is consistent, otherwise a description of the first problem found.
     */
    public static String validate(
        final byte flags,
        final short reserved,
        final int sourceId,
        final int messageType,
        final int frameLength,
        final int recordLength,
        final int messageLength,
        final int fragmentOffset,
        final int maxMessageSize)
    {
        if (0 != reserved)
        {
            return "reserved field is " + reserved + ", not 0";
        }
        if (sourceId < 0 || sourceId > MAX_ENDPOINT_ID)
        {
            return "source id " + sourceId + " is out of range";
        }
        if (messageType < 0)
        {
            return "message type " + messageType + " is negative";
        }
        if (frameLength != recordLength - HEADER_LENGTH)
        {
            return "frame length field says " + frameLength + " bytes but the record holds " +
                (recordLength - HEADER_LENGTH);
        }
        if (messageLength < 0 || messageLength > maxMessageSize)
        {
            return "message length " + messageLength + " is outside [0, " + maxMessageSize + "]";
        }
        if (fragmentOffset < 0 || (long)fragmentOffset + frameLength > messageLength)
        {
            return "fragment [" + fragmentOffset + ", +" + frameLength + ") lies outside a message of " +
                messageLength + " bytes";
        }

        final boolean starts = 0 == fragmentOffset;
        final boolean ends = fragmentOffset + frameLength == messageLength;
        switch (flags)
        {
            case UNFRAGMENTED:
                return starts && ends ? null : "an unfragmented frame must hold the whole message";
            case BEGIN_FLAG:
                return starts && !ends && frameLength > 0 ? null : "a first fragment must start the message and not end it";
            case END_FLAG:
                return !starts && ends && frameLength > 0 ? null : "a last fragment must end the message and not start it";
            case 0:
                return !starts && !ends && frameLength > 0 ? null : "a middle fragment must lie strictly inside the message";
            case ABORT_FLAG:
                return 0 == frameLength && starts ? null : "an abort frame carries no payload";
            default:
                return "invalid flags 0x" + Integer.toHexString(flags & 0xFF);
        }
    }
}
