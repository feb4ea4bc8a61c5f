package io.stmactors.transport;

import io.stmactors.transport.internal.InboxFileDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;

import static io.stmactors.transport.TransportTestSupport.config;
import static io.stmactors.transport.TransportTestSupport.pollUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Four producer threads on two endpoints send messages of random sizes (most small, some fragmented) to one
 * consumer through a small ring; every message must arrive once, intact, in order per producer thread.
 * Run alone with {@code mvn -pl transports -am verify -Dtest=SharedMemoryTransportStressTest}.
 */
@Tag("stress")
class SharedMemoryTransportStressTest
{
    private static final int PRODUCERS = 4;
    private static final int MESSAGES_PER_PRODUCER = 3_000;

    @TempDir
    Path tmp;

    private final List<Transport> open = new ArrayList<>();

    @AfterEach
    void closeAll()
    {
        open.forEach(Transport::close);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldDeliverRandomSizedMessagesFromManyProducersIntact() throws Exception
    {
        final Path dir = tmp.resolve("cluster");
        final SharedMemoryTransport consumer = SharedMemoryTransport.open(config(dir, 0).ringCapacity(16 * 1024).build());
        open.add(consumer);
        final List<SharedMemoryTransport> senders = List.of(
            SharedMemoryTransport.open(config(dir, 1).build()), SharedMemoryTransport.open(config(dir, 2).build()));
        open.addAll(senders);

        final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++)
        {
            final int producer = p;
            final SharedMemoryTransport sender = senders.get(p % 2);
            final Thread thread = new Thread(() ->
            {
                try
                {
                    final Random random = new Random(1000 + producer);
                    final UnsafeBuffer buffer = new UnsafeBuffer(new byte[300_000]);
                    for (int seq = 0; seq < MESSAGES_PER_PRODUCER; seq++)
                    {
                        final int length = 16 + (random.nextInt(50) == 0 ? random.nextInt(250_000) : random.nextInt(200));
                        for (int i = 16; i < length; i++)
                        {
                            buffer.putByte(i, (byte)random.nextInt());
                        }
                        final CRC32 crc = new CRC32();
                        crc.update(buffer.byteArray(), 16, length - 16);
                        buffer.putInt(0, producer);
                        buffer.putInt(4, seq);
                        buffer.putLong(8, crc.getValue());
                        sender.send(0, producer, buffer, 0, length);
                    }
                }
                catch (final Throwable t)
                {
                    failures.add(t);
                }
            });
            threads.add(thread);
            thread.start();
        }

        final int[] next = new int[PRODUCERS];
        final int[] received = {0};
        final List<String> errors = new ArrayList<>();
        final byte[] scratch = new byte[300_000];
        pollUntil(consumer, (source, type, buffer, offset, length) ->
        {
            final int producer = buffer.getInt(offset);
            final int seq = buffer.getInt(offset + 4);
            buffer.getBytes(offset + 16, scratch, 0, length - 16);
            final CRC32 crc = new CRC32();
            crc.update(scratch, 0, length - 16);
            if ((producer != type || seq != next[producer] || crc.getValue() != buffer.getLong(offset + 8)) &&
                errors.size() < 10)
            {
                errors.add("producer " + producer + " seq " + seq + " expected " + next[producer]);
            }
            next[producer] = seq + 1;
            received[0]++;
        }, () -> received[0] == PRODUCERS * MESSAGES_PER_PRODUCER || !failures.isEmpty(), Duration.ofSeconds(100));
        for (final Thread thread : threads)
        {
            thread.join(10_000);
        }

        assertEquals(List.of(), failures);
        assertEquals(List.of(), errors);
        assertEquals(0, consumer.counters().framesRejected());
        assertEquals(0, consumer.counters().incompleteMessagesDiscarded());
    }

    /**
     * Three threads send to endpoint 2 while it closes and binds again 50 times. Each restart retires the senders'
     * mapping of the old inbox, which is unmapped once no call is running; unmapping one that a send still writes
     * into would crash the JVM. Run alone with
     * {@code mvn -pl transports -am verify -Dtest=SharedMemoryTransportStressTest}.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldReleaseRetiredMappingsWhileOtherThreadsSendToARestartingDestination() throws Exception
    {
        final Path dir = tmp.resolve("cluster");
        final SharedMemoryTransport sender = SharedMemoryTransport.open(config(dir, 1).build());
        open.add(sender);
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++)
        {
            final Thread thread = new Thread(() ->
            {
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[20_000]); // fragmented: a record holds 8 KiB
                while (!stop.get())
                {
                    try
                    {
                        sender.send(2, 1, payload, 0, ThreadLocalRandom.current().nextInt(1, 20_000));
                    }
                    catch (final EndpointClosedException expected)
                    {
                        Thread.onSpinWait(); // between two incarnations
                    }
                    catch (final Throwable t2)
                    {
                        failures.add(t2);
                        return;
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }

        try
        {
            for (int incarnation = 0; incarnation < 50 && failures.isEmpty(); incarnation++)
            {
                try (SharedMemoryTransport receiver = SharedMemoryTransport.open(config(dir, 2).build()))
                {
                    final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
                    while (System.nanoTime() - until < 0)
                    {
                        receiver.poll((source, type, buffer, offset, length) -> { }, 64);
                    }
                }
            }
        }
        finally
        {
            stop.set(true);
            for (final Thread thread : threads)
            {
                thread.join(10_000);
            }
        }

        assertEquals(List.of(), failures);
        try (SharedMemoryTransport receiver = SharedMemoryTransport.open(config(dir, 2).build()))
        {
            sender.send(2, 1, new byte[1]); // a call that ends with no other running releases what is left
            assertTrue(TransportTestSupport.mappingsOf(dir, InboxFileDescriptor.fileName(2)) <= 2,
                "the sender's current mapping and the receiver's own");
        }
    }
}
