package io.stmactors.transport.internal;

/**
 * Layout of an endpoint's inbox file: a 128-byte header followed by an Agrona {@code ManyToOneRingBuffer}
 * (capacity plus {@code RingBufferDescriptor.TRAILER_LENGTH}). Native byte order (the file never leaves the
 * machine).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    Magic ("STMA" = 0x53544D41)                |   0
 *  +---------------------------------------------------------------+
 *  |                        Layout Version                         |   4
 *  +---------------------------------------------------------------+
 *  |          Status (0 initialising, 1 active, 2 closed)          |   8
 *  +---------------------------------------------------------------+
 *  |                          Endpoint Id                          |  12
 *  +---------------------------------------------------------------+
 *  |                       Owner Process Id                        |  16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Incarnation (random, per binding)                |  24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               Ring Capacity (excluding trailer)               |  32
 *  +---------------------------------------------------------------+
 *  |        Max Message Size (the owner's; 0 if not recorded)      |  36
 *  +---------------------------------------------------------------+
 *  |                      Reserved up to 128                      ...  40
 *  +---------------------------------------------------------------+
 *  |                 Ring buffer (capacity + trailer)             ...  128
 *  +---------------------------------------------------------------+
 * </pre>
 * The owner writes every field before it renames the file into place, so a sender that can open the file sees a
 * complete header. Afterwards only Status changes, once, from active to closed: the owner writes it with a
 * release store before deleting the file, senders read it with an acquire load before every send. The file is never
 * truncated while mapped, so a sender still holding a mapping of a deleted file never faults.
 * <p>
 * Thread-safety: constants only.
 */
public final class InboxFileDescriptor
{
    /** "STMA". */
    public static final int MAGIC = 0x53544D41;
    /** Version of this layout. */
    public static final int LAYOUT_VERSION = 1;

    /** Offset of the magic number. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the layout version. */
    public static final int LAYOUT_VERSION_OFFSET = 4;
    /** Offset of the status word. */
    public static final int STATUS_OFFSET = 8;
    /** Offset of the endpoint id. */
    public static final int ENDPOINT_ID_OFFSET = 12;
    /** Offset of the owner's process id. */
    public static final int OWNER_PID_OFFSET = 16;
    /** Offset of the incarnation. */
    public static final int INCARNATION_OFFSET = 24;
    /** Offset of the ring capacity. */
    public static final int RING_CAPACITY_OFFSET = 32;
    /**
     * Offset of the owner's {@code TransportConfig.maxMessageSize}: senders refuse larger messages, which the owner
     * would reject as malformed. It was reserved (zero) before, so 0 means "not recorded" and the layout version
     * stays 1.
     */
    public static final int MAX_MESSAGE_SIZE_OFFSET = 36;
    /**
     * Offset of the owner process's start time, in milliseconds since the epoch ({@link ProcessHandle.Info#startInstant()}),
     * so that a process that later got the owner's pid is not taken for the owner. It was reserved (zero) before, so 0
     * means "not recorded" and the layout version stays 1.
     */
    public static final int OWNER_START_OFFSET = 40;
    /** Length of the header; the ring buffer starts here (a multiple of the cache line and of 8). */
    public static final int HEADER_LENGTH = 128;

    /** The owner is still writing the header. */
    public static final int STATUS_INITIALISING = 0;
    /** Open for messages. */
    public static final int STATUS_ACTIVE = 1;
    /** The owner closed the endpoint; send nothing more. */
    public static final int STATUS_CLOSED = 2;

    /** Suffix of inbox file names. */
    public static final String FILE_SUFFIX = ".inbox";

    private InboxFileDescriptor()
    {
    }

    /**
     * @param endpointId an endpoint id.
     * @return the inbox file name of that endpoint.
     */
    public static String fileName(final int endpointId)
    {
        return "endpoint-" + endpointId + FILE_SUFFIX;
    }
}
