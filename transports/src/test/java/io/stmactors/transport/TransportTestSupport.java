package io.stmactors.transport;

import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Helpers shared by transport tests: configs, bounded polling, received-message capture, cleanup.
 */
final class TransportTestSupport
{
    static final long SECRET = 0x5EC2E7_0000_0042L;

    private TransportTestSupport()
    {
    }

    static TransportConfig.Builder config(final Path directory, final int endpointId)
    {
        return TransportConfig.builder()
            .directory(directory)
            .endpointId(endpointId)
            .clusterSecret(SECRET)
            .ringCapacity(64 * 1024)
            .sendTimeout(Duration.ofSeconds(5));
    }

    /** Poll until the condition holds; fail after the timeout. */
    static void pollUntil(
        final Transport transport, final FrameHandler handler, final BooleanSupplier done, final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean())
        {
            if (0 == transport.poll(handler, 64))
            {
                Thread.onSpinWait();
            }
            if (System.nanoTime() - deadline > 0)
            {
                fail("condition not met within " + timeout + "; counters: " + transport.counters());
            }
        }
    }

    /** Poll until the inbox yields nothing for a while. */
    static void drain(final Transport transport, final FrameHandler handler)
    {
        long idleSince = System.nanoTime();
        while (System.nanoTime() - idleSince < 50_000_000L)
        {
            if (transport.poll(handler, 256) > 0)
            {
                idleSince = System.nanoTime();
            }
        }
    }

    static void deleteRecursively(final Path root)
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** How many regions of this process map a file of that name (Linux: counts lines of /proc/self/maps). */
    static long mappingsOf(final Path directory, final String fileName) throws IOException
    {
        // the directory of this test only: other tests' inboxes of the same name may still be mapped
        final Path real = Files.exists(directory) ? directory.toRealPath() : directory.toAbsolutePath().normalize();
        final String path = real.resolve(fileName).toString();
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps")))
        {
            return lines.filter(line -> line.endsWith(path) || line.endsWith(path + " (deleted)")).count();
        }
    }

    /** A received message, copied out of the transport's buffer. */
    record Received(int source, int type, byte[] payload)
    {
    }

    /** Copies every message it is handed. */
    static final class Capture implements FrameHandler
    {
        final List<Received> messages = new ArrayList<>();

        public void onFrame(final int sourceId, final int messageType, final DirectBuffer buffer, final int offset,
            final int length)
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            messages.add(new Received(sourceId, messageType, copy));
        }

        int size()
        {
            return messages.size();
        }
    }
}
