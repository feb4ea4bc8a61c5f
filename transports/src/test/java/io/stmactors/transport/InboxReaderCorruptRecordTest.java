package io.stmactors.transport;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.stmactors.transport.FrameDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Minimal reproduction of the fuzzer's finding in {@code InboxFuzzTest#ringBytes} (crash input
 * {@code InboxFuzzTestInputs/ringBytes/crash-665d27ee...}): one ring record whose Agrona length field is larger than
 * the ring. The inbox file is writable by every process of the cluster, so a buggy or dying producer can leave
 * such a record; the receiver must drop it (counted, like any malformed frame) and go on, as
 * {@link FrameDescriptor}'s contract says ("a frame that fails is counted, reported, and skipped, and the next
 * frame is processed normally").
 * <p>
 * What happens: Agrona's {@code ManyToOneRingBuffer.read} trusts the length, hands {@code InboxReader.onMessage}
 * a record that runs past the ring, then throws {@link IndexOutOfBoundsException} from its {@code finally}
 * ({@code setMemory(head, bytesRead)}) before it advances the head. Every later poll throws the same way: the inbox
 * is wedged for good. Reproduce: {@code mvn -B -pl transports -am verify -Dtest=InboxReaderCorruptRecordTest
 * -Dfuzz.skip=true} (fixed: InboxReader checks every record header).
 */
class InboxReaderCorruptRecordTest
{
    private static final long SECRET = 42;
    private static final int CAPACITY = TransportConfig.MIN_RING_CAPACITY;

    /**
     * {@code 0x7FFF_FFFE} is the second fuzzer finding ({@code crash-length-overflow}): aligned to 8 bytes it overflows
     * to a negative length, which passed the bound check and made the reader clear a negative number of bytes.
     */
    @ParameterizedTest(name = "length word {0}")
    @ValueSource(ints = {0x7FFF_FFF0, 0x7FFF_FFFE, 0x7FFF_FFFF, CAPACITY + 8})
    void aRecordLongerThanTheRingIsDroppedAndTheInboxKeepsWorking(final int badLength)
    {
        final UnsafeBuffer memory = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(CAPACITY + RingBufferDescriptor.TRAILER_LENGTH, 64));
        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(memory);
        final TransportCounters counters = new TransportCounters();
        final InboxReader reader = new InboxReader(TransportConfig.builder().directory(Path.of("unused"))
            .endpointId(1).clusterSecret(SECRET).ringCapacity(CAPACITY).build(), ring, counters);
        final List<Integer> delivered = new ArrayList<>();
        final FrameHandler handler = (source, type, buffer, offset, length) -> delivered.add(type);

        // A producer claimed 48 bytes, then the length word of its record was overwritten with a huge value.
        assertTrue(ring.write(RECORD_TYPE_ID, frame(1), 0, HEADER_LENGTH + 8));
        memory.putInt(0, badLength); // Agrona record header: length at offset 0

        int polls = 0;
        for (; polls < 3; polls++)
        {
            reader.read(handler, 16); // throws IndexOutOfBoundsException today, on every call
        }
        assertTrue(ring.write(RECORD_TYPE_ID, frame(2), 0, HEADER_LENGTH + 8), "room for the next frame");
        reader.read(handler, 16);

        assertEquals(List.of(2), delivered, "the corrupt record is dropped, the next frame delivered");
        assertEquals(1, counters.framesRejected(), "the corrupt record counted as rejected");
    }

    private static DirectBuffer frame(final int messageType)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[HEADER_LENGTH + 8]);
        frame.putByte(VERSION_OFFSET, CURRENT_VERSION);
        frame.putByte(FLAGS_OFFSET, UNFRAGMENTED);
        frame.putInt(MESSAGE_TYPE_OFFSET, messageType, BYTE_ORDER);
        frame.putInt(SOURCE_ID_OFFSET, 2, BYTE_ORDER);
        frame.putInt(FRAME_LENGTH_OFFSET, 8, BYTE_ORDER);
        frame.putLong(CLUSTER_SECRET_OFFSET, SECRET, BYTE_ORDER);
        frame.putInt(MESSAGE_LENGTH_OFFSET, 8, BYTE_ORDER);
        return frame;
    }
}
