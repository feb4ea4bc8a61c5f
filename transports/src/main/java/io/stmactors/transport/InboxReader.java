package io.stmactors.transport;

import io.stmactors.transport.internal.FrameValidator;
import io.stmactors.transport.internal.Reassembler;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

import static io.stmactors.transport.FrameDescriptor.*;

/**
 * The receive side of a {@link SharedMemoryTransport}: reads frames from the inbox ring, validates each one before
 * using any of its fields, delivers whole messages, reassembles fragments, counts and reports what it drops, keeps
 * the consumer heartbeat, and unblocks the ring when a producer died mid-record.
 * <p>
 * Thread-safety: none; confined to the polling thread, which {@link SharedMemoryTransport#poll} enforces. Counters
 * it updates are single-writer (see {@link TransportCounters}).
 */
final class InboxReader implements MessageHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(SharedMemoryTransport.class);
    private static final long REJECTION_LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final int localId;
    private final long clusterSecret;
    private final int maxMessageSize;
    private final long unblockTimeoutNs;
    private final long unblockTimeoutMs;
    private final ManyToOneRingBuffer inboxRing;
    private final TransportCounters counters;
    private final TransportListener listener;
    private final Reassembler reassembler;

    private FrameHandler handler;
    private long lastHeartbeatMs;
    private long stalledAtPosition = -1;
    private long stalledSinceNs;
    private long lastRejectionLogNs = System.nanoTime() - REJECTION_LOG_INTERVAL_NS;
    private long suppressedRejectionLogs;

    InboxReader(final TransportConfig config, final ManyToOneRingBuffer inboxRing, final TransportCounters counters)
    {
        this.localId = config.endpointId();
        this.clusterSecret = config.clusterSecret();
        this.maxMessageSize = config.maxMessageSize();
        this.unblockTimeoutNs = config.unblockTimeout().toNanos();
        this.unblockTimeoutMs = config.unblockTimeout().toMillis();
        this.inboxRing = inboxRing;
        this.counters = counters;
        this.listener = config.listener();
        this.reassembler = new Reassembler(this::onIncompleteDiscarded);
    }

    /**
     * Read up to {@code limit} frames, handing complete messages to {@code handler}.
     *
     * @param handler receives complete messages.
     * @param limit   most frames to read.
     * @return frames read, including rejected ones.
     */
    int read(final FrameHandler handler, final int limit)
    {
        this.handler = handler;
        try
        {
            final int frames = readRecords(limit);
            afterRead(frames);
            return frames;
        }
        finally
        {
            this.handler = null;
        }
    }

    /**
     * Agrona's {@code ManyToOneRingBuffer.read} loop, with one difference: every record header is checked before it
     * is used. A committed record whose length is shorter than a record header or runs past the ring cannot have
     * been written by a producer of this build (memory corruption, or a foreign writer of the shared file): the
     * records after it cannot be located, so everything up to the producer position is dropped (zeroed, as the
     * producers expect free space to be), counted and reported, and the inbox goes on with the next frame.
     */
    private int readRecords(final int limit)
    {
        final AtomicBuffer buffer = inboxRing.buffer();
        final int capacity = inboxRing.capacity();
        final int headPositionIndex = capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET;
        final long head = buffer.getLong(headPositionIndex);
        final int headIndex = (int)head & (capacity - 1);
        final int contiguousBlockLength = capacity - headIndex;
        int bytesRead = 0;
        int frames = 0;
        try
        {
            while (bytesRead < contiguousBlockLength && frames < limit)
            {
                final int recordIndex = headIndex + bytesRead;
                final int recordLength = buffer.getIntVolatile(RecordDescriptor.lengthOffset(recordIndex));
                if (recordLength <= 0)
                {
                    break; // not committed yet
                }
                // The length is checked before it is aligned: aligning a length near Integer.MAX_VALUE overflows to
                // a negative one, which passed this check and moved the head backwards.
                if (recordLength < RecordDescriptor.HEADER_LENGTH || recordLength > contiguousBlockLength - bytesRead ||
                    BitUtil.align(recordLength, RecordDescriptor.ALIGNMENT) > contiguousBlockLength - bytesRead)
                {
                    dropCorruptTail(buffer, capacity, head + bytesRead, recordLength);
                    bytesRead = 0; // dropCorruptTail moved the head and cleared the memory itself
                    return frames + 1;
                }
                bytesRead += BitUtil.align(recordLength, RecordDescriptor.ALIGNMENT);
                final int recordType = buffer.getInt(RecordDescriptor.typeOffset(recordIndex));
                if (ManyToOneRingBuffer.PADDING_MSG_TYPE_ID == recordType)
                {
                    continue;
                }
                ++frames;
                onMessage(recordType, buffer, recordIndex + RecordDescriptor.HEADER_LENGTH,
                    recordLength - RecordDescriptor.HEADER_LENGTH);
            }
        }
        finally
        {
            if (0 != bytesRead)
            {
                buffer.setMemory(headIndex, bytesRead, (byte)0);
                buffer.putLongOrdered(headPositionIndex, head + bytesRead);
            }
        }
        return frames;
    }

    private void dropCorruptTail(final AtomicBuffer buffer, final int capacity, final long from, final int badLength)
    {
        final long tail = buffer.getLongVolatile(capacity + RingBufferDescriptor.TAIL_POSITION_OFFSET);
        final long head = buffer.getLong(capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET);
        long position = head;
        while (position < tail)
        {
            final int index = (int)position & (capacity - 1);
            final int chunk = (int)Math.min(tail - position, capacity - index);
            buffer.setMemory(index, chunk, (byte)0);
            position += chunk;
        }
        buffer.putLongOrdered(capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET, tail);
        reject(RejectReason.MALFORMED, -1, "corrupt ring record at position " + from + " (length " + badLength +
            " in a ring of " + capacity + " bytes); dropped " + (tail - from) + " pending bytes up to the producer " +
            "position");
    }

    /**
     * Agrona callback for one ring record: validate the frame, then deliver it or add it to a reassembly.
     *
     * @param recordType Agrona record type.
     * @param buffer     the ring.
     * @param index      of the frame header.
     * @param length     of the frame (header and payload).
     */
    public void onMessage(final int recordType, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (RECORD_TYPE_ID != recordType)
        {
            reject(RejectReason.MALFORMED, -1, "ring record type " + recordType + " is not a transport frame");
            return;
        }
        if (length < HEADER_LENGTH)
        {
            reject(RejectReason.MALFORMED, -1, "frame of " + length + " bytes is shorter than the " + HEADER_LENGTH +
                "-byte header");
            return;
        }

        final byte version = buffer.getByte(index + VERSION_OFFSET);
        final int sourceId = buffer.getInt(index + SOURCE_ID_OFFSET, BYTE_ORDER);
        if (CURRENT_VERSION != version)
        {
            reject(RejectReason.UNSUPPORTED_VERSION, sourceId, "frame version " + version + " from endpoint " +
                sourceId + ", this build reads version " + CURRENT_VERSION);
            return;
        }
        if (clusterSecret != buffer.getLong(index + CLUSTER_SECRET_OFFSET, BYTE_ORDER))
        {
            reject(RejectReason.WRONG_SECRET, sourceId, "frame claiming to come from endpoint " + sourceId +
                " does not carry this cluster's secret");
            return;
        }

        final byte flags = buffer.getByte(index + FLAGS_OFFSET);
        final int messageType = buffer.getInt(index + MESSAGE_TYPE_OFFSET, BYTE_ORDER);
        final int frameLength = buffer.getInt(index + FRAME_LENGTH_OFFSET, BYTE_ORDER);
        final int messageLength = buffer.getInt(index + MESSAGE_LENGTH_OFFSET, BYTE_ORDER);
        final int fragmentOffset = buffer.getInt(index + FRAGMENT_OFFSET_OFFSET, BYTE_ORDER);
        final String problem = FrameValidator.validate(flags, buffer.getShort(index + RESERVED_OFFSET, BYTE_ORDER),
            sourceId, messageType, frameLength, length, messageLength, fragmentOffset, maxMessageSize);
        if (null != problem)
        {
            reject(RejectReason.MALFORMED, sourceId, "frame from endpoint " + sourceId + ": " + problem);
            return;
        }

        final int payloadOffset = index + HEADER_LENGTH;
        if (UNFRAGMENTED == flags)
        {
            countReceived(frameLength);
            deliver(sourceId, messageType, buffer, payloadOffset, frameLength);
            return;
        }

        final long messageId = buffer.getLong(index + MESSAGE_ID_OFFSET, BYTE_ORDER);
        final int completeLength = reassembler.onFragment(sourceId, flags, messageId, messageType, messageLength,
            fragmentOffset, buffer, payloadOffset, frameLength);
        if (Reassembler.REFUSED == completeLength)
        {
            reject(RejectReason.FRAGMENT_OUT_OF_SEQUENCE, sourceId, reassembler.lastProblem());
            return;
        }
        countReceived(frameLength);
        if (completeLength >= 0)
        {
            try
            {
                deliver(sourceId, reassembler.completedMessageType(), reassembler.completedBuffer(), 0, completeLength);
            }
            finally
            {
                reassembler.releaseCompleted();
            }
        }
    }

    private void countReceived(final int frameLength)
    {
        TransportCounters.increment(counters.framesReceived);
        TransportCounters.add(counters.bytesReceived, frameLength);
    }

    private void deliver(
        final int sourceId, final int messageType, final DirectBuffer buffer, final int offset, final int length)
    {
        TransportCounters.increment(counters.messagesReceived);
        handler.onFrame(sourceId, messageType, buffer, offset, length);
    }

    private void afterRead(final int frames)
    {
        final long nowMs = System.currentTimeMillis();
        if (nowMs != lastHeartbeatMs)
        {
            lastHeartbeatMs = nowMs;
            inboxRing.consumerHeartbeatTime(nowMs);
        }

        final long consumerPosition = inboxRing.consumerPosition();
        if (frames > 0 || inboxRing.producerPosition() == consumerPosition)
        {
            stalledAtPosition = -1;
            return;
        }

        final long nowNs = System.nanoTime();
        if (consumerPosition != stalledAtPosition)
        {
            stalledAtPosition = consumerPosition;
            stalledSinceNs = nowNs;
        }
        else if (nowNs - stalledSinceNs >= unblockTimeoutNs)
        {
            stalledSinceNs = nowNs;
            if (inboxRing.unblock())
            {
                TransportCounters.increment(counters.ringUnblocks);
                LOG.warn("Endpoint {} skipped a ring record that was claimed but not committed for {} ms " +
                    "(its producer probably died while sending)", localId, unblockTimeoutMs);
            }
        }
    }

    private void reject(final RejectReason reason, final int claimedSourceId, final String detail)
    {
        TransportCounters.increment(counters.framesRejected);
        final long now = System.nanoTime();
        if (now - lastRejectionLogNs >= REJECTION_LOG_INTERVAL_NS)
        {
            LOG.warn("Endpoint {} dropped a frame ({}): {}{}", localId, reason, detail, 0 == suppressedRejectionLogs ?
                "" : " [" + suppressedRejectionLogs + " similar warnings suppressed in the last second]");
            lastRejectionLogNs = now;
            suppressedRejectionLogs = 0;
        }
        else
        {
            suppressedRejectionLogs++;
        }

        try
        {
            listener.onFrameRejected(reason, claimedSourceId, detail);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("TransportListener.onFrameRejected threw", ex);
        }
    }

    private void onIncompleteDiscarded(final int sourceId, final int receivedBytes, final int messageLength)
    {
        TransportCounters.increment(counters.incompleteMessagesDiscarded);
        LOG.debug("Endpoint {} discarded an incomplete message from endpoint {} ({} of {} bytes)",
            localId, sourceId, receivedBytes, messageLength);
        try
        {
            listener.onIncompleteMessageDiscarded(sourceId, receivedBytes, messageLength);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("TransportListener.onIncompleteMessageDiscarded threw", ex);
        }
    }
}
