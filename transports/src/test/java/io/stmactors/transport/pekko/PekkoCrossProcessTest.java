package io.stmactors.transport.pekko;

import io.stmactors.transport.EndpointClosedException;
import io.stmactors.transport.pekko.EndpointMembershipListener.RemovalReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.stmactors.transport.pekko.PekkoTestSupport.SECRET;
import static io.stmactors.transport.pekko.PekkoTestSupport.addOpensFlags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A second JVM ({@link PekkoEchoWorkerMain}, same classpath and {@code --add-opens} flags) joins this one's cluster,
 * echoes 1,000 messages (every 50th one chunked), and is then killed with {@code destroyForcibly()}. The survivor
 * must learn within a bounded time that the member was downed and removed, and sends to it must fail clearly.
 * <p>
 * Failure detection is tuned short for the test (heartbeat 200 ms, acceptable pause 3 s, so that a busy machine does
 * not produce false suspicions; downing after 2 s of stability), so detection takes roughly 3 + 2 + 1 s. The child is always killed and the endpoint always closed.
 */
class PekkoCrossProcessTest
{
    private static final int PARENT_ID = 1;
    private static final int CHILD_ID = 2;
    private static final int MESSAGES = 1_000;
    private static final int WINDOW = 16;
    private static final Duration REMOVAL_BOUND = Duration.ofSeconds(30);

    static PekkoTransportConfig.Builder clusterConfig(final int endpointId, final String... seeds)
    {
        return PekkoTestSupport.config(endpointId, seeds)
            .failureDetector(Duration.ofMillis(200), Duration.ofSeconds(3))
            .downingStableAfter(Duration.ofSeconds(2))
            .joinTimeout(Duration.ofSeconds(60));
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void survivorLearnsThatAKilledMemberLeftAndSendsToItFail() throws Exception
    {
        final CountDownLatch up = new CountDownLatch(1);
        final CountDownLatch unreachable = new CountDownLatch(1);
        final CountDownLatch removed = new CountDownLatch(1);
        final AtomicReference<RemovalReason> removalReason = new AtomicReference<>();

        Process child = null;
        PekkoTransport parent = null;
        try
        {
            parent = PekkoTransport.open(clusterConfig(PARENT_ID).build());
            parent.addMembershipListener(new EndpointMembershipListener()
            {
                public void onEndpointUp(final int endpointId, final String address)
                {
                    if (CHILD_ID == endpointId)
                    {
                        up.countDown();
                    }
                }

                public void onEndpointUnreachable(final int endpointId, final String address)
                {
                    if (CHILD_ID == endpointId)
                    {
                        unreachable.countDown();
                    }
                }

                public void onEndpointRemoved(final int endpointId, final String address, final RemovalReason reason)
                {
                    if (CHILD_ID == endpointId)
                    {
                        removalReason.set(reason);
                        removed.countDown();
                    }
                }
            });

            child = startChild(parent.address());
            awaitReady(child);
            assertTrue(up.await(30, TimeUnit.SECONDS), "the parent hears that the child is up");
            assertTrue(parent.awaitReachable(CHILD_ID, Duration.ofSeconds(30)), "the child's inbox is listed");

            exchange(parent);

            final long killedAt = System.nanoTime();
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the child died");

            assertTrue(removed.await(REMOVAL_BOUND.toSeconds(), TimeUnit.SECONDS),
                "the survivor learns within " + REMOVAL_BOUND + " that the killed member left");
            final long detectedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            assertEquals(0, unreachable.getCount(), "it was reported unreachable first");
            assertEquals(RemovalReason.DOWNED, removalReason.get());
            System.out.println("PekkoCrossProcessTest: killed member reported removed after " + detectedMs + " ms");

            assertFalse(parent.isReachable(CHILD_ID));
            final PekkoTransport survivor = parent;
            final long sendAt = System.nanoTime();
            final EndpointClosedException ex = assertThrows(EndpointClosedException.class,
                () -> survivor.send(CHILD_ID, 1, new byte[8]));
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sendAt) < 1_000, "fails at once");
            assertEquals(CHILD_ID, ex.endpointId());
            assertTrue(ex.getMessage().contains("downed"), ex.getMessage());
        }
        finally
        {
            if (null != child && child.isAlive())
            {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
            if (null != parent)
            {
                parent.close();
            }
        }
    }

    private static void exchange(final PekkoTransport parent)
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[100 * 1024]);
        final int[] received = {0};
        int sent = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (received[0] < MESSAGES)
        {
            if (sent < MESSAGES && sent - received[0] < WINDOW)
            {
                final int length = 0 == sent % 50 ? 100 * 1024 : 64 + sent % 200; // 100 KiB: two chunks
                out.putInt(0, sent, ByteOrder.LITTLE_ENDIAN);
                out.putInt(length - 4, ~sent, ByteOrder.LITTLE_ENDIAN);
                parent.send(CHILD_ID, 3, out, 0, length);
                sent++;
            }
            parent.poll((source, type, buffer, offset, length) ->
            {
                assertEquals(CHILD_ID, source);
                assertEquals(3, type);
                final int sequence = buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN);
                assertEquals(received[0], sequence, "echoes come back in order");
                assertEquals(0 == sequence % 50 ? 100 * 1024 : 64 + sequence % 200, length);
                assertEquals(~sequence, buffer.getInt(offset + length - 4, ByteOrder.LITTLE_ENDIAN));
                received[0]++;
            }, 64);
            if (System.nanoTime() > deadline)
            {
                fail("only " + received[0] + " of " + MESSAGES + " echoes within 60 s; " + parent.counters());
            }
        }
        assertEquals(MESSAGES, parent.counters().messagesReceived());
    }

    private static Process startChild(final String seed) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(addOpensFlags());
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(PekkoEchoWorkerMain.class.getName());
        command.add(Integer.toString(CHILD_ID));
        command.add(seed);
        command.add(Long.toString(SECRET));
        final File log = new File("target", "pekko-echo-worker.log");
        return new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.to(log))
            .start();
    }

    private static void awaitReady(final Process child) throws Exception
    {
        final BufferedReader stdout =
            new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        final CompletableFuture<String> ready = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                String line;
                while (null != (line = stdout.readLine()))
                {
                    if (line.startsWith("READY "))
                    {
                        return line;
                    }
                }
                return null;
            }
            catch (final java.io.IOException ex)
            {
                return null;
            }
        });
        final String line = ready.get(90, TimeUnit.SECONDS);
        if (null == line)
        {
            fail("the child exited before it was ready (see transports/target/pekko-echo-worker.log)");
        }
    }
}
