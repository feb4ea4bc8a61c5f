package io.stmactors.transport;

import java.nio.ByteOrder;

/**
 * Layout of a transport frame: the header every message (or fragment of a message) carries, followed by its
 * payload. On the shared-memory transport one frame is one record of Agrona's ring buffer, whose own 8-byte record
 * header (length, type {@link #RECORD_TYPE_ID}) precedes it. All fields are little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |    Version    |B|E|A| Flags=0 |        Reserved (0)           |  0
 *  +---------------+---------------+-------------------------------+
 *  |                        Message Type (>= 0)                    |  4
 *  +---------------------------------------------------------------+
 *  |                          Source Id                            |  8
 *  +---------------------------------------------------------------+
 *  |                 Frame Length (payload bytes here)             | 12
 *  +---------------------------------------------------------------+
 *  |                        Cluster Secret                         | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Message Id (per source, fragmented only)         | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Message Length (whole message)                | 32
 *  +---------------------------------------------------------------+
 *  |              Fragment Offset (within the message)             | 36
 *  +---------------------------------------------------------------+
 *  |                           Payload                            ...  40
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 * Flags: {@code B} begin ({@value #BEGIN_FLAG}), {@code E} end ({@value #END_FLAG}), {@code A} abort
 * ({@value #ABORT_FLAG}). A message that fits in one frame is {@code B|E} with offset 0 and frame length ==
 * message length. A larger message is split into fragments {@code B}, zero or more middle fragments (no flag),
 * {@code E}, all with the same message id, written in order by one sender at a time per destination, so a receiver
 * has at most one message in reassembly per source. A sender that gives up part-way (back-pressure timeout) writes
 * an {@code A} frame with that message id if there is room; either way the receiver discards an incomplete message
 * when the same source begins another. So a message is delivered whole or not at all.
 * <p>
 * A receiver validates every field before using any of it (see {@link RejectReason}); a frame that fails is
 * counted, reported, and skipped, and the next frame is processed normally.
 * <p>
 * Thread-safety: constants only.
 */
public final class FrameDescriptor
{
    /** The frame layout version this build writes and accepts. */
    public static final byte CURRENT_VERSION = 1;

    /** Agrona ring-buffer record type used for frames (Agrona requires a type id {@code >= 1}). */
    public static final int RECORD_TYPE_ID = 1;

    /** Byte order of every header field. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    /** Offset of the version byte. */
    public static final int VERSION_OFFSET = 0;
    /** Offset of the flags byte. */
    public static final int FLAGS_OFFSET = 1;
    /** Offset of the reserved 16 bits, which must be zero. */
    public static final int RESERVED_OFFSET = 2;
    /** Offset of the message type. */
    public static final int MESSAGE_TYPE_OFFSET = 4;
    /** Offset of the source endpoint id. */
    public static final int SOURCE_ID_OFFSET = 8;
    /** Offset of the number of payload bytes in this frame. */
    public static final int FRAME_LENGTH_OFFSET = 12;
    /** Offset of the 64-bit cluster secret. */
    public static final int CLUSTER_SECRET_OFFSET = 16;
    /** Offset of the 64-bit message id. */
    public static final int MESSAGE_ID_OFFSET = 24;
    /** Offset of the whole message's length. */
    public static final int MESSAGE_LENGTH_OFFSET = 32;
    /** Offset of this fragment's position within the message. */
    public static final int FRAGMENT_OFFSET_OFFSET = 36;
    /** Length of the header; the payload starts here. A multiple of 8, so payloads stay 8-byte aligned. */
    public static final int HEADER_LENGTH = 40;

    /** First frame of a message. */
    public static final byte BEGIN_FLAG = (byte)0x80;
    /** Last frame of a message. */
    public static final byte END_FLAG = 0x40;
    /** The sender abandoned the message with this id. */
    public static final byte ABORT_FLAG = 0x20;
    /** A message carried whole in one frame. */
    public static final byte UNFRAGMENTED = (byte)(BEGIN_FLAG | END_FLAG);

    /** Largest endpoint id. */
    public static final int MAX_ENDPOINT_ID = 65_535;

    private FrameDescriptor()
    {
    }
}
