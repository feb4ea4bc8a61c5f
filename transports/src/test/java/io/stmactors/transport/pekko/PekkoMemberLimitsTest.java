package io.stmactors.transport.pekko;

import io.stmactors.transport.MessageTooLargeException;
import io.stmactors.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.stmactors.transport.pekko.PekkoTestSupport.config;
import static io.stmactors.transport.pekko.PekkoTestSupport.pollUntil;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Members whose limits differ: each member announces its largest message and its Artery frame size (as cluster
 * roles), and a sender keeps to the receiver's. Before, a message above the receiver's {@code maxMessageSize} left
 * the sender normally and was dropped by the receiver, unknown to the sender. (Frames larger than the receiver's
 * own frame size were accepted by Artery over TCP here; the sender now cuts them to the smaller size anyway, as
 * the settings promise.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PekkoMemberLimitsTest
{
    private static final int A = 1;
    private static final int B = 2;

    private PekkoTransport a;
    private PekkoTransport b;

    @AfterEach
    void close()
    {
        PekkoTestSupport.closeAll(b, a);
    }

    /** Polls {@code receiver} until a message arrives; returns the messages read (copies). */
    private static List<byte[]> receiveOne(final PekkoTransport receiver)
    {
        final List<byte[]> received = new ArrayList<>();
        pollUntil(receiver, (source, type, buffer, offset, length) ->
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            received.add(copy);
        }, () -> !received.isEmpty(), Duration.ofSeconds(20));
        return received;
    }

    private static byte[] pattern(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + 7);
        }
        return bytes;
    }

    @Test
    void aMessageAboveTheReceiversLimitIsRefusedAtTheSenderNamingTheReceiver()
    {
        a = Transport.pekko(config(A).maxMessageSize(4 * 1024 * 1024).build());
        b = PekkoTransport.open(config(B, a.address()).maxMessageSize(1024 * 1024).build());
        assertTrue(a.awaitReachable(B, Duration.ofSeconds(30)), "A should see B");

        final MessageTooLargeException refused = assertThrows(MessageTooLargeException.class,
            () -> a.send(B, 1, new byte[2 * 1024 * 1024]));
        assertTrue(refused.getMessage().contains("1048576") && refused.getMessage().contains("endpoint " + B),
            refused.getMessage());

        final byte[] fits = pattern(200 * 1024); // under the send window: no credit needed before B polls
        a.send(B, 2, fits);
        final List<byte[]> received = receiveOne(b);
        assertEquals(1, received.size(), "only the message that fits arrives");
        assertArrayEquals(fits, received.get(0));
    }

    @Test
    void framesAreCutToTheReceiversFrameSize()
    {
        a = Transport.pekko(config(A).maxFrameSize(256 * 1024).sendWindow(32, 1024 * 1024).build());
        b = PekkoTransport.open(config(B, a.address()).maxFrameSize(64 * 1024).sendWindow(32, 1024 * 1024).build());
        assertTrue(a.awaitReachable(B, Duration.ofSeconds(30)), "A should see B");

        final byte[] message = pattern(200 * 1024); // one frame of A's size, four of B's
        final long framesBefore = b.counters().framesReceived();
        a.send(B, 3, message);
        final List<byte[]> received = receiveOne(b);
        assertArrayEquals(message, received.get(0));
        final int framePayload = 64 * 1024 - PekkoTransportConfig.FRAME_HEADROOM;
        assertEquals((message.length + framePayload - 1) / framePayload, b.counters().framesReceived() - framesBefore,
            "frames of at most B's frame size");
    }
}
