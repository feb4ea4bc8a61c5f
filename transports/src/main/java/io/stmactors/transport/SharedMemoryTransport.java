package io.stmactors.transport;

import io.stmactors.transport.internal.FragmentLock;
import io.stmactors.transport.internal.InboxFile;
import io.stmactors.transport.internal.InboxOwnerWatch;
import io.stmactors.transport.internal.PrivateDirectory;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static io.stmactors.transport.FrameDescriptor.*;

/**
 * A {@link Transport} between processes of one machine over memory-mapped files.
 *
 * <h2>Design</h2>
 * Each endpoint owns one inbox: an Agrona {@link ManyToOneRingBuffer} in a memory-mapped file
 * {@code endpoint-<id>.inbox} of a private directory (layout in
 * {@link io.stmactors.transport.internal.InboxFileDescriptor}). A sender maps the destination's file on first use
 * and writes frames ({@link FrameDescriptor}) into it with {@code tryClaim}/{@code commit}, so the payload is copied
 * once, straight into the destination's memory. The owner polls its inbox. Payloads larger than one ring record
 * (1/8 of the ring) are fragmented; a full ring makes the sender wait with the configured idle strategy, up to the
 * send timeout per frame.
 *
 * <h2>Concurrency</h2>
 * What is shared, and what orders it:
 * <ul>
 *     <li>Ring records: Agrona's protocol. A producer claims space with a CAS on the tail, writes the frame, and
 *     commits with a release store of the record length; the consumer reads the length with an acquire load before
 *     the frame, and frees space with a release store of the head. Producers may be other threads or other
 *     processes.</li>
 *     <li>The inbox status word: written once, active to closed, by the owner (volatile store) before it deletes the
 *     file; read by senders (volatile load) before each send. A send that read "active" just before the owner
 *     closed still writes into a valid mapping: files are deleted, never truncated, so nothing faults.</li>
 *     <li>The owner's liveness: a SIGKILLed owner never writes "closed". An {@link InboxOwnerWatch} thread checks
 *     the owner process of each cached destination every {@link InboxOwnerWatch#CHECK_INTERVAL_NS} (10 ms; a child
 *     process as soon as it exits) and sets the inbox's volatile {@code ownerGone}, which each send reads with the
 *     status word in {@link InboxFile#canReceive()}: no clock and no process check on the send path. The thread
 *     touches no mapped memory, so unmapping needs no coordination with it. A destination found dead or closed is
 *     dropped from the table, so later sends fail at once in {@code InboxFile.open}; {@code isReachable} checks
 *     the process every time.</li>
 *     <li>Fragments: one {@link FragmentLock} per destination serialises fragmented sends from this endpoint to
 *     that destination, so the receiver sees at most one message in reassembly per source.</li>
 *     <li>Lifetime: {@code send}, {@code poll} and {@code isReachable} increment {@code activeCalls} and then read
 *     {@code closed}; {@code close} sets {@code closed} and then waits for {@code activeCalls} to reach zero before
 *     unmapping. Both are sequentially consistent atomics, so either the call sees {@code closed} or {@code close}
 *     sees the call (Dekker), and no thread touches a mapping after it is unmapped.</li>
 *     <li>The destination table is a copy-on-write array published through a volatile field; it is replaced under
 *     {@code lock}. A destination whose owner closed or died leaves the table and waits in {@code retired} until
 *     {@code activeCalls} is next seen at zero, when no call can still hold it, and is then unmapped.</li>
 * </ul>
 * Files are removed by {@link #close()} or, if the JVM exits first, by a shutdown hook, whichever comes first. A
 * process killed with SIGKILL leaves its file behind; senders detect the dead owner, and the next endpoint to bind
 * that id replaces the file.
 *
 * <b>WARNING</b>: a {@link FrameHandler} that sends to its own endpoint while the inbox is full waits for room that
 * only its own poll could make, and fails with {@link TransportBackPressureException} after the send timeout.
 * <p>
 * The receive side (validation, reassembly, heartbeat, unblocking) is in the package-private {@code InboxReader}.
 *
 * <h2>Recovery</h2>
 * A producer that dies between claiming and committing a record would block the inbox forever; when the inbox makes
 * no progress for {@link TransportConfig#unblockTimeout()} with an uncommitted record at its head, the consumer
 * skips that record (Agrona's {@code unblock}).
 */
