package io.stmactors.transport.internal;

import org.junit.jupiter.api.Test;

import static io.stmactors.transport.FrameDescriptor.ABORT_FLAG;
import static io.stmactors.transport.FrameDescriptor.BEGIN_FLAG;
import static io.stmactors.transport.FrameDescriptor.END_FLAG;
import static io.stmactors.transport.FrameDescriptor.HEADER_LENGTH;
import static io.stmactors.transport.FrameDescriptor.UNFRAGMENTED;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameValidatorTest
{
    private static final int MAX = 1 << 20;

    private static String check(final byte flags, final int frameLength, final int messageLength, final int fragmentOffset)
    {
        return FrameValidator.validate(flags, (short)0, 3, 7, frameLength, HEADER_LENGTH + frameLength, messageLength,
            fragmentOffset, MAX);
    }

    @Test
    void shouldAcceptConsistentFrames()
    {
        assertNull(check(UNFRAGMENTED, 10, 10, 0));
        assertNull(check(UNFRAGMENTED, 0, 0, 0));
        assertNull(check(BEGIN_FLAG, 10, 30, 0));
        assertNull(check((byte)0, 10, 30, 10));
        assertNull(check(END_FLAG, 10, 30, 20));
        assertNull(check(ABORT_FLAG, 0, 30, 0));
    }

    @Test
    void shouldRefuseInconsistentFrames()
    {
        assertNotNull(check(UNFRAGMENTED, 10, 11, 0));
        assertNotNull(check(BEGIN_FLAG, 10, 10, 0));
        assertNotNull(check(BEGIN_FLAG, 10, 30, 5));
        assertNotNull(check((byte)0, 10, 30, 0));
        assertNotNull(check((byte)0, 10, 30, 20));
        assertNotNull(check(END_FLAG, 10, 30, 10));
        assertNotNull(check(END_FLAG, 0, 30, 30));
        assertNotNull(check(ABORT_FLAG, 5, 30, 0));
        assertNotNull(check((byte)0x11, 10, 10, 0));
        assertNotNull(check(UNFRAGMENTED, 10, MAX + 1, 0));
        assertNotNull(check(END_FLAG, 10, 30, Integer.MAX_VALUE - 5));
        assertNotNull(check(UNFRAGMENTED, -1, -1, 0));
        assertTrue(FrameValidator.validate(UNFRAGMENTED, (short)0, 3, 7, 10, HEADER_LENGTH + 11, 10, 0, MAX)
            .contains("record holds 11"));
        assertNotNull(FrameValidator.validate(UNFRAGMENTED, (short)1, 3, 7, 0, HEADER_LENGTH, 0, 0, MAX));
        assertNotNull(FrameValidator.validate(UNFRAGMENTED, (short)0, -3, 7, 0, HEADER_LENGTH, 0, 0, MAX));
        assertNotNull(FrameValidator.validate(UNFRAGMENTED, (short)0, 3, -7, 0, HEADER_LENGTH, 0, 0, MAX));
    }
}
