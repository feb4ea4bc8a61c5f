package io.stmactors.transport.pekko;

import com.typesafe.config.Config;
import io.stmactors.transport.EndpointClosedException;
import io.stmactors.transport.FrameDescriptor;
import io.stmactors.transport.FrameHandler;
import io.stmactors.transport.MessageTooLargeException;
import io.stmactors.transport.RejectReason;
import io.stmactors.transport.Transport;
import io.stmactors.transport.TransportCounters;
import io.stmactors.transport.TransportException;
import io.stmactors.transport.TransportListener;
import io.stmactors.transport.internal.FrameValidator;
import io.stmactors.transport.internal.Reassembler;
import io.stmactors.transport.pekko.EndpointDirectory.Entry;
import io.stmactors.transport.pekko.EndpointDirectory.Status;
import io.stmactors.transport.pekko.EndpointMembershipListener.RemovalReason;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.stmactors.transport.FrameDescriptor.ABORT_FLAG;
import static io.stmactors.transport.FrameDescriptor.BEGIN_FLAG;
import static io.stmactors.transport.FrameDescriptor.END_FLAG;
import static io.stmactors.transport.FrameDescriptor.UNFRAGMENTED;

/**
 * A {@link Transport} between JVMs on one or several machines, built on Apache Pekko: Pekko Cluster for membership
 * and failure detection, Artery TCP for delivery, the cluster receptionist for finding inboxes.
 *
 * <h2>Design</h2>
 * Each endpoint runs one Pekko typed {@code ActorSystem}; its guardian ({@link MembershipBehavior}) tracks
 * membership, its child {@link InboxBehavior} receives frames. The member carries the role
 * {@code stm-endpoint-<id>}; the inbox registers with the receptionist under {@code stm-actors-endpoint-<id>}.
 * {@link #send} resolves the destination id to its inbox ({@link EndpointDirectory}), copies the payload into a
 * {@link WireMessage.Frame} with this endpoint's id, the message type and the cluster secret, and tells it;
 * {@link PekkoFrameSerializer} (Kryo) writes it into Artery's buffer. The receiving inbox actor checks the secret and
 * queues the frame; {@link #poll} drains that queue on the caller's thread.
 * <ul>
 *     <li><b>Large messages</b> are chunked: a message larger than one Artery frame
 *     ({@link PekkoTransportConfig#maxFramePayload()}) goes as several frames with begin/end flags, reassembled by
 *     the receiver, up to {@link PekkoTransportConfig#maxMessageSize()}; larger ones are refused with
 *     {@link MessageTooLargeException} before anything is sent. Chunking keeps every frame under Artery's
 *     {@code maximum-frame-size} (which would otherwise make Artery drop the message) without growing Artery's
 *     buffer pool, and keeps one huge message from blocking the connection's other traffic for long.</li>
 *     <li><b>Flow control</b>: Artery drops messages when its outbound queue is full, so senders are throttled end to
 *     end by credit ({@link Destination}); a destination that grants none within the send timeout makes
 *     {@code send} throw {@link io.stmactors.transport.TransportBackPressureException}.</li>
 *     <li><b>Unknown, unreachable, departed</b>: a send to an id that is not (yet) a member, or whose inbox the
 *     receptionist has not listed yet, or that the failure detector suspects, waits up to the send timeout for it,
 *     then throws {@link EndpointClosedException}; a send to an endpoint that left or was downed throws at once.
 *     {@link EndpointMembershipListener}s hear about all of these.</li>
 * </ul>
 *
 * <h2>Guarantees</h2>
 * As {@link Transport}: whole-or-nothing delivery (chunks of a message whose sender gave up or died are discarded),
 * at most once, FIFO per sending thread and destination (frames to one destination are handed to Artery in order,
 * under the destination's monitor, and Artery keeps per-connection order), nothing dropped silently by this
 * transport. Messages in flight when their destination dies are lost; that is what "removed" reports.
 *
 * <h2>Concurrency</h2>
 * <ul>
 *     <li>Senders: any number of threads. They read the directory (volatile), wait on a {@link Destination}'s
 *     monitor for credit, and tell; the inbox actor updates directory and credit and notifies.</li>
 *     <li>Inbound queue: a {@link ConcurrentLinkedQueue}; the inbox actor is its producer (its message handling is
 *     sequential, with happens-before between messages), the polling thread its consumer. Its length is bounded by
 *     the senders' windows, not by the queue.</li>
 *     <li>Polling thread: one at a time, enforced with a CAS on {@code pollingThread}; the reassembler and the
 *     per-source consumption counts are its alone, as are the receive-side counters.</li>
 *     <li>Close: {@code closed} flips once; every destination is closed (waking waiting senders), and the actor
 *     system is terminated, which makes this endpoint leave the cluster gracefully.</li>
 * </ul>
 */
