package io.stmactors.transport;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static io.stmactors.transport.FrameDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the receive path of the shared-memory transport: {@link InboxReader} (what
 * {@link SharedMemoryTransport#poll} runs), and through it {@code FrameValidator} and {@code Reassembler}.
 * <ul>
 *     <li>{@link #framesFromAPeer}: a peer that knows the cluster secret writes well-framed ring records
 *     whose frame headers and payloads come from the fuzzer (header fields chosen near the interesting
 *     boundaries, or raw bytes). Every record must be counted exactly once, as received or as rejected;
 *     every delivered message must lie inside its buffer and within the size limit; nothing may throw.</li>
 *     <li>{@link #ringBytes}: the fuzzer writes the ring's bytes themselves, Agrona record headers included
 *     (a process that scribbles on the mapped inbox file). A poll must return (no hang), throw nothing, and
 *     hand the handler only ranges inside the ring.</li>
 * </ul>
 * Regression mode (the default, and {@code mvn verify}'s ordinary test run) replays the inputs under
 * {@code src/test/resources/io/stmactors/transport/InboxFuzzTestInputs/<method>/}; the {@code fuzz-*}
 * surefire executions fuzz each target for {@code -Dfuzz.runs} executions from a fixed seed (see RELIABILITY.md).
 * {@code maxDuration} is only a safety cap: Jazzer appends it after the build's own libFuzzer arguments, so a
 * shorter annotation value would override {@code -runs}.
 */
@Tag("fuzz")
class InboxFuzzTest
{
    static final long SECRET = 0x5EC2E7_C0FFEEL;
    static final int RING_CAPACITY = TransportConfig.MIN_RING_CAPACITY;
    static final int MAX_MESSAGE_SIZE = 1 << 20;
    static final AtomicLong EXECUTIONS = new AtomicLong();
    static final AtomicLong FRAMES = new AtomicLong();
    static final AtomicLong REJECTED = new AtomicLong();

    @AfterAll
    static void printFigures()
    {
        System.out.printf("RELIABILITY fuzz target=InboxFuzzTest executions=%d frames=%d rejected=%d%n",
            EXECUTIONS.get(), FRAMES.get(), REJECTED.get());
    }

    private static TransportConfig config()
    {
        return TransportConfig.builder()
            .directory(Path.of("unused-by-the-reader"))
            .endpointId(1)
            .clusterSecret(SECRET)
            .ringCapacity(RING_CAPACITY)
            .maxMessageSize(MAX_MESSAGE_SIZE)
            .build();
    }

    /** One aligned off-heap ring, cleared for each execution (the fuzzer runs targets on one thread). */
    private static final UnsafeBuffer RING_MEMORY = new UnsafeBuffer(
        BufferUtil.allocateDirectAligned(RING_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH, 64));

    private static ManyToOneRingBuffer newRing()
    {
        RING_MEMORY.setMemory(0, RING_MEMORY.capacity(), (byte)0);
        return new ManyToOneRingBuffer(RING_MEMORY);
    }

    /** Checks every delivered message and counts them. */
    private static final class CheckingHandler implements FrameHandler
    {
        long delivered;
        long sum;

        public void onFrame(final int sourceId, final int messageType, final DirectBuffer buffer, final int offset,
            final int length)
        {
            assertTrue(length >= 0 && length <= MAX_MESSAGE_SIZE, "delivered length " + length);
            assertTrue(offset >= 0 && (long)offset + length <= buffer.capacity(),
                "delivered range [" + offset + ", +" + length + ") outside a buffer of " + buffer.capacity());
            assertTrue(sourceId >= 0 && sourceId <= MAX_ENDPOINT_ID, "source " + sourceId);
            assertTrue(messageType >= 0, "type " + messageType);
            for (int i = 0; i < length; i++)
            {
                sum += buffer.getByte(offset + i); // the handler reads every byte it was given
            }
            delivered++;
        }
    }

    @FuzzTest(maxDuration = "30m")
    void framesFromAPeer(final FuzzedDataProvider data)
    {
        EXECUTIONS.incrementAndGet();
        final ManyToOneRingBuffer ring = newRing();
        final TransportCounters counters = new TransportCounters();
        final InboxReader reader = new InboxReader(config(), ring, counters);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[ring.maxMsgLength()]);

        int written = 0;
        while (data.remainingBytes() > 0 && written < 64)
        {
            final int typeId;
            final int length;
            switch (data.consumeInt(0, 3))
            {
                case 0, 1 ->
                {
                    length = header(data, frame);
                    typeId = RECORD_TYPE_ID;
                }
                case 2 ->
                {
                    final byte[] raw = data.consumeBytes(data.consumeInt(0, frame.capacity()));
                    frame.putBytes(0, raw);
                    length = raw.length;
                    typeId = RECORD_TYPE_ID;
                }
                default ->
                {
                    length = header(data, frame);
                    typeId = data.consumeInt(1, Integer.MAX_VALUE);
                }
            }
            if (!ring.write(typeId, frame, 0, length))
            {
                break;
            }
            written++;
        }

        final CheckingHandler handler = new CheckingHandler();
        int read = 0;
        for (int polls = 0; polls < 1000; polls++)
        {
            final int n = reader.read(handler, 16);
            read += n;
            if (0 == n)
            {
                break;
            }
        }

        FRAMES.addAndGet(written);
        REJECTED.addAndGet(counters.framesRejected());
        assertEquals(written, read, "records read");
        assertEquals(written, counters.framesReceived() + counters.framesRejected(),
            "every frame counted once, received or rejected: " + counters);
        assertEquals(handler.delivered, counters.messagesReceived(), "messages delivered");
    }

    /** A frame header from the fuzzer, fields biased toward the boundaries the validator checks. */
    private static int header(final FuzzedDataProvider data, final UnsafeBuffer frame)
    {
        final int payload = data.consumeInt(0, frame.capacity() - HEADER_LENGTH);
        final byte flags = data.pickValue(new byte[]{UNFRAGMENTED, BEGIN_FLAG, END_FLAG, 0, ABORT_FLAG,
            data.consumeByte()});
        final int sourceId = data.consumeBoolean() ? data.consumeInt(0, 3) : data.consumeInt();
        final long messageId = data.consumeBoolean() ? data.consumeLong(0, 3) : data.consumeLong();
        final int messageLength = data.consumeBoolean() ? payload * data.consumeInt(1, 4) : data.consumeInt();
        final int fragmentOffset = data.consumeBoolean() ? payload * data.consumeInt(0, 3) : data.consumeInt();
        final int frameLength = data.consumeBoolean() ? payload : data.consumeInt();

        frame.putByte(VERSION_OFFSET, data.consumeInt(0, 15) == 0 ? data.consumeByte() : CURRENT_VERSION);
        frame.putByte(FLAGS_OFFSET, flags);
        frame.putShort(RESERVED_OFFSET, data.consumeInt(0, 15) == 0 ? data.consumeShort() : 0, BYTE_ORDER);
        frame.putInt(MESSAGE_TYPE_OFFSET, data.consumeBoolean() ? data.consumeInt(0, 9) : data.consumeInt(), BYTE_ORDER);
        frame.putInt(SOURCE_ID_OFFSET, sourceId, BYTE_ORDER);
        frame.putInt(FRAME_LENGTH_OFFSET, frameLength, BYTE_ORDER);
        frame.putLong(CLUSTER_SECRET_OFFSET, data.consumeInt(0, 15) == 0 ? data.consumeLong() : SECRET, BYTE_ORDER);
        frame.putLong(MESSAGE_ID_OFFSET, messageId, BYTE_ORDER);
        frame.putInt(MESSAGE_LENGTH_OFFSET, messageLength, BYTE_ORDER);
        frame.putInt(FRAGMENT_OFFSET_OFFSET, fragmentOffset, BYTE_ORDER);
        final byte[] bytes = data.consumeBytes(payload);
        frame.putBytes(HEADER_LENGTH, bytes);
        return HEADER_LENGTH + bytes.length;
    }

    @FuzzTest(maxDuration = "30m")
    void ringBytes(final byte[] bytes)
    {
        EXECUTIONS.incrementAndGet();
        final ManyToOneRingBuffer ring = newRing();
        final org.agrona.concurrent.AtomicBuffer buffer = ring.buffer();
        final int length = Math.min(bytes.length, RING_CAPACITY);
        buffer.putBytes(0, bytes, 0, length);
        buffer.putLong(RING_CAPACITY + RingBufferDescriptor.TAIL_POSITION_OFFSET, length);
        final TransportCounters counters = new TransportCounters();
        final InboxReader reader = new InboxReader(config(), ring, counters);

        final CheckingHandler handler = new CheckingHandler();
        for (int polls = 0; polls < 64; polls++)
        {
            if (0 == reader.read(handler, 16) && ring.consumerPosition() >= length)
            {
                break;
            }
        }
        FRAMES.addAndGet(counters.framesReceived() + counters.framesRejected());
        REJECTED.addAndGet(counters.framesRejected());
    }
}