public final class SharedMemoryTransport implements Transport
{
    private static final Logger LOG = LoggerFactory.getLogger(SharedMemoryTransport.class);
    private static final long CLOSE_WAIT_NS = TimeUnit.SECONDS.toNanos(2);

    private final TransportConfig config;
    private final int localId;
    private final long clusterSecret;
    private final int maxMessageSize;
    private final long sendTimeoutNs;
    private final InboxFile inbox;
    private final TransportCounters counters = new TransportCounters();
    private final AtomicLong nextMessageId = new AtomicLong();
    private final AtomicInteger activeCalls = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<Thread> pollingThread = new AtomicReference<>();
    private final Object lock = new Object();
    private final Thread shutdownHook;
    private final InboxOwnerWatch ownerWatch;

    private volatile Destination[] destinations = new Destination[0];
    private final List<InboxFile> retired = new ArrayList<>(); // guarded by lock
    private volatile boolean hasRetired; // written under lock: whether retired is not empty
    private boolean filesDeleted; // guarded by lock

    private final InboxReader reader; // polling thread only

    private SharedMemoryTransport(final TransportConfig config, final InboxFile inbox)
    {
        this.config = config;
        this.localId = config.endpointId();
        this.clusterSecret = config.clusterSecret();
        this.maxMessageSize = config.maxMessageSize();
        this.sendTimeoutNs = config.sendTimeout().toNanos();
        this.inbox = inbox;
        this.reader = new InboxReader(config, inbox.ring(), counters);
        this.ownerWatch = new InboxOwnerWatch(localId);
        this.shutdownHook = new Thread(this::deleteFiles, "stm-actors-transport-cleanup-" + localId);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Bind endpoint {@link TransportConfig#endpointId()}: create the private directory if needed and the inbox file.
     *
     * @param config settings of this endpoint.
     * @return the open transport.
     * @throws TransportException if the directory is not private, the id is bound by a live process, or the file
     *                            cannot be created.
     */
    public static SharedMemoryTransport open(final TransportConfig config)
    {
        final InboxFile inbox = InboxFile.create(
            config.directory(), config.endpointId(), config.ringCapacity(), config.maxMessageSize());
        LOG.debug("Endpoint {} bound {} ({} byte ring)", config.endpointId(), inbox.path(), config.ringCapacity());
        return new SharedMemoryTransport(config, inbox);
    }

    /** {@inheritDoc} */
    public int localId()
    {
        return localId;
    }

    /**
     * @return the path of this endpoint's inbox file.
     */
    public Path inboxPath()
    {
        return inbox.path();
    }

    /** {@inheritDoc} */
    public int maxMessageSize()
    {
        return maxMessageSize;
    }

    /** {@inheritDoc} */
    public TransportCounters counters()
    {
        return counters;
    }

    /**
     * {@inheritDoc}
     * <p>
     * The destination's own {@link TransportConfig#maxMessageSize()}, recorded in its inbox file, also applies: a
     * larger message gives {@link MessageTooLargeException} naming the destination, since the destination would
     * reject it as malformed.
     */
    public void send(
        final int destinationId, final int messageType, final DirectBuffer payload, final int offset, final int length)
    {
        TransportConfig.checkEndpointId(destinationId);
        Objects.requireNonNull(payload, "payload");
        if (messageType < 0)
        {
            throw new IllegalArgumentException("messageType must be >= 0: " + messageType);
        }
        if (offset < 0 || length < 0 || (long)offset + length > payload.capacity())
        {
            throw new IndexOutOfBoundsException("payload range [" + offset + ", +" + length +
                ") is outside a buffer of capacity " + payload.capacity());
        }
        if (length > maxMessageSize)
        {
            throw new MessageTooLargeException(length, maxMessageSize);
        }

        activeCalls.incrementAndGet();
        try
        {
            final Destination destination = destination(destinationId);
            if (length > destination.maxMessageSize)
            {
                throw new MessageTooLargeException(length, destination.maxMessageSize, destinationId);
            }
            if (length <= destination.maxFramePayload)
            {
                writeFrame(destination, UNFRAGMENTED, messageType, 0, length, 0, payload, offset, length);
            }
            else
            {
                sendFragmented(destination, messageType, payload, offset, length);
            }
            counters.messagesSent.increment();
        }
        finally
        {
            endCall();
        }
    }

    /** {@inheritDoc} */
    public int poll(final FrameHandler handler, final int limit)
    {
        Objects.requireNonNull(handler, "handler");
        if (limit <= 0)
        {
            throw new IllegalArgumentException("limit must be > 0: " + limit);
        }
        final Thread current = Thread.currentThread();
        if (!pollingThread.compareAndSet(null, current))
        {
            final Thread other = pollingThread.get();
            throw new IllegalStateException(other == current ? "poll must not be called from a FrameHandler" :
                "poll is single-consumer but thread " + other + " is polling endpoint " + localId);
        }

        activeCalls.incrementAndGet();
        try
        {
            if (closed.get())
            {
                throw closedException();
            }
            return reader.read(handler, limit);
        }
        finally
        {
            endCall();
            pollingThread.set(null);
        }
    }

    /** {@inheritDoc} */
    public boolean isReachable(final int destinationId)
    {
        TransportConfig.checkEndpointId(destinationId);
        activeCalls.incrementAndGet();
        try
        {
            return null == destination(destinationId).inbox.closedReason();
        }
        catch (final EndpointClosedException ex)
        {
            return false;
        }
        finally
        {
            endCall();
        }
    }

    /** {@inheritDoc} */
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }

        deleteFiles();
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException shutdownInProgress)
        {
            // the hook is running or has run; it found the files already deleted
        }
        ownerWatch.close();

