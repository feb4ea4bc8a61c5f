package io.stmactors.transport.internal;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import static io.stmactors.transport.FrameDescriptor.ABORT_FLAG;
import static io.stmactors.transport.FrameDescriptor.BEGIN_FLAG;
import static io.stmactors.transport.FrameDescriptor.END_FLAG;

/**
 * Puts fragmented messages back together, per source. Senders write the fragments of one message to one
 * destination in order and one message at a time (see {@link io.stmactors.transport.FrameDescriptor}), so each
 * source has at most one message in progress; fragments of different sources may interleave.
 * <p>
 * An incomplete message is discarded when its source begins another message or sends an abort frame for it. A
 * fragment that does not continue the message in progress (wrong id or offset, or no message in progress) is
 * refused, and the message in progress, now unrecoverable, is discarded too.
 * <p>
 * Reassembly buffers grow with the fragments actually received rather than with the announced length, and a buffer
 * grown beyond {@value #MAX_RETAINED_CAPACITY} bytes is dropped after its message is delivered.
 * <p>
 * Thread-safety: none; used by the polling thread only.
 */
public final class Reassembler
{
    /** Result of {@link #onFragment}: the message is not complete yet. */
    public static final int INCOMPLETE = -1;
    /** Result of {@link #onFragment}: the fragment was refused; {@link #lastProblem()} says why. */
    public static final int REFUSED = -2;

    static final int MAX_RETAINED_CAPACITY = 1024 * 1024;
    private static final int INITIAL_CAPACITY = 64 * 1024;

    /**
     * Told when an incomplete message is thrown away.
     */
    @FunctionalInterface
    public interface DiscardListener
    {
        /**
         * @param sourceId      the sender.
         * @param receivedBytes bytes that had arrived.
         * @param messageLength bytes announced.
         */
        void onDiscarded(int sourceId, int receivedBytes, int messageLength);
    }

    private final Int2ObjectHashMap<Partial> bySource = new Int2ObjectHashMap<>();
    private final DiscardListener discardListener;
    private String lastProblem;

    /**
     * @param discardListener told about every discarded incomplete message.
     */
    public Reassembler(final DiscardListener discardListener)
    {
        this.discardListener = discardListener;
    }

    /**
     * Add a validated fragment (not an unfragmented frame).
     *
     * @param sourceId       sender.
     * @param flags          frame flags: begin, end, none (middle) or abort.
     * @param messageId      id shared by the message's fragments.
     * @param messageType    type of the message.
     * @param messageLength  announced length of the whole message.
     * @param fragmentOffset position of this fragment in the message.
     * @param buffer         holding the fragment payload.
     * @param offset         of the payload in {@code buffer}.
     * @param length         of the payload.
     * @return the length of the now complete message (read it from {@link #completedBuffer()}), or
     * {@link #INCOMPLETE}, or {@link #REFUSED}.
     */
    public int onFragment(
        final int sourceId,
        final byte flags,
        final long messageId,
        final int messageType,
        final int messageLength,
        final int fragmentOffset,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        Partial partial = bySource.get(sourceId);

        if (ABORT_FLAG == flags)
        {
            if (null != partial && partial.active && partial.messageId == messageId)
            {
                discard(sourceId, partial);
            }
            return INCOMPLETE;
        }

        if (0 != (flags & BEGIN_FLAG))
        {
            if (null == partial)
            {
                partial = new Partial();
                bySource.put(sourceId, partial);
            }
            else if (partial.active)
            {
                discard(sourceId, partial);
            }
            partial.begin(messageId, messageType, messageLength);
        }
        else if (null == partial || !partial.active || partial.messageId != messageId ||
            partial.received != fragmentOffset || partial.messageLength != messageLength ||
            partial.messageType != messageType)
        {
            lastProblem = null == partial || !partial.active ?
                "fragment of message " + messageId + " at offset " + fragmentOffset + " from endpoint " + sourceId +
                " arrived with no message in progress" :
                "fragment of message " + messageId + " at offset " + fragmentOffset + " from endpoint " + sourceId +
                " does not continue message " + partial.messageId + " at offset " + partial.received;
            if (null != partial && partial.active)
            {
                discard(sourceId, partial);
            }
            return REFUSED;
        }

        partial.buffer.putBytes(partial.received, buffer, offset, length);
        partial.received += length;

        if (0 != (flags & END_FLAG))
        {
            partial.active = false;
            completed = partial;
            return partial.messageLength;
        }
        return INCOMPLETE;
    }

    private Partial completed;

    /**
     * The message completed by the last call to {@link #onFragment}; valid until the next call.
     *
     * @return buffer holding the message at offset 0.
     */
    public DirectBuffer completedBuffer()
    {
        return completed.buffer;
    }

    /**
     * @return the type of the message completed by the last call to {@link #onFragment}.
     */
    public int completedMessageType()
    {
        return completed.messageType;
    }

    /**
     * Drop a completed message's buffer if one large message grew it; call after delivering it.
     */
    public void releaseCompleted()
    {
        if (null != completed && completed.buffer.capacity() > MAX_RETAINED_CAPACITY)
        {
            completed.buffer = new ExpandableArrayBuffer(INITIAL_CAPACITY);
        }
        completed = null;
    }

    /**
     * @return why the last refused fragment was refused.
     */
    public String lastProblem()
    {
        return lastProblem;
    }

    /**
     * @return number of sources with a message in progress (for tests and diagnostics).
     */
    public int inProgress()
    {
        int count = 0;
        for (final Partial partial : bySource.values())
        {
            count += partial.active ? 1 : 0;
        }
        return count;
    }

    /**
     * Throw away every message in progress (its sender is gone), telling the discard listener about each.
     */
    public void discardAll()
    {
        bySource.forEach((sourceId, partial) ->
        {
            if (partial.active)
            {
                discard(sourceId, partial);
            }
        });
    }

    private void discard(final int sourceId, final Partial partial)
    {
        partial.active = false;
        if (partial.buffer.capacity() > MAX_RETAINED_CAPACITY)
        {
            partial.buffer = new ExpandableArrayBuffer(INITIAL_CAPACITY);
        }
        discardListener.onDiscarded(sourceId, partial.received, partial.messageLength);
    }

    private static final class Partial
    {
        MutableDirectBuffer buffer = new ExpandableArrayBuffer(INITIAL_CAPACITY);
        boolean active;
        long messageId;
        int messageType;
        int messageLength;
        int received;

        void begin(final long messageId, final int messageType, final int messageLength)
        {
            this.active = true;
            this.messageId = messageId;
            this.messageType = messageType;
            this.messageLength = messageLength;
            this.received = 0;
        }
    }
}