public final class PekkoTransport implements Transport
{
    private static final Logger LOG = LoggerFactory.getLogger(PekkoTransport.class);
    private static final byte[] EMPTY = new byte[0];
    private static final long REJECT_LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    final PekkoTransportConfig config;
    final EndpointDirectory directory = new EndpointDirectory();
    final Queue<Object> inbound = new ConcurrentLinkedQueue<>();

    private final int localId;
    private final long secret;
    private final int maxMessageSize;
    private final int maxFramePayload;
    private final long sendTimeoutNs;
    private final TransportCounters.Recorder recorder = new TransportCounters.Recorder();
    private final TransportListener listener;
    private final List<EndpointMembershipListener> membershipListeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<Thread> pollingThread = new AtomicReference<>();
    private final AtomicLong nextMessageId = new AtomicLong();
    private volatile String closedReason;
    private volatile int selfUid;
    private volatile ActorSystem<Object> system;
    private volatile String address;

    // Polling thread only.
    private final UnsafeBuffer view = new UnsafeBuffer(EMPTY);
    private final Int2ObjectHashMap<SourceState> sources = new Int2ObjectHashMap<>();
    private final List<SourceState> pendingCredits = new ArrayList<>();
    private final Reassembler reassembler;
    private long lastRejectLogNs;
    private long rejectsSinceLog;

    private PekkoTransport(final PekkoTransportConfig config)
    {
        this.config = config;
        this.localId = config.endpointId();
        this.secret = config.clusterSecret();
        this.maxMessageSize = config.maxMessageSize();
        this.maxFramePayload = config.maxFramePayload();
        this.sendTimeoutNs = config.sendTimeout().toNanos();
        this.listener = config.listener();
        this.reassembler = new Reassembler(this::onIncompleteDiscarded);
    }

    /**
     * Start this endpoint's actor system, join the cluster (or start one, without seed nodes) and wait until this
     * node is an Up member with its inbox registered.
     *
     * @param config settings of this endpoint.
     * @return the open transport.
     * @throws TransportException if the port cannot be bound, the cluster is not joined within the join timeout, or
     *                            another member already serves this endpoint id.
     */
    public static PekkoTransport open(final PekkoTransportConfig config)
    {
        Objects.requireNonNull(config, "config");
        final PekkoTransport transport = new PekkoTransport(config);
        final Config pekkoConfig = PekkoSettings.toPekkoConfig(config);
        try
        {
            transport.system =
                ActorSystem.create(MembershipBehavior.create(transport), config.systemName(), pekkoConfig);
        }
        catch (final RuntimeException ex)
        {
            throw new TransportException("Endpoint " + config.endpointId() + " could not start Pekko on " +
                config.bindHostname() + ":" + config.port() + ": " + ex, ex);
        }
        try
        {
            transport.join();
            return transport;
        }
        catch (final RuntimeException ex)
        {
            transport.close();
            throw ex;
        }
    }

