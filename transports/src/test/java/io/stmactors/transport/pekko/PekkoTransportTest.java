package io.stmactors.transport.pekko;

import io.stmactors.transport.EndpointClosedException;
import io.stmactors.transport.MessageTooLargeException;
import io.stmactors.transport.Transport;
import io.stmactors.transport.TransportBackPressureException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.stmactors.transport.pekko.PekkoTestSupport.config;
import static io.stmactors.transport.pekko.PekkoTestSupport.drain;
import static io.stmactors.transport.pekko.PekkoTestSupport.pollUntil;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two endpoints in one JVM, on 127.0.0.1 with different (free) ports, forming one Pekko cluster: the
 * {@link Transport} contract over Artery TCP. The cluster is formed once for the class (a few seconds) and every
 * test leaves both inboxes empty.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PekkoTransportTest
{
    private static final int A = 1;
    private static final int B = 2;

    private static PekkoTransport a;
    private static PekkoTransport b;

    @BeforeAll
    static void formCluster()
    {
        a = Transport.pekko(config(A).maxMessageSize(4 * 1024 * 1024).build());
        b = PekkoTransport.open(config(B, a.address()).maxMessageSize(4 * 1024 * 1024).build());
        assertTrue(a.awaitReachable(B, Duration.ofSeconds(20)), "A should see B");
        assertTrue(b.awaitReachable(A, Duration.ofSeconds(20)), "B should see A");
    }

    @AfterAll
    static void closeCluster()
    {
        if (null != b)
        {
            b.close();
        }
        if (null != a)
        {
            a.close();
        }
    }

    @AfterEach
    void inboxesAreEmpty()
    {
        assertEquals(0, drain(a, (s, t, buf, o, l) -> { }, 20), "A's inbox should be empty after a test");
        assertEquals(0, drain(b, (s, t, buf, o, l) -> { }, 20), "B's inbox should be empty after a test");
    }

    @Test
    void shouldRoundTripInOrder() throws Exception
    {
        final int messages = 1_000;
        final AtomicReference<Throwable> echoFailure = new AtomicReference<>();
        final Thread echo = new Thread(() ->
        {
            final UnsafeBuffer reply = new UnsafeBuffer(new byte[8]);
            final int[] next = {0};
            try
            {
                pollUntil(b, (source, type, buffer, offset, length) ->
                {
                    assertEquals(A, source);
                    assertEquals(7, type);
                    assertEquals(64, length);
                    final int sequence = buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN);
                    assertEquals(next[0]++, sequence, "FIFO at B");
                    reply.putInt(0, sequence, ByteOrder.LITTLE_ENDIAN);
                    b.send(A, 8, reply, 0, 4);
                }, () -> next[0] == messages, Duration.ofSeconds(30));
            }
            catch (final Throwable t)
            {
                echoFailure.set(t);
            }
        }, "echo-B");
        echo.start();

        final UnsafeBuffer out = new UnsafeBuffer(new byte[64]);
        final int[] sent = {0};
        final int[] next = {0};
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (next[0] < messages && System.nanoTime() < deadline && null == echoFailure.get())
        {
            if (sent[0] < messages && sent[0] - next[0] < 16)
            {
                out.putInt(0, sent[0]++, ByteOrder.LITTLE_ENDIAN);
                a.send(B, 7, out, 0, 64);
            }
            a.poll((source, type, buffer, offset, length) ->
            {
                assertEquals(B, source);
                assertEquals(8, type);
                assertEquals(next[0]++, buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN), "FIFO at A");
            }, 64);
        }
        echo.join(10_000);
        if (null != echoFailure.get())
        {
            throw new AssertionError("echo thread failed", echoFailure.get());
        }
        assertEquals(messages, next[0], "every reply arrives, in order");
    }

    @Test
    void shouldKeepOrderPerSendingThread() throws Exception
    {
        final int threads = 3;
        final int perThread = 500;
        final List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final int thread = t;
            senders.add(new Thread(() ->
            {
                final UnsafeBuffer out = new UnsafeBuffer(new byte[8]);
                for (int i = 0; i < perThread; i++)
                {
                    out.putInt(0, thread, ByteOrder.LITTLE_ENDIAN);
                    out.putInt(4, i, ByteOrder.LITTLE_ENDIAN);
                    a.send(B, 1, out, 0, 8);
                }
            }));
        }
        senders.forEach(Thread::start);

        final int[] next = new int[threads];
        final int[] total = {0};
        pollUntil(b, (source, type, buffer, offset, length) ->
        {
            final int thread = buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN);
            assertEquals(next[thread]++, buffer.getInt(offset + 4, ByteOrder.LITTLE_ENDIAN), "FIFO per thread");
            total[0]++;
        }, () -> total[0] == threads * perThread, Duration.ofSeconds(30));
        for (final Thread sender : senders)
        {
            sender.join();
        }
    }

    @Test
    void shouldChunkLargeMessagesAndDeliverThemWhole()
    {
        final byte[] big = new byte[1024 * 1024 + 3];
        new Random(42).nextBytes(big);
        final long framesBefore = b.counters().framesReceived();

        final Thread sender = new Thread(() -> a.send(B, 3, big));
        sender.start();

        final AtomicReference<byte[]> received = new AtomicReference<>();
        pollUntil(b, (source, type, buffer, offset, length) ->
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            received.set(copy);
        }, () -> null != received.get(), Duration.ofSeconds(30));
        assertArrayEquals(big, received.get());
        assertTrue(b.counters().framesReceived() - framesBefore > 1, "a 1 MiB message travels as several frames");
    }

    @Test
    void shouldRefuseMessagesAboveTheLimitWithoutSendingAnything()
    {
        final long sentBefore = a.counters().framesSent();
        final MessageTooLargeException ex = assertThrows(MessageTooLargeException.class,
            () -> a.send(B, 1, new UnsafeBuffer(new byte[4 * 1024 * 1024 + 1]), 0, 4 * 1024 * 1024 + 1));
        assertEquals(4 * 1024 * 1024, ex.limit());
        assertEquals(sentBefore, a.counters().framesSent());
    }

    @Test
    void shouldSendToItself()
    {
        a.send(A, 5, new byte[]{1, 2, 3});
        final AtomicReference<byte[]> received = new AtomicReference<>();
        pollUntil(a, (source, type, buffer, offset, length) ->
        {
            assertEquals(A, source);
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            received.set(copy);
        }, () -> null != received.get(), Duration.ofSeconds(10));
        assertArrayEquals(new byte[]{1, 2, 3}, received.get());
    }

    @Test
    void shouldFailClearlyForAnUnknownEndpointAfterABoundedWait()
    {
        assertFalse(a.isReachable(99));
        final long start = System.nanoTime();
        final EndpointClosedException ex =
            assertThrows(EndpointClosedException.class, () -> a.send(99, 1, new byte[1]));
        final long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(99, ex.endpointId());
        assertTrue(ex.getMessage().contains("no endpoint with this id"), ex.getMessage());
        assertTrue(waitedMs >= 2_500 && waitedMs < 10_000, "waited about the send timeout (3 s): " + waitedMs);
    }

    @Test
    void shouldApplyBackPressureInsteadOfDropping()
    {
        // B does not poll: A may have up to 32 frames in flight, then waits for credit and gives up after 3 s.
        final UnsafeBuffer out = new UnsafeBuffer(new byte[100]);
        final long timeoutsBefore = a.counters().backPressureTimeouts();
        int sent = 0;
        try
        {
            while (sent < 1_000)
            {
                out.putInt(0, sent, ByteOrder.LITTLE_ENDIAN);
                a.send(B, 2, out, 0, 100);
                sent++;
            }
        }
        catch (final TransportBackPressureException expected)
        {
            assertEquals(B, expected.destinationId());
        }
        // At most one window (32 frames); fewer if earlier tests left frames consumed but not yet credited (credit
        // is only requested once half a window is in flight).
        final int window = sent;
        assertTrue(window >= 16 && window <= 32, "one send window went out: " + window);
        assertEquals(timeoutsBefore + 1, a.counters().backPressureTimeouts());

        // Nothing was dropped: B gets every one of them, in order, and A can send again.
        final int[] next = {0};
        pollUntil(b, (source, type, buffer, offset, length) ->
            assertEquals(next[0]++, buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN)), () -> next[0] == window,
            Duration.ofSeconds(10));
        a.send(B, 2, new byte[4]);
        pollUntil(b, (source, type, buffer, offset, length) -> next[0]++, () -> next[0] == window + 1,
            Duration.ofSeconds(10));
    }

    @Test
    void shouldReportReachability()
    {
        assertTrue(a.isReachable(B));
        assertTrue(b.isReachable(A));
        assertTrue(a.isReachable(A));
        assertFalse(a.isReachable(3));
        assertThrows(IllegalArgumentException.class, () -> a.isReachable(-1));
        assertTrue(a.address().startsWith("127.0.0.1:"), a.address());
        assertFalse(Arrays.asList(a.address(), b.address()).contains("127.0.0.1:0"));
    }
}
