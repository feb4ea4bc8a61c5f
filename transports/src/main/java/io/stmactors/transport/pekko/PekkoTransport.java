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
import io.stmactors.transport.pekko.EndpointDirectory.Entry;
import io.stmactors.transport.pekko.EndpointDirectory.Status;
import org.agrona.DirectBuffer;
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
 *     {@link MessageTooLargeException} before anything is sent. Each member announces its own two limits as
 *     cluster roles ({@code stm-max-message-<bytes>}, {@code stm-max-frame-<bytes>}):
 *     a message above the receiver's limit is refused the same way, naming the receiver, and frames are cut to the
 *     smaller of the two frame sizes. Chunking keeps every frame under Artery's
 *     {@code maximum-frame-size} (which would otherwise make Artery drop the message) without growing Artery's
 *     buffer pool, and keeps one huge message from blocking the connection's other traffic for long.</li>
 *     <li><b>Flow control</b>: Artery drops messages when its outbound queue is full, so senders are throttled end to
 *     end by credit ({@link Destination}); a sender that waits a quarter of its send timeout (at most a second)
 *     without credit probes the receiver again with its totals, in case a credit or a frame was lost (frames the
 *     probe finds missing are counted in {@link io.stmactors.transport.TransportCounters#framesLost()}, logged,
 *     and their room in the window given back); a destination that grants none within the send timeout makes
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
 *     the senders' windows, not by the queue (credit probes, outside the windows, come at doubling intervals, one
 *     per waiting sender).</li>
 *     <li>Polling thread: one at a time, enforced with a CAS on {@code pollingThread}; the
 *     {@link PekkoInboxReader} (reassembly, consumption counts, credits to send) and the receive-side counters are
 *     its alone.</li>
 *     <li>Membership: the guardian actor ({@link MembershipBehavior}) writes the directory and tells the
 *     {@link MembershipListeners}.</li>
 *     <li>Close: {@code closed} flips once; every destination is closed (waking waiting senders), and the actor
 *     system is terminated, which makes this endpoint leave the cluster gracefully.</li>
 * </ul>
 */
public final class PekkoTransport implements Transport
{
    private static final Logger LOG = LoggerFactory.getLogger(PekkoTransport.class);
    private static final byte[] EMPTY = new byte[0];

    final PekkoTransportConfig config;
    final EndpointDirectory directory = new EndpointDirectory();
    final Queue<Object> inbound = new ConcurrentLinkedQueue<>();

    private final int localId;
    private final long secret;
    private final int maxMessageSize;
    private final int maxFramePayload;
    private final long sendTimeoutNs;
    private final TransportCounters.Recorder recorder = new TransportCounters.Recorder();
    final MembershipListeners membershipListeners;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<Thread> pollingThread = new AtomicReference<>();
    private final AtomicLong nextMessageId = new AtomicLong();
    private volatile String closedReason;
    private volatile int selfUid;
    private volatile ActorSystem<Object> system;
    private volatile String address;

    final CreditSender credits;
    private final PekkoInboxReader reader; // polling thread only

    private PekkoTransport(final PekkoTransportConfig config)
    {
        this.config = config;
        this.localId = config.endpointId();
        this.secret = config.clusterSecret();
        this.maxMessageSize = config.maxMessageSize();
        this.maxFramePayload = config.maxFramePayload();
        this.sendTimeoutNs = config.sendTimeout().toNanos();
        this.membershipListeners = new MembershipListeners(localId);
        this.credits = new CreditSender(directory, localId, secret, () -> selfUid);
        this.reader = new PekkoInboxReader(config, inbound, directory, credits, recorder);
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
        membershipListeners.add(membershipListener);
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
        // The receiver's own limits, as its member roles announce them (0: it announces none; ours apply).
        final Entry entry = directory.get(destinationId);
        final int receiverMax = null == entry ? 0 : entry.maxMessageSize;
        if (receiverMax > 0 && length > receiverMax)
        {
            throw new MessageTooLargeException(length, receiverMax, destinationId);
        }
        final int receiverFrame = null == entry ? 0 : entry.maxFrameSize;
        final int framePayload = receiverFrame > PekkoTransportConfig.FRAME_HEADROOM ?
            Math.min(maxFramePayload, receiverFrame - PekkoTransportConfig.FRAME_HEADROOM) : maxFramePayload;
        final int uid = selfUid;
        if (length <= framePayload)
        {
            final byte[] bytes = copy(payload, offset, length);
            destination.send(extra -> new WireMessage.Frame(localId, uid, messageType, secret,
                (byte)(UNFRAGMENTED | extra), 0, length, 0, bytes), length, System.nanoTime() + sendTimeoutNs,
                config.sendTimeout(), recorder);
        }
        else
        {
            sendChunked(destination, uid, messageType, payload, offset, length, framePayload);
        }
        recorder.messageSent();
    }

    private void sendChunked(
        final Destination destination,
        final int uid,
        final int messageType,
        final DirectBuffer payload,
        final int offset,
        final int length,
        final int framePayload)
    {
        destination.fragmentLock.lock(destination.endpointId, destination.windowBytes(), config.sendTimeout());
        try
        {
            final long messageId = nextMessageId.incrementAndGet();
            int sent = 0;
            try
            {
                while (sent < length)
                {
                    final int chunk = Math.min(framePayload, length - sent);
                    final int fragmentOffset = sent;
                    final byte flags = (byte)((0 == sent ? BEGIN_FLAG : 0) | (sent + chunk == length ? END_FLAG : 0));
                    final byte[] bytes = copy(payload, offset + sent, chunk);
                    destination.send(extra -> new WireMessage.Frame(localId, uid, messageType, secret,
                        (byte)(flags | extra), messageId, length, fragmentOffset, bytes), chunk,
                        System.nanoTime() + sendTimeoutNs, config.sendTimeout(), recorder);
                    destination.fragmentLock.progressed();
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
            return reader.read(handler, limit);
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
     * gracefully (others see {@link EndpointMembershipListener.RemovalReason#LEFT}) and the actor system
     * terminates, waited for up to {@link PekkoTransportConfig#closeTimeout()}. Idempotent, thread-safe. Called from
     * a membership listener (a Pekko thread) it does not wait, since it would wait for its own thread.
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

    /**
     * @param sentFrames frames this endpoint had sent to the receiver, in total.
     * @param sentBytes  payload bytes of those frames, in total.
     * @return a probe asking a receiver for credit again, from this endpoint's inbox incarnation. Senders.
     */
    WireMessage.CreditProbe creditProbe(final long sentFrames, final long sentBytes)
    {
        return new WireMessage.CreditProbe(localId, selfUid, secret, sentFrames, sentBytes);
    }

    /**
     * @return the path uid of this endpoint's inbox actor (its incarnation), or 0 before it started.
     */
    int inboxUid()
    {
        return selfUid;
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

}