        if (pollingThread.get() == Thread.currentThread())
        {
            return; // closed from a FrameHandler: the mappings are released by the GC once unreachable
        }
        final long deadline = System.nanoTime() + CLOSE_WAIT_NS;
        while (0 != activeCalls.get() && System.nanoTime() - deadline < 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        if (0 == activeCalls.get())
        {
            unmapAll();
        }
        else
        {
            LOG.debug("Endpoint {} closed while calls were still running; mappings are left to the GC", localId);
        }
    }

    /** {@inheritDoc} */
    public String toString()
    {
        return "SharedMemoryTransport{endpoint=" + localId + ", inbox=" + inbox.path() + ", closed=" + closed.get() +
            '}';
    }

    private Destination destination(final int destinationId)
    {
        if (closed.get())
        {
            throw closedException();
        }
        final Destination[] table = destinations;
        if (destinationId < table.length)
        {
            final Destination destination = table[destinationId];
            if (null != destination && destination.inbox.canReceive())
            {
                return destination;
            }
        }

        return connect(destinationId);
    }

    private Destination connect(final int destinationId)
    {
        synchronized (lock)
        {
            if (closed.get())
            {
                throw closedException();
            }
            Destination[] table = destinations;
            final Destination existing = destinationId < table.length ? table[destinationId] : null;
            if (null != existing)
            {
                if (existing.inbox.canReceive())
                {
                    return existing;
                }
                table = table.clone();
                table[destinationId] = null;
                destinations = table;
                retired.add(existing.inbox); // other calls may still be writing into it: see releaseRetired
                hasRetired = true;
                ownerWatch.unwatch(existing.inbox);
            }

            final InboxFile file = destinationId == localId ? inbox : InboxFile.open(config.directory(), destinationId);
            final Destination destination = new Destination(destinationId, file);
            final Destination[] grown = Arrays.copyOf(table, Math.max(table.length, destinationId + 1));
            grown[destinationId] = destination;
            destinations = grown;
            ownerWatch.watch(file); // nothing for an inbox of this process
            return destination;
        }
    }