    private void join()
    {
        final Cluster cluster = Cluster.get(system);
        final Address self = cluster.selfMember().address();
        address = self.getHost().orElse(config.hostname()) + ':' + self.getPort().orElse(config.port());
        system.getWhenTerminated().thenRun(() -> onSelfRemoved("its actor system terminated"));

        if (config.seedNodes().isEmpty())
        {
            cluster.manager().tell(Join.create(self));
        }
        else
        {
            final List<Address> seeds = new ArrayList<>();
            for (final String seed : config.seedNodes())
            {
                final PekkoTransportConfig.HostPort hostPort = PekkoTransportConfig.parseHostPort(seed);
                seeds.add(new Address("pekko", config.systemName(), hostPort.host(), hostPort.port()));
            }
            cluster.manager().tell(new JoinSeedNodes(seeds));
        }

        final long deadline = System.nanoTime() + config.joinTimeout().toNanos();
        while (true)
        {
            if (closed.get())
            {
                throw new TransportException("Endpoint " + localId + " stopped while joining: " + closedReason);
            }
            final MemberStatus status = cluster.selfMember().status();
            final Entry own = directory.get(localId);
            final boolean up = MemberStatus.up().equals(status) || MemberStatus.weaklyUp().equals(status);
            if (up && null != own && null != own.destination)
            {
                break;
            }
            if (System.nanoTime() - deadline >= 0)
            {
                throw new TransportException("Endpoint " + localId + " at " + address + " did not join the cluster" +
                    (config.seedNodes().isEmpty() ? "" : " through " + config.seedNodes()) + " within " +
                    config.joinTimeout().toMillis() + " ms (member status " + status + ", inbox registered " +
                    (null != own && null != own.destination) + ")");
            }
            sleepMillis(10);
        }

        for (final Member member : cluster.state().getMembers())
        {
            if (MembershipBehavior.endpointIdOf(member) == localId &&
                !member.uniqueAddress().equals(cluster.selfMember().uniqueAddress()) &&
                !MemberStatus.down().equals(member.status()) && !MemberStatus.exiting().equals(member.status()) &&
                !MemberStatus.removed().equals(member.status()))
            {
                throw new TransportException("Endpoint id " + localId + " is already served by member " +
                    member.address() + " (status " + member.status() + "); endpoint ids must be unique");
            }
        }
        LOG.debug("Endpoint {} is up at {}", localId, address);
    }

    /** {@inheritDoc} */
    public int localId()
    {
        return localId;
    }

    /**
     * @return where other members reach this endpoint, {@code host:port} (the actual port if 0 was configured);
     * what a worker passes as its seed node.
     */
    public String address()
    {
        return address;
    }

    /** {@inheritDoc} */
    public int maxMessageSize()
    {
        return maxMessageSize;
    }

    /** {@inheritDoc} */
    public TransportCounters counters()
    {
        return recorder.counters();
    }

    /**
     * Be told when other endpoints come up, become unreachable or reachable again, and leave or are downed.
     *
     * @param membershipListener called on a Pekko thread; see {@link EndpointMembershipListener}.
     */
    public void addMembershipListener(final EndpointMembershipListener membershipListener)
    {
        membershipListeners.add(Objects.requireNonNull(membershipListener, "membershipListener"));
    }

    /**
     * @param membershipListener a listener added before; no effect otherwise.
     */
    public void removeMembershipListener(final EndpointMembershipListener membershipListener)
    {
        membershipListeners.remove(membershipListener);
    }

