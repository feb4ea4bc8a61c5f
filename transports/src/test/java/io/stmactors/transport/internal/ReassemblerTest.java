package io.stmactors.transport.internal;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.stmactors.transport.FrameDescriptor.ABORT_FLAG;
import static io.stmactors.transport.FrameDescriptor.BEGIN_FLAG;
import static io.stmactors.transport.FrameDescriptor.END_FLAG;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ReassemblerTest
{
    private final List<String> discarded = new ArrayList<>();
    private final Reassembler reassembler = new Reassembler(
        (source, received, length) -> discarded.add(source + ":" + received + "/" + length));
    private final UnsafeBuffer chunk = new UnsafeBuffer(new byte[]{1, 2, 3, 4});

    private int fragment(final int source, final byte flags, final long id, final int offset)
    {
        return reassembler.onFragment(source, flags, id, 9, 12, offset, chunk, 0, 4);
    }

    @Test
    void shouldReassembleInterleavedSources()
    {
        assertEquals(Reassembler.INCOMPLETE, fragment(1, BEGIN_FLAG, 5, 0));
        assertEquals(Reassembler.INCOMPLETE, fragment(2, BEGIN_FLAG, 8, 0));
        assertEquals(Reassembler.INCOMPLETE, fragment(1, (byte)0, 5, 4));
        assertEquals(Reassembler.INCOMPLETE, fragment(2, (byte)0, 8, 4));
        assertEquals(12, fragment(1, END_FLAG, 5, 8));
        assertEquals(9, reassembler.completedMessageType());
        assertEquals(3, reassembler.completedBuffer().getByte(10));
        reassembler.releaseCompleted();
        assertEquals(1, reassembler.inProgress());
        assertEquals(12, fragment(2, END_FLAG, 8, 8));
        assertEquals(List.of(), discarded);
    }

    @Test
    void shouldDiscardIncompleteMessageOnNewBeginOrAbort()
    {
        fragment(1, BEGIN_FLAG, 5, 0);
        fragment(1, BEGIN_FLAG, 6, 0);
        assertEquals(List.of("1:4/12"), discarded);
        fragment(1, ABORT_FLAG, 99, 0); // not the message in progress: ignored
        assertEquals(1, reassembler.inProgress());
        fragment(1, ABORT_FLAG, 6, 0);
        assertEquals(0, reassembler.inProgress());
        assertEquals(List.of("1:4/12", "1:4/12"), discarded);
    }

    @Test
    void shouldDiscardEveryMessageInProgressOnDiscardAll()
    {
        fragment(1, BEGIN_FLAG, 5, 0);
        fragment(2, BEGIN_FLAG, 8, 0);
        fragment(2, (byte)0, 8, 4);
        fragment(3, BEGIN_FLAG, 1, 0);
        fragment(3, (byte)0, 1, 4);
        assertEquals(12, fragment(3, END_FLAG, 1, 8)); // complete: nothing of it left to discard
        reassembler.releaseCompleted();
        reassembler.discardAll();
        assertEquals(0, reassembler.inProgress());
        discarded.sort(null);
        assertEquals(List.of("1:4/12", "2:8/12"), discarded, "only the messages still in progress");
    }

    @Test
    void shouldRefuseFragmentsOutOfSequence()
    {
        assertEquals(Reassembler.REFUSED, fragment(1, (byte)0, 5, 4));
        fragment(1, BEGIN_FLAG, 5, 0);
        assertEquals(Reassembler.REFUSED, fragment(1, END_FLAG, 5, 8)); // skipped the middle
        assertEquals(0, reassembler.inProgress());
        assertEquals(List.of("1:4/12"), discarded);
        assertEquals(Reassembler.REFUSED, fragment(1, END_FLAG, 7, 8));
    }
}