    private void endCall()
    {
        if (0 == activeCalls.decrementAndGet() && hasRetired)
        {
            releaseRetired();
        }
    }

    /**
     * Unmap the inboxes of replaced destinations once no call can still use them. A call increments
     * {@code activeCalls} before it reads the destination table, and a replaced destination leaves the table before
     * it joins {@code retired}. So if {@code activeCalls} reads 0 after {@code retired} was read (all sequentially
     * consistent), no call that started before the replacement is still running, and every later call reads a table
     * without the replaced destination (Dekker, as in {@link #close()}). Under constant concurrent calls the count
     * may not reach 0 for a while; the mappings then wait for the next quiet moment, or for close.
     */
    private void releaseRetired()
    {
        synchronized (lock)
        {
            if (retired.isEmpty() || 0 != activeCalls.get() || closed.get())
            {
                return; // nothing to do, a call started meanwhile (it will try again), or close unmaps everything
            }
            for (final InboxFile file : retired)
            {
                if (file != inbox)
                {
                    file.unmap();
                }
            }
            retired.clear();
            hasRetired = false;
        }
    }

    private void sendFragmented(
        final Destination destination, final int messageType, final DirectBuffer payload, final int offset,
        final int length)
    {
        destination.fragmentLock.lock(destination.id, destination.ring.capacity(), config.sendTimeout());
        try
        {
            final long messageId = nextMessageId.incrementAndGet();
            int sent = 0;
            try
            {
                while (sent < length)
                {
                    final int chunk = Math.min(destination.maxFramePayload, length - sent);
                    final byte flags = (byte)((0 == sent ? BEGIN_FLAG : 0) | (sent + chunk == length ? END_FLAG : 0));
                    writeFrame(destination, flags, messageType, messageId, length, sent, payload, offset + sent, chunk);
                    destination.fragmentLock.progressed();
                    sent += chunk;
                }
            }
            catch (final RuntimeException ex)
            {
                if (sent > 0)
                {
                    tryWriteAbort(destination, messageType, messageId, length);
                }
                throw ex;
            }
        }
        finally
        {
            destination.fragmentLock.unlock();
        }
    }

    private void writeFrame(
        final Destination destination,
        final byte flags,
        final int messageType,
        final long messageId,
        final int messageLength,
        final int fragmentOffset,
        final DirectBuffer payload,
        final int payloadOffset,
        final int frameLength)
    {
        final ManyToOneRingBuffer ring = destination.ring;
        final int recordLength = HEADER_LENGTH + frameLength;
        int index = ring.tryClaim(RECORD_TYPE_ID, recordLength);
        if (index < 0)
        {
            index = awaitClaim(destination, recordLength);
        }

        final AtomicBuffer buffer = ring.buffer();
        try
        {
            putHeader(buffer, index, flags, messageType, frameLength, messageId, messageLength, fragmentOffset);
            buffer.putBytes(index + HEADER_LENGTH, payload, payloadOffset, frameLength);
            ring.commit(index);
        }
        catch (final RuntimeException | Error ex)
        {
            ring.abort(index);
            throw ex;
        }
        counters.framesSent.increment();
        counters.bytesSent.add(frameLength);
    }

    private void putHeader(
        final AtomicBuffer buffer,
        final int index,
        final byte flags,
        final int messageType,
        final int frameLength,
        final long messageId,
        final int messageLength,
        final int fragmentOffset)
    {
        buffer.putByte(index + VERSION_OFFSET, CURRENT_VERSION);
        buffer.putByte(index + FLAGS_OFFSET, flags);
        buffer.putShort(index + RESERVED_OFFSET, (short)0, BYTE_ORDER);
        buffer.putInt(index + MESSAGE_TYPE_OFFSET, messageType, BYTE_ORDER);
        buffer.putInt(index + SOURCE_ID_OFFSET, localId, BYTE_ORDER);
        buffer.putInt(index + FRAME_LENGTH_OFFSET, frameLength, BYTE_ORDER);
        buffer.putLong(index + CLUSTER_SECRET_OFFSET, clusterSecret, BYTE_ORDER);
        buffer.putLong(index + MESSAGE_ID_OFFSET, messageId, BYTE_ORDER);
        buffer.putInt(index + MESSAGE_LENGTH_OFFSET, messageLength, BYTE_ORDER);
        buffer.putInt(index + FRAGMENT_OFFSET_OFFSET, fragmentOffset, BYTE_ORDER);
    }

