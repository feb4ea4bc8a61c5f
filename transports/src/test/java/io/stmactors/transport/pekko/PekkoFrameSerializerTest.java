package io.stmactors.transport.pekko;

import io.stmactors.transport.CodecException;
import io.stmactors.transport.FrameDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link PekkoFrameSerializer} without Pekko: both of Artery's paths (arrays and direct buffers) round-trip the wire
 * records, and forged bytes fail cleanly instead of allocating what they claim.
 */
class PekkoFrameSerializerTest
{
    private final PekkoFrameSerializer serializer = new PekkoFrameSerializer();

    @Test
    void shouldRoundTripFramesCreditsAndProbesThroughArraysAndDirectBuffers()
    {
        final byte[] payload = new byte[1000];
        Arrays.fill(payload, (byte)7);
        final WireMessage.Frame frame = new WireMessage.Frame(12, -5, 3, 0x5EC2E7L, FrameDescriptor.BEGIN_FLAG, 99L,
            5000, 0, payload);
        final WireMessage.Credit credit = new WireMessage.Credit(4, 8, -9, 0x5EC2E7L, 1L << 40, 123_456_789_012L);

        assertFrameEquals(frame, (WireMessage.Frame)serializer.fromBinaryJava(serializer.toBinary(frame), null));
        assertEquals(credit, serializer.fromBinaryJava(serializer.toBinary(credit), null));
        final WireMessage.CreditProbe probe = new WireMessage.CreditProbe(1023, -7, 0x5EC2E7L, 1L << 42, 987_654_321_098L);
        assertEquals(probe, serializer.fromBinaryJava(serializer.toBinary(probe), null));

        final ByteBuffer direct = ByteBuffer.allocateDirect(4096);
        direct.position(17); // Artery writes after its envelope header
        serializer.toBinary(frame, direct);
        final int end = direct.position();
        direct.flip().position(17);
        assertFrameEquals(frame, (WireMessage.Frame)serializer.fromBinary(direct, ""));
        assertEquals(end, direct.position(), "the whole message is consumed");
        assertFalse(serializer.includeManifest());
    }

    @Test
    void shouldRefuseForgedPayloadLengthsWithoutAllocatingThem()
    {
        final WireMessage.Frame frame = new WireMessage.Frame(1, 1, 1, 1L, FrameDescriptor.UNFRAGMENTED, 0, 4, 0,
            new byte[]{1, 2, 3, 4});
        final byte[] bytes = serializer.toBinary(frame);
        // The payload length is the varint just before the last 4 bytes; claim 2^28 - 1 bytes instead of 4.
        final byte[] forged = Arrays.copyOf(bytes, bytes.length - 4 - 1 + 4);
        System.arraycopy(new byte[]{(byte)0xFF, (byte)0xFF, (byte)0xFF, 0x7F}, 0, forged, bytes.length - 5, 4);
        assertThrows(CodecException.class, () -> serializer.fromBinaryJava(forged, null));

        final byte[] truncated = Arrays.copyOf(bytes, bytes.length - 2);
        assertThrows(CodecException.class, () -> serializer.fromBinaryJava(truncated, null));
    }

    private static void assertFrameEquals(final WireMessage.Frame expected, final WireMessage.Frame actual)
    {
        assertEquals(expected.sourceId(), actual.sourceId());
        assertEquals(expected.senderUid(), actual.senderUid());
        assertEquals(expected.messageType(), actual.messageType());
        assertEquals(expected.clusterSecret(), actual.clusterSecret());
        assertEquals(expected.flags(), actual.flags());
        assertEquals(expected.messageId(), actual.messageId());
        assertEquals(expected.messageLength(), actual.messageLength());
        assertEquals(expected.fragmentOffset(), actual.fragmentOffset());
        assertArrayEquals(expected.payload(), actual.payload());
    }
}