    /**
     * Wait until a send to {@code endpointId} could succeed: it is an Up, reachable member with its inbox listed.
     *
     * @param endpointId endpoint to wait for.
     * @param timeout    longest wait.
     * @return true if it is reachable, false if the time ran out or it left.
     * @throws EndpointClosedException if this transport is closed.
     */
    public boolean awaitReachable(final int endpointId, final Duration timeout)
    {
        checkEndpointId(endpointId);
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            if (closed.get())
            {
                throw closedException();
            }
            final long version = directory.version();
            if (isReachable(endpointId))
            {
                return true;
            }
            final Entry entry = directory.get(endpointId);
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || (null != entry && Status.REMOVED == entry.status))
            {
                return false;
            }
            awaitDirectoryChange(version, remaining, endpointId);
        }
    }

    /** {@inheritDoc} */
    public void send(
        final int destinationId, final int messageType, final DirectBuffer payload, final int offset, final int length)
    {
        checkEndpointId(destinationId);
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
        if (closed.get())
        {
            throw closedException();
        }

        final Destination destination = awaitDestination(destinationId, System.nanoTime() + sendTimeoutNs);
        final int uid = selfUid;
        if (length <= maxFramePayload)
        {
            final byte[] bytes = copy(payload, offset, length);
            destination.send(extra -> new WireMessage.Frame(localId, uid, messageType, secret,
                (byte)(UNFRAGMENTED | extra), 0, length, 0, bytes), length, System.nanoTime() + sendTimeoutNs,
                config.sendTimeout(), recorder);
        }
        else
        {
            sendChunked(destination, uid, messageType, payload, offset, length);
        }
        recorder.messageSent();
    }

    private void sendChunked(
        final Destination destination,
        final int uid,
        final int messageType,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        destination.fragmentLock.lock();
        try
        {
            final long messageId = nextMessageId.incrementAndGet();
            int sent = 0;
            try
            {
                while (sent < length)
                {
                    final int chunk = Math.min(maxFramePayload, length - sent);
                    final int fragmentOffset = sent;
                    final byte flags = (byte)((0 == sent ? BEGIN_FLAG : 0) | (sent + chunk == length ? END_FLAG : 0));
                    final byte[] bytes = copy(payload, offset + sent, chunk);
                    destination.send(extra -> new WireMessage.Frame(localId, uid, messageType, secret,
                        (byte)(flags | extra), messageId, length, fragmentOffset, bytes), chunk,
                        System.nanoTime() + sendTimeoutNs, config.sendTimeout(), recorder);
                    sent += chunk;
                }
            }
            catch (final RuntimeException ex)
            {
                if (sent > 0)
                {
                    destination.sendWithoutCredit(new WireMessage.Frame(
                        localId, uid, messageType, secret, ABORT_FLAG, messageId, length, 0, EMPTY));
                }
                throw ex;
            }
        }
        finally
        {
            destination.fragmentLock.unlock();
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
        try
        {
            if (closed.get())
            {
                throw closedException();
            }
            if (!pendingCredits.isEmpty())
            {
                retryPendingCredits();
            }
            int taken = 0;
            while (taken < limit)
            {
                final Object item = inbound.poll();
                if (null == item)
                {
                    break;
                }
                taken++;
                if (item instanceof WireMessage.Frame frame)
                {
                    onFrame(frame, handler);
                }
                else
                {
                    final Rejection rejection = (Rejection)item;
                    reject(rejection.reason(), rejection.claimedSourceId(), rejection.detail());
                }
            }
            return taken;
        }
        finally
        {
            pollingThread.set(null);
        }
    }

    /** {@inheritDoc} */
    public boolean isReachable(final int destinationId)
    {
        checkEndpointId(destinationId);
        if (closed.get())
        {
            return false;
        }
        final Entry entry = directory.get(destinationId);
        if (null == entry || Status.UP != entry.status)
        {
            return false;
        }
        final Destination destination = entry.destination;
        return null != destination && destination.isUsable();
    }

    /**
     * Close this endpoint: senders and pollers get {@link EndpointClosedException}, the node leaves the cluster
     * gracefully (others see {@link RemovalReason#LEFT}) and the actor system terminates, waited for up to
     * {@link PekkoTransportConfig#closeTimeout()}. Idempotent, thread-safe. Do not call it from a membership
     * listener (it would wait for the thread it runs on); it returns at once there but the system still stops.
     */
    public void close()
    {
        if (!markClosed("this transport was closed"))
        {
            return;
        }
        if (null == system)
        {
            return;
        }
        system.terminate();
        if (Thread.currentThread().getName().startsWith(config.systemName() + '-'))
        {
            return; // on one of the system's own threads: waiting would wait for ourselves
        }
        try
        {
            system.getWhenTerminated().toCompletableFuture()
                .get(config.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            LOG.warn("Endpoint {}: actor system still terminating after {} ms; continuing", localId,
                config.closeTimeout().toMillis());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            LOG.warn("Endpoint {}: actor system terminated with {}", localId, ex.getCause().toString());
        }
    }

    /** {@inheritDoc} */
    public String toString()
    {
        return "PekkoTransport{endpoint=" + localId + ", address=" + address + ", closed=" + closed.get() + '}';
    }

    boolean isClosed()
    {
        return closed.get();
    }

    ActorSystem<Object> system()
    {
        return system;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Called by the inbox actor.

    void onInboxStarted(final int uid)
    {
        selfUid = uid;
    }

    void onSelfRemoved(final String reason)
    {
        if (markClosed(reason))
        {
            LOG.warn("Endpoint {} closed: {}", localId, reason);
            if (null != system)
            {
                system.terminate();
            }
        }
    }

    void fireEndpointUp(final int endpointId, final String memberAddress)
    {
        fire(l -> l.onEndpointUp(endpointId, memberAddress), "onEndpointUp", endpointId);
    }

    void fireEndpointUnreachable(final int endpointId, final String memberAddress)
    {
        fire(l -> l.onEndpointUnreachable(endpointId, memberAddress), "onEndpointUnreachable", endpointId);
    }

    void fireEndpointReachable(final int endpointId, final String memberAddress)
    {
        fire(l -> l.onEndpointReachable(endpointId, memberAddress), "onEndpointReachable", endpointId);
    }

    void fireEndpointRemoved(final int endpointId, final String memberAddress, final RemovalReason reason)
    {
        fire(l -> l.onEndpointRemoved(endpointId, memberAddress, reason), "onEndpointRemoved", endpointId);
    }

    private void fire(
        final java.util.function.Consumer<EndpointMembershipListener> event, final String name, final int endpointId)
    {
        for (final EndpointMembershipListener membershipListener : membershipListeners)
        {
            try
            {
                event.accept(membershipListener);
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("Endpoint {}: membership listener {} threw in {}({})", localId, membershipListener, name,
                    endpointId, ex);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private boolean markClosed(final String reason)
    {
        if (!closed.compareAndSet(false, true))
        {
            return false;
        }
        closedReason = reason;
        for (final Entry entry : directory.entries())
        {
            final Destination destination = null == entry ? null : entry.destination;
            if (null != destination)
            {
                destination.close(localId, reason);
            }
        }
        directory.signalChange();
        return true;
    }

    private Destination awaitDestination(final int destinationId, final long deadlineNs)
    {
        while (true)
        {
            if (closed.get())
            {
                throw closedException();
            }
            final long version = directory.version();
            final Entry entry = directory.get(destinationId);
            final Status status = null == entry ? null : entry.status;
            if (Status.REMOVED == status)
            {
                throw new EndpointClosedException(destinationId, entry.removedReason);
            }
            final Destination destination = null == entry ? null : entry.destination;
            if (Status.UP == status && null != destination)
            {
                return destination;
            }
            final long remaining = deadlineNs - System.nanoTime();
            if (remaining <= 0)
            {
                final long waitedMs = config.sendTimeout().toMillis();
                throw new EndpointClosedException(destinationId, null == status ?
                    "no endpoint with this id is a member of the cluster (waited " + waitedMs + " ms)" :
                    Status.UNREACHABLE == status ?
                    "it stayed unreachable for " + waitedMs + " ms (" + entry.address + ")" :
                    "its inbox did not appear in the receptionist within " + waitedMs + " ms (" + entry.address + ")");
            }
            awaitDirectoryChange(version, remaining, destinationId);
        }
    }

    private void awaitDirectoryChange(final long version, final long nanos, final int destinationId)
    {
        try
        {
            directory.awaitChange(version, nanos);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new TransportException("Wait for endpoint " + destinationId + " was interrupted", ex);
        }
    }

    private void onFrame(final WireMessage.Frame frame, final FrameHandler handler)
    {
        final int sourceId = frame.sourceId();
        final byte[] payload = frame.payload();
        if (sourceId < 0 || sourceId > FrameDescriptor.MAX_ENDPOINT_ID)
        {
            reject(RejectReason.MALFORMED, -1, "source id " + sourceId + " is out of range");
            return;
        }

        // Flow control first: the frame is consumed whatever happens to it next.
        final SourceState source = sourceState(sourceId, frame.senderUid());
        source.consumedFrames++;
        source.consumedBytes += payload.length;
        if (0 != (frame.flags() & WireMessage.CREDIT_REQUEST_FLAG))
        {
            sendCredit(source);
        }

        final byte flags = (byte)(frame.flags() & ~WireMessage.CREDIT_REQUEST_FLAG);
        final String problem = FrameValidator.validate(flags, (short)0, sourceId, frame.messageType(), payload.length,
            payload.length + FrameDescriptor.HEADER_LENGTH, frame.messageLength(), frame.fragmentOffset(),
            maxMessageSize);
        if (null != problem)
        {
            reject(RejectReason.MALFORMED, sourceId, problem);
            return;
        }
        recorder.frameReceived(payload.length);

        view.wrap(payload);
        if (UNFRAGMENTED == flags)
        {
            recorder.messageReceived();
            handler.onFrame(sourceId, frame.messageType(), view, 0, payload.length);
            return;
        }
        final int complete = reassembler.onFragment(sourceId, flags, frame.messageId(), frame.messageType(),
            frame.messageLength(), frame.fragmentOffset(), view, 0, payload.length);
        if (Reassembler.REFUSED == complete)
        {
            reject(RejectReason.FRAGMENT_OUT_OF_SEQUENCE, sourceId, reassembler.lastProblem());
        }
        else if (complete >= 0)
        {
            recorder.messageReceived();
            try
            {
                handler.onFrame(sourceId, reassembler.completedMessageType(), reassembler.completedBuffer(), 0,
                    complete);
            }
            finally
            {
                reassembler.releaseCompleted();
            }
        }
    }

    private SourceState sourceState(final int sourceId, final int senderUid)
    {
        SourceState source = sources.get(sourceId);
        if (null == source || source.senderUid != senderUid)
        {
            source = new SourceState(sourceId, senderUid); // a new incarnation starts counting from zero
            sources.put(sourceId, source);
        }
        return source;
    }

    private void sendCredit(final SourceState source)
    {
        final Entry entry = directory.get(source.sourceId);
        final Destination destination = null == entry ? null : entry.destination;
        if (null != destination && destination.uid == source.senderUid)
        {
            destination.ref.tell(new WireMessage.Credit(localId, selfUid, source.senderUid, secret,
                source.consumedFrames, source.consumedBytes));
            source.creditPending = false;
        }
        else if (!source.creditPending)
        {
            source.creditPending = true; // its inbox is not listed here yet: try again on the next polls
            pendingCredits.add(source);
        }
    }

    private void retryPendingCredits()
    {
        for (int i = pendingCredits.size() - 1; i >= 0; i--)
        {
            final SourceState source = pendingCredits.get(i);
            final Entry entry = directory.get(source.sourceId);
            final Destination destination = null == entry ? null : entry.destination;
            final boolean gone = sources.get(source.sourceId) != source ||
                (null != entry && Status.REMOVED == entry.status) ||
                (null != destination && destination.uid != source.senderUid);
            if (gone)
            {
                source.creditPending = false;
            }
            else if (null != destination)
            {
                sendCredit(source);
            }
            if (!source.creditPending)
            {
                pendingCredits.remove(i);
            }
        }
    }

    private void reject(final RejectReason reason, final int claimedSourceId, final String detail)
    {
        recorder.frameRejected();
        rejectsSinceLog++;
        final long now = System.nanoTime();
        if (now - lastRejectLogNs >= REJECT_LOG_INTERVAL_NS)
        {
            LOG.warn("Endpoint {} dropped {} frame(s); latest: {} from claimed endpoint {}: {}", localId,
                rejectsSinceLog, reason, claimedSourceId, detail);
            lastRejectLogNs = now;
            rejectsSinceLog = 0;
        }
        try
        {
            listener.onFrameRejected(reason, claimedSourceId, detail);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("Endpoint {}: transport listener threw in onFrameRejected", localId, ex);
        }
    }

    private void onIncompleteDiscarded(final int sourceId, final int receivedBytes, final int messageLength)
    {
        recorder.incompleteMessageDiscarded();
        try
        {
            listener.onIncompleteMessageDiscarded(sourceId, receivedBytes, messageLength);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("Endpoint {}: transport listener threw in onIncompleteMessageDiscarded", localId, ex);
        }
    }

    private EndpointClosedException closedException()
    {
        return new EndpointClosedException(localId, null == closedReason ? "this transport was closed" : closedReason);
    }

    private static byte[] copy(final DirectBuffer payload, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        payload.getBytes(offset, bytes);
        return bytes;
    }

    private static void checkEndpointId(final int endpointId)
    {
        if (endpointId < 0 || endpointId > FrameDescriptor.MAX_ENDPOINT_ID)
        {
            throw new IllegalArgumentException("endpoint id must be in [0, " + FrameDescriptor.MAX_ENDPOINT_ID +
                "]: " + endpointId);
        }
    }

    private static void sleepMillis(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while joining the cluster", ex);
        }
    }

    /**
     * A frame the inbox actor refused, queued so that the polling thread counts and reports it.
     *
     * @param reason          why.
     * @param claimedSourceId the endpoint the frame claims to come from.
     * @param detail          description.
     */
    record Rejection(RejectReason reason, int claimedSourceId, String detail)
    {
    }

    /**
     * What the polling thread consumed from one sender incarnation; totals go back as credit.
     */
    private static final class SourceState
    {
        final int sourceId;
        final int senderUid;
        long consumedFrames;
        long consumedBytes;
        boolean creditPending;

        SourceState(final int sourceId, final int senderUid)
        {
            this.sourceId = sourceId;
            this.senderUid = senderUid;
        }
    }
}
