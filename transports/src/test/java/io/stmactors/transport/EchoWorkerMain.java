package io.stmactors.transport;

import org.agrona.ExpandableArrayBuffer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Worker process for {@link CrossProcessTransportTest}: binds an endpoint, announces its codec fingerprint, then
 * decodes every {@link Ping} it receives and answers with a {@link Pong}, until told to stop.
 * <p>
 * It exits by itself if its parent goes away (standard input closes) or after a hard deadline, so a failed test can
 * never leave it running. Arguments: directory, own id, parent id, secret (hex), deadline in seconds.
 */
public final class EchoWorkerMain
{
    static final int HELLO = 0;
    static final int PING = 1;
    static final int STOP = 2;

    record Ping(int seq, String text, byte[] blob)
    {
    }

    record Pong(int seq, String text, int blobLength, int blobChecksum)
    {
    }

    static final List<Class<?>> USER_TYPES = List.of(Ping.class, Pong.class);

    private EchoWorkerMain()
    {
    }

    static int checksum(final byte[] bytes)
    {
        int sum = 1;
        for (final byte b : bytes)
        {
            sum = 31 * sum + b;
        }
        return sum;
    }

    public static void main(final String[] args) throws Exception
    {
        final Path directory = Path.of(args[0]);
        final int selfId = Integer.parseInt(args[1]);
        final int parentId = Integer.parseInt(args[2]);
        final long secret = Long.parseUnsignedLong(args[3], 16);
        final long deadline = System.nanoTime() + Duration.ofSeconds(Long.parseLong(args[4])).toNanos();

        final Thread parentWatch = new Thread(() ->
        {
            try
            {
                while (System.in.read() >= 0)
                {
                    // parent alive
                }
            }
            catch (final Exception ignore)
            {
                // treat as closed
            }
            System.exit(3);
        }, "parent-watch");
        parentWatch.setDaemon(true);
        parentWatch.start();

        final KryoCodec codec = KryoCodec.builder().userTypes(USER_TYPES).build();
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(256);
        final boolean[] stop = {false};
        try (SharedMemoryTransport transport = SharedMemoryTransport.open(TransportConfig.builder()
            .directory(directory).endpointId(selfId).clusterSecret(secret).ringCapacity(64 * 1024).build()))
        {
            out.putLong(0, codec.fingerprint());
            transport.send(parentId, HELLO, out, 0, 8);

            while (!stop[0])
            {
                final int frames = transport.poll((source, type, buffer, offset, length) ->
                {
                    if (STOP == type)
                    {
                        stop[0] = true;
                        return;
                    }
                    final Ping ping = (Ping)codec.decode(buffer, offset, length);
                    final Pong pong = new Pong(ping.seq(), ping.text(), ping.blob().length, checksum(ping.blob()));
                    final int encoded = codec.encode(pong, out, 0);
                    transport.send(source, PING, out, 0, encoded);
                }, 64);
                if (0 == frames)
                {
                    Thread.onSpinWait();
                    if (System.nanoTime() - deadline > 0)
                    {
                        System.err.println("echo worker: deadline reached");
                        System.exit(4);
                    }
                }
            }
        }
        System.exit(0);
    }
}