    private int awaitClaim(final Destination destination, final int recordLength)
    {
        counters.backPressureWaits.increment();
        final IdleStrategy idleStrategy = config.newIdleStrategy();
        final long deadline = System.nanoTime() + sendTimeoutNs;
        while (true)
        {
            idleStrategy.idle();
            if (closed.get())
            {
                throw closedException();
            }
            if (!destination.inbox.canReceive())
            {
                throw new EndpointClosedException(destination.id, destination.inbox.closedReason() +
                    " while a send waited for room");
            }

            final int index = destination.ring.tryClaim(RECORD_TYPE_ID, recordLength);
            if (index >= 0)
            {
                return index;
            }

            if (System.nanoTime() - deadline >= 0)
            {
                final String gone = destination.inbox.closedReason();
                if (null != gone)
                {
                    throw new EndpointClosedException(destination.id, gone);
                }
                counters.backPressureTimeouts.increment();
                final long heartbeat = destination.ring.consumerHeartbeatTime();
                throw new TransportBackPressureException(destination.id, destination.ring.capacity(),
                    config.sendTimeout(), heartbeat > 0 ? Math.max(0, System.currentTimeMillis() - heartbeat) : -1);
            }
        }
    }

    private void tryWriteAbort(
        final Destination destination, final int messageType, final long messageId, final int messageLength)
    {
        try
        {
            final int index = destination.ring.tryClaim(RECORD_TYPE_ID, HEADER_LENGTH);
            if (index >= 0)
            {
                putHeader(destination.ring.buffer(), index, ABORT_FLAG, messageType, 0, messageId, messageLength, 0);
                destination.ring.commit(index);
                counters.framesSent.increment();
            }
        }
        catch (final RuntimeException ignore)
        {
            // best effort: the receiver also discards the partial message when this source begins another
        }
    }

    private EndpointClosedException closedException()
    {
        return new EndpointClosedException(localId, "this transport was closed");
    }

    private void deleteFiles()
    {
        synchronized (lock)
        {
            if (filesDeleted)
            {
                return;
            }
            filesDeleted = true;
            inbox.markClosed();
            try
            {
                Files.deleteIfExists(inbox.path());
            }
            catch (final IOException ex)
            {
                LOG.warn("Endpoint {} could not delete its inbox {}: {}", localId, inbox.path(), ex.toString());
            }
            PrivateDirectory.deleteIfEmpty(config.directory());
        }
    }

    private void unmapAll()
    {
        synchronized (lock)
        {
            for (final Destination destination : destinations)
            {
                if (null != destination && destination.inbox != inbox)
                {
                    destination.inbox.unmap();
                }
            }
            for (final InboxFile file : retired)
            {
                if (file != inbox)
                {
                    file.unmap();
                }
            }
            retired.clear();
            hasRetired = false;
            destinations = new Destination[0];
            inbox.unmap();
        }
    }

    /**
     * A mapped destination inbox and the lock that keeps this endpoint's fragmented messages to it in one piece.
     */
    private static final class Destination
    {
        final int id;
        final InboxFile inbox;
        final ManyToOneRingBuffer ring;
        final int maxFramePayload;
        final int maxMessageSize;
        final FragmentLock fragmentLock = new FragmentLock();

        Destination(final int id, final InboxFile inbox)
        {
            this.id = id;
            this.inbox = inbox;
            this.ring = inbox.ring();
            this.maxFramePayload = ring.maxMsgLength() - HEADER_LENGTH;
            this.maxMessageSize = inbox.maxMessageSize();
        }
    }
}
