package io.stmactors.transport;

import io.stmactors.transport.TransportTestSupport.Capture;
import io.stmactors.transport.TransportTestSupport.Received;
import io.stmactors.transport.internal.InboxFile;
import io.stmactors.transport.internal.InboxFileDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.stmactors.transport.TransportTestSupport.config;
import static io.stmactors.transport.TransportTestSupport.drain;
import static io.stmactors.transport.TransportTestSupport.pollUntil;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedMemoryTransportTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private final List<Transport> open = new ArrayList<>();

    @AfterEach
    void closeAll()
    {
        open.forEach(Transport::close);
    }

    private SharedMemoryTransport open(final TransportConfig config)
    {
        final SharedMemoryTransport transport = SharedMemoryTransport.open(config);
        open.add(transport);
        return transport;
    }

    private Path dir()
    {
        return tmp.resolve("cluster");
    }

    @Test
    void shouldDeliverMessagesBetweenEndpointsAndToSelf()
    {
        final SharedMemoryTransport a = open(config(dir(), 1).build());
        final SharedMemoryTransport b = open(config(dir(), 2).build());
        final Capture capture = new Capture();

        a.send(2, 7, "hello".getBytes());
        a.send(2, 0, new byte[0]);
        b.send(2, 9, "self".getBytes());
        pollUntil(b, capture, () -> capture.size() == 3, TIMEOUT);

        assertEquals(List.of(1, 1, 2), capture.messages.stream().map(Received::source).toList());
        assertEquals(List.of(7, 0, 9), capture.messages.stream().map(Received::type).toList());
        assertArrayEquals("hello".getBytes(), capture.messages.get(0).payload());
        assertEquals(0, capture.messages.get(1).payload().length);
        assertEquals(3, b.counters().messagesReceived());
        assertEquals(2, a.counters().messagesSent());
        assertEquals(5, a.counters().bytesSent());
        assertTrue(a.isReachable(2));
        assertFalse(a.isReachable(3));
    }

    @Test
    void shouldDeliverFromTwoProducerThreadsWithoutLossInOrderPerProducer() throws Exception
    {
        final SharedMemoryTransport producer = open(config(dir(), 1).build());
        final SharedMemoryTransport consumer = open(config(dir(), 2).ringCapacity(8 * 1024).build());
        final int perProducer = 30_000;
        final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < 2; p++)
        {
            final int producerIndex = p;
            final Thread thread = new Thread(() ->
            {
                try
                {
                    final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8 + producerIndex * 100]);
                    for (int seq = 0; seq < perProducer; seq++)
                    {
                        buffer.putInt(0, producerIndex);
                        buffer.putInt(4, seq);
                        producer.send(2, 1, buffer, 0, buffer.capacity());
                    }
                }
                catch (final Throwable t)
                {
                    failures.add(t);
                }
            }, "producer-" + p);
            threads.add(thread);
            thread.start();
        }

        final int[] next = new int[2];
        final int[] total = new int[1];
        final List<String> errors = new ArrayList<>();
        pollUntil(consumer, (source, type, buffer, offset, length) ->
        {
            final int producerIndex = buffer.getInt(offset);
            final int seq = buffer.getInt(offset + 4);
            if (seq != next[producerIndex] && errors.size() < 5)
            {
                errors.add("producer " + producerIndex + " expected " + next[producerIndex] + " got " + seq);
            }
            next[producerIndex] = seq + 1;
            total[0]++;
        }, () -> total[0] == 2 * perProducer || !failures.isEmpty(), TIMEOUT);
        for (final Thread thread : threads)
        {
            thread.join(TIMEOUT.toMillis());
        }

        assertEquals(List.of(), failures);
        assertEquals(List.of(), errors);
        assertEquals(perProducer, next[0]);
        assertEquals(perProducer, next[1]);
    }

    @Test
    void shouldFragmentAndReassembleLargeMessageInterleavedWithSmallOnes() throws Exception
    {
        final SharedMemoryTransport sender = open(config(dir(), 1).build());
        final SharedMemoryTransport receiver = open(config(dir(), 2).build());
        final byte[] large = new byte[5 * 1024 * 1024];
        new Random(7).nextBytes(large);
        final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());

        final Thread big = new Thread(() -> run(failures, () -> sender.send(2, 5, large)));
        final Thread small = new Thread(() -> run(failures, () ->
        {
            for (int i = 0; i < 2_000; i++)
            {
                sender.send(2, 6, new byte[]{(byte)i});
            }
        }));
        big.start();
        small.start();

        final Capture capture = new Capture();
        pollUntil(receiver, capture, () -> capture.size() == 2_001 || !failures.isEmpty(), TIMEOUT);
        big.join(TIMEOUT.toMillis());
        small.join(TIMEOUT.toMillis());

        assertEquals(List.of(), failures);
        final List<Received> larges = capture.messages.stream().filter(m -> m.type() == 5).toList();
        assertEquals(1, larges.size());
        assertArrayEquals(large, larges.get(0).payload());
        final List<Received> smalls = capture.messages.stream().filter(m -> m.type() == 6).toList();
        for (int i = 0; i < smalls.size(); i++)
        {
            assertEquals((byte)i, smalls.get(i).payload()[0], "small messages stay in order");
        }
        final int fragments = (large.length + 8 * 1024 - 41) / (8 * 1024 - 40);
        assertEquals(2_000 + fragments, sender.counters().framesSent());
        assertEquals(0, receiver.counters().framesRejected());
    }

    @Test
    void shouldRejectOversizeMessageAndSendNothing()
    {
        final SharedMemoryTransport a = open(config(dir(), 1).maxMessageSize(1024 * 1024).build());
        final SharedMemoryTransport b = open(config(dir(), 2).build());

        final MessageTooLargeException ex = assertThrows(MessageTooLargeException.class,
            () -> a.send(2, 1, new byte[1024 * 1024 + 1]));

        assertTrue(ex.getMessage().contains("1048577") && ex.getMessage().contains("1048576"), ex.getMessage());
        assertEquals(0, a.counters().framesSent());
        assertEquals(0, b.poll(new Capture(), 100));
        final Thread sender = new Thread(() -> a.send(2, 1, new byte[1024 * 1024]));
        sender.start();
        final Capture capture = new Capture();
        pollUntil(b, capture, () -> capture.size() == 1, TIMEOUT);
        assertEquals(1024 * 1024, capture.messages.get(0).payload().length);
    }

    @Test
    void shouldRejectAMessageLargerThanTheDestinationAcceptsAndSendNothing()
    {
        final SharedMemoryTransport a = open(config(dir(), 1).build());
        final SharedMemoryTransport b = open(config(dir(), 2).maxMessageSize(1024).build());

        final MessageTooLargeException ex = assertThrows(MessageTooLargeException.class,
            () -> a.send(2, 1, new byte[2048]));

        assertEquals(2048, ex.size());
        assertEquals(1024, ex.limit());
        assertTrue(ex.getMessage().contains("endpoint 2"), ex.getMessage());
        assertEquals(0, a.counters().framesSent());
        a.send(2, 1, new byte[1000]);
        final Capture capture = new Capture();
        pollUntil(b, capture, () -> capture.size() == 1, TIMEOUT);
        assertEquals(1000, capture.messages.get(0).payload().length);
        drain(b, capture);
        assertEquals(1, capture.size());
        assertEquals(0, b.counters().framesRejected());
    }

    @Test
    void shouldTimeOutOnFullRingThenDeliverEverythingSentOnceDrained()
    {
        final SharedMemoryTransport a = open(config(dir(), 1).sendTimeout(Duration.ofMillis(200)).build());
        final SharedMemoryTransport b = open(config(dir(), 2).ringCapacity(4096).build());

        int sent = 0;
        TransportBackPressureException full = null;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[100]);
        while (null == full && sent < 1_000)
        {
            try
            {
                payload.putInt(0, sent);
                a.send(2, 3, payload, 0, 100);
                sent++;
            }
            catch (final TransportBackPressureException ex)
            {
                full = ex;
            }
        }

        assertTrue(null != full, "a 4 KiB ring must fill up");
        assertEquals(2, full.destinationId());
        assertEquals(4096, full.ringCapacity());
        assertTrue(full.getMessage().contains("endpoint 2") && full.getMessage().contains("4096"), full.getMessage());
        assertEquals(1, a.counters().backPressureTimeouts());

        final Capture capture = new Capture();
        drain(b, capture);
        assertEquals(sent, capture.size(), "nothing lost, nothing half-sent");
        for (int i = 0; i < sent; i++)
        {
            assertEquals(i, new UnsafeBuffer(capture.messages.get(i).payload()).getInt(0));
        }
        a.send(2, 3, payload, 0, 100);
        final int expected = sent + 1;
        pollUntil(b, capture, () -> capture.size() == expected, TIMEOUT);
    }

    @Test
    void shouldDiscardHalfSentFragmentedMessage()
    {
        final SharedMemoryTransport a = open(config(dir(), 1).sendTimeout(Duration.ofMillis(200)).build());
        final SharedMemoryTransport b = open(config(dir(), 2).ringCapacity(4096).build());
        final byte[] large = new byte[64 * 1024];
        new Random(3).nextBytes(large);

        assertThrows(TransportBackPressureException.class, () -> a.send(2, 8, large));
        final Capture capture = new Capture();
        drain(b, capture);
        assertEquals(0, capture.size(), "a partial message is never delivered");

        final Thread sender = new Thread(() -> a.send(2, 9, large));
        sender.start();
        pollUntil(b, capture, () -> capture.size() == 1, TIMEOUT);

        assertEquals(9, capture.messages.get(0).type());
        assertArrayEquals(large, capture.messages.get(0).payload());
        assertEquals(1, b.counters().incompleteMessagesDiscarded());
    }

    /**
     * A thread whose large message waits behind another thread's large message to the same destination waits as
     * long as the first goes out, even past its own send timeout, and both arrive whole (the wait ends in
     * back-pressure only when the first stands still for a whole timeout: {@code FragmentLockTest}).
     */
    @Test
    void shouldLetALargeMessageWaitBehindAnotherThatIsGoingOut() throws Exception
    {
        final SharedMemoryTransport a = open(config(dir(), 1).sendTimeout(Duration.ofSeconds(2)).build());
        final SharedMemoryTransport b = open(config(dir(), 2).ringCapacity(4096).build());
        final byte[] first = new byte[16 * 1024];
        new Random(5).nextBytes(first);
        final byte[] second = new byte[16 * 1024];
        new Random(6).nextBytes(second);

        final java.util.concurrent.atomic.AtomicReference<Throwable> failure =
            new java.util.concurrent.atomic.AtomicReference<>();
        final Thread firstSender = new Thread(() -> sendOrRecord(a, 8, first, failure));
        final Thread secondSender = new Thread(() -> sendOrRecord(a, 9, second, failure));

        final Capture capture = new Capture();
        firstSender.start();
        pollUntil(b, capture, () -> b.counters().framesReceived() > 0, TIMEOUT); // the first holds the lock
        secondSender.start();
        final long slowUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int polls = 0;
        while ((firstSender.isAlive() || secondSender.isAlive()) && System.nanoTime() < slowUntil)
        {
            b.poll(capture, 1); // a slow consumer: one frame every 50 ms, well within the senders' timeout
            polls++;
            Thread.sleep(50);
        }
        firstSender.join(TimeUnit.SECONDS.toMillis(10));
        secondSender.join(TimeUnit.SECONDS.toMillis(10));
        drain(b, capture);

        assertEquals(null, failure.get(), "both large messages were sent");
        assertTrue(polls * 50L > 2_000, "the second waited longer than its send timeout (" + polls + " polls)");
        assertEquals(2, capture.size(), "both messages arrive, whole");
        assertEquals(8, capture.messages.get(0).type());
        assertArrayEquals(first, capture.messages.get(0).payload());
        assertEquals(9, capture.messages.get(1).type());
        assertArrayEquals(second, capture.messages.get(1).payload());
    }

    private static void sendOrRecord(
        final SharedMemoryTransport transport, final int type, final byte[] message,
        final java.util.concurrent.atomic.AtomicReference<Throwable> failure)
    {
        try
        {
            transport.send(2, type, message);
        }
        catch (final Throwable t)
        {
            failure.compareAndSet(null, t);
        }
    }

    @Test
    void shouldCountMalformedFramesAndKeepDelivering()
    {
        final SharedMemoryTransport a = open(config(dir(), 1).build());
        final List<RejectReason> reasons = new ArrayList<>();
        final SharedMemoryTransport b = open(config(dir(), 2).listener(new TransportListener()
        {
            public void onFrameRejected(final RejectReason reason, final int claimedSourceId, final String detail)
            {
                reasons.add(reason);
            }
        }).build());

        final InboxFile raw = InboxFile.open(dir(), 2);
        try
        {
            final ManyToOneRingBuffer ring = raw.ring();
            final UnsafeBuffer junk = new UnsafeBuffer(new byte[64]);
            assertTrue(ring.write(FrameDescriptor.RECORD_TYPE_ID, junk, 0, 10)); // shorter than a header
            assertTrue(ring.write(77, junk, 0, 64)); // not a frame record
            junk.putByte(FrameDescriptor.VERSION_OFFSET, FrameDescriptor.CURRENT_VERSION);
            junk.putByte(FrameDescriptor.FLAGS_OFFSET, FrameDescriptor.UNFRAGMENTED);
            junk.putInt(FrameDescriptor.SOURCE_ID_OFFSET, 1, FrameDescriptor.BYTE_ORDER);
            junk.putLong(FrameDescriptor.CLUSTER_SECRET_OFFSET, TransportTestSupport.SECRET, FrameDescriptor.BYTE_ORDER);
            junk.putInt(FrameDescriptor.FRAME_LENGTH_OFFSET, 1_000_000, FrameDescriptor.BYTE_ORDER); // lies
            junk.putInt(FrameDescriptor.MESSAGE_LENGTH_OFFSET, 1_000_000, FrameDescriptor.BYTE_ORDER);
            assertTrue(ring.write(FrameDescriptor.RECORD_TYPE_ID, junk, 0, 64));
        }
        finally
        {
            raw.unmap();
        }
        a.send(2, 4, "after".getBytes());

        final Capture capture = new Capture();
        pollUntil(b, capture, () -> capture.size() == 1, TIMEOUT);

        assertArrayEquals("after".getBytes(), capture.messages.get(0).payload());
        assertEquals(3, b.counters().framesRejected());
        assertEquals(List.of(RejectReason.MALFORMED, RejectReason.MALFORMED, RejectReason.MALFORMED), reasons);
    }

    @Test
    void shouldDropFramesWithoutTheClusterSecret()
    {
        final SharedMemoryTransport intruder = open(config(dir(), 1).clusterSecret(TransportTestSupport.SECRET + 1)
            .build());
        final SharedMemoryTransport friend = open(config(dir(), 3).build());
        final List<RejectReason> reasons = new ArrayList<>();
        final SharedMemoryTransport b = open(config(dir(), 2).listener(new TransportListener()
        {
            public void onFrameRejected(final RejectReason reason, final int claimedSourceId, final String detail)
            {
                reasons.add(reason);
            }
        }).build());

        final Thread sender = new Thread(() ->
        {
            intruder.send(2, 1, "evil".getBytes());
            intruder.send(2, 1, new byte[100_000]); // fragmented: every fragment dropped
            friend.send(2, 1, "good".getBytes());
        });
        sender.start();
        final Capture capture = new Capture();
        pollUntil(b, capture, () -> capture.size() == 1, TIMEOUT);
        drain(b, capture);

        assertEquals(1, capture.size());
        assertArrayEquals("good".getBytes(), capture.messages.get(0).payload());
        assertEquals(intruder.counters().framesSent(), b.counters().framesRejected());
        assertTrue(reasons.stream().allMatch(r -> r == RejectReason.WRONG_SECRET));
    }

    @Test
    void shouldKeepFilesPrivateAndRemoveThemOnClose() throws Exception
    {
        final SharedMemoryTransport a = SharedMemoryTransport.open(config(dir(), 1).build());
        final SharedMemoryTransport b = SharedMemoryTransport.open(config(dir(), 2).build());

        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(a.inboxPath())));
        try (var files = Files.list(dir()))
        {
            assertEquals(2, files.count(), "no temporary files left behind");
        }

        a.close();
        a.close();
        assertFalse(Files.exists(a.inboxPath()));
        assertTrue(Files.exists(dir()), "still used by endpoint 2");
        b.close();
        assertFalse(Files.exists(dir()));
    }

    @Test
    void shouldRefuseADirectoryOthersCanEnter() throws Exception
    {
        final Path shared = Files.createDirectory(tmp.resolve("shared"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));

        final TransportException ex = assertThrows(TransportException.class,
            () -> SharedMemoryTransport.open(config(shared, 1).build()));
        assertTrue(ex.getMessage().contains("chmod 700"), ex.getMessage());
    }

    @Test
    void shouldFailSendsToClosedOrMissingEndpointsAndReconnectToANewOne()
    {
        final SharedMemoryTransport a = open(config(dir(), 1).build());
        final SharedMemoryTransport b = SharedMemoryTransport.open(config(dir(), 2).build());
        a.send(2, 1, new byte[]{1});

        b.close();
        final EndpointClosedException closed = assertThrows(EndpointClosedException.class,
            () -> a.send(2, 1, new byte[]{2}));
        assertEquals(2, closed.endpointId());
        assertFalse(a.isReachable(2));
        assertThrows(EndpointClosedException.class, () -> a.send(9, 1, new byte[]{3}));

        final SharedMemoryTransport b2 = open(config(dir(), 2).build());
        a.send(2, 1, new byte[]{4});
        final Capture capture = new Capture();
        pollUntil(b2, capture, () -> capture.size() == 1, TIMEOUT);
        assertEquals(4, capture.messages.get(0).payload()[0]);

        a.close();
        assertThrows(EndpointClosedException.class, () -> a.send(2, 1, new byte[]{5}));
        assertThrows(EndpointClosedException.class, () -> a.poll(capture, 1));
    }

    @Test
    void shouldReleaseTheMappingsOfADestinationThatRestarted() throws Exception
    {
        final SharedMemoryTransport a = open(config(dir(), 1).build());
        final String inboxName = InboxFileDescriptor.fileName(2);
        for (int incarnation = 0; incarnation < 10; incarnation++)
        {
            final SharedMemoryTransport b = SharedMemoryTransport.open(config(dir(), 2).build());
            try
            {
                a.send(2, 1, new byte[]{(byte)incarnation}); // retires the previous incarnation's mapping
                final Capture capture = new Capture();
                pollUntil(b, capture, () -> capture.size() == 1, TIMEOUT);
            }
            finally
            {
                b.close();
            }
        }

        final long mapped = TransportTestSupport.mappingsOf(dir(), inboxName);
        assertEquals(1, mapped, "a keeps only the mapping it last used");
        a.close();
        assertEquals(0, TransportTestSupport.mappingsOf(dir(), inboxName));
    }

    @Test
    void shouldStartNoOwnerWatchThreadForDestinationsOfThisProcess()
    {
        final SharedMemoryTransport a = open(config(dir(), 7).build());
        final SharedMemoryTransport b = open(config(dir(), 8).build());

        a.send(8, 1, new byte[]{1}); // b's inbox belongs to this process: its death is its close, seen in the status
        a.send(7, 1, new byte[]{2});

        assertTrue(Thread.getAllStackTraces().keySet().stream()
            .noneMatch(thread -> thread.getName().equals("stm-actors-inbox-owner-watch-7")));
        final Capture capture = new Capture();
        pollUntil(b, capture, () -> capture.size() == 1, TIMEOUT);
    }

    @Test
    void shouldRefuseToBindAnIdThatIsInUse()
    {
        open(config(dir(), 1).build());
        final TransportException ex = assertThrows(TransportException.class,
            () -> SharedMemoryTransport.open(config(dir(), 1).build()));
        assertTrue(ex.getMessage().contains("already bound"), ex.getMessage());
    }

    @Test
    void shouldReplaceAnInboxLeftBehindByADeadProcess() throws Exception
    {
        final Process exited = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-version")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        exited.waitFor();
        final byte[] copy = closedInboxOfEndpoint4();
        assertEquals(ProcessHandle.current().pid(),
            new UnsafeBuffer(copy).getLong(InboxFileDescriptor.OWNER_PID_OFFSET));
        new UnsafeBuffer(copy).putLong(InboxFileDescriptor.OWNER_PID_OFFSET, exited.pid()); // owned by a dead pid
        putBackInboxOfEndpoint4(copy);
        assertEndpoint4IsGoneThenBoundAgain();
    }

    /**
     * A worker restarted in a fresh pid namespace can get the pid of its own dead predecessor: the inbox that one
     * left behind names this very process, but not its start time, so it is stale, not "already bound by" us.
     */
    @Test
    void shouldReplaceAnInboxLeftBehindByADeadProcessThatHadThisProcesssPid() throws Exception
    {
        final byte[] copy = closedInboxOfEndpoint4();
        final UnsafeBuffer header = new UnsafeBuffer(copy);
        assertEquals(ProcessHandle.current().pid(), header.getLong(InboxFileDescriptor.OWNER_PID_OFFSET));
        final long started = header.getLong(InboxFileDescriptor.OWNER_START_OFFSET);
        assertEquals(ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli(), started,
            "the owner's start time is recorded");
        header.putLong(InboxFileDescriptor.OWNER_START_OFFSET, started - 3_600_000L); // started an hour earlier
        putBackInboxOfEndpoint4(copy);
        assertEndpoint4IsGoneThenBoundAgain();
    }

    /** The pid of a dead owner, now another live process's: the inbox is stale all the same. */
    @Test
    void shouldSeeThroughAPidThatNowNamesAnotherLiveProcess() throws Exception
    {
        final Process other = new ProcessBuilder("sleep", "60").redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try
        {
            final byte[] copy = closedInboxOfEndpoint4();
            final UnsafeBuffer header = new UnsafeBuffer(copy);
            header.putLong(InboxFileDescriptor.OWNER_PID_OFFSET, other.pid());
            header.putLong(InboxFileDescriptor.OWNER_START_OFFSET,
                other.info().startInstant().orElseThrow().toEpochMilli() - 3_600_000L);
            putBackInboxOfEndpoint4(copy);
            final EndpointClosedException dead = assertThrows(EndpointClosedException.class, () -> InboxFile.open(dir(), 4));
            assertTrue(dead.getMessage().contains("is gone"), dead.getMessage());
            assertTrue(other.isAlive(), "the process that has the pid now was alive all along");
        }
        finally
        {
            other.destroyForcibly();
            other.waitFor();
        }
    }

    /** The bytes of endpoint 4's inbox, as this process made it; the endpoint is closed (its directory removed). */
    private byte[] closedInboxOfEndpoint4() throws Exception
    {
        final SharedMemoryTransport stale = SharedMemoryTransport.open(config(dir(), 4).build());
        final byte[] copy = Files.readAllBytes(stale.inboxPath());
        stale.close();
        return copy;
    }

    /** Puts an inbox back where endpoint 4's was, as a killed process would have left it (it never removes it). */
    private void putBackInboxOfEndpoint4(final byte[] copy) throws Exception
    {
        Files.createDirectory(dir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.write(dir().resolve(InboxFileDescriptor.fileName(4)), copy);
    }

    /** A send to endpoint 4 finds its owner gone; endpoint 4 can be bound again and then receives. */
    private void assertEndpoint4IsGoneThenBoundAgain()
    {
        final SharedMemoryTransport a = open(config(dir(), 1).build());
        final EndpointClosedException dead = assertThrows(EndpointClosedException.class, () -> a.send(4, 1, new byte[1]));
        assertTrue(dead.getMessage().contains("is gone"), dead.getMessage());

        final SharedMemoryTransport fresh = open(config(dir(), 4).build());
        a.send(4, 1, new byte[]{42});
        final Capture capture = new Capture();
        pollUntil(fresh, capture, () -> capture.size() == 1, TIMEOUT);
    }

    @Test
    void shouldUnblockInboxAfterAProducerDiesMidRecord()
    {
        final SharedMemoryTransport a = open(config(dir(), 1).build());
        final SharedMemoryTransport b = open(config(dir(), 2).unblockTimeout(Duration.ofMillis(100)).build());

        final InboxFile raw = InboxFile.open(dir(), 2);
        try
        {
            assertTrue(raw.ring().tryClaim(FrameDescriptor.RECORD_TYPE_ID, 64) > 0); // never committed
        }
        finally
        {
            raw.unmap();
        }
        a.send(2, 1, "behind".getBytes());

        final Capture capture = new Capture();
        pollUntil(b, capture, () -> capture.size() == 1, TIMEOUT);

        assertArrayEquals("behind".getBytes(), capture.messages.get(0).payload());
        assertEquals(1, b.counters().ringUnblocks());
    }

    @Test
    void shouldRejectPollFromInsideAFrameHandler()
    {
        final SharedMemoryTransport a = open(config(dir(), 1).build());
        final List<Throwable> inner = new ArrayList<>();
        a.send(1, 1, new byte[]{1});
        pollUntil(a, (source, type, buffer, offset, length) ->
        {
            inner.add(assertThrows(IllegalStateException.class, () -> a.poll((s, t, b, o, l) -> { }, 1)));
        }, () -> inner.size() == 1, TIMEOUT);
        assertTrue(inner.get(0).getMessage().contains("FrameHandler"));
    }

    private static void run(final List<Throwable> failures, final Runnable body)
    {
        try
        {
            body.run();
        }
        catch (final Throwable t)
        {
            failures.add(t);
        }
    }

}
