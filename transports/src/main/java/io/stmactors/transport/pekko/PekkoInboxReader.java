package io.stmactors.transport.pekko;

import io.stmactors.transport.FrameDescriptor;
import io.stmactors.transport.FrameHandler;
import io.stmactors.transport.RejectReason;
import io.stmactors.transport.TransportCounters;
import io.stmactors.transport.TransportListener;
import io.stmactors.transport.internal.FrameValidator;
import io.stmactors.transport.internal.Reassembler;
import io.stmactors.transport.pekko.EndpointDirectory.Entry;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

import static io.stmactors.transport.FrameDescriptor.UNFRAGMENTED;

/**
 * The receive side of a {@link PekkoTransport}: what {@link PekkoTransport#poll} does with the frames the inbox actor
 * queued. For each frame, in order:
 * <ol>
 *     <li>count it as consumed for its sender incarnation and, if the frame asks for it, send that sender a
 *     {@link WireMessage.Credit} with the totals (see {@link Destination} for the protocol) through the
 *     {@link CreditSender}, which keeps a credit whose sender's inbox is not listed here yet until it is (a
 *     {@link WireMessage.CreditProbe}, queued behind the frames it followed, is answered the same way, once the
 *     frames it says were sent and this reader never took are counted lost);</li>
 *     <li>validate its fields ({@link FrameValidator}); a bad frame is rejected: counted, reported to the
 *     {@link TransportListener}, logged at WARN at most once a second, never delivered;</li>
 *     <li>deliver a whole message to the {@link FrameHandler} at once, or add a chunk to the {@link Reassembler} and
 *     deliver the message when its last chunk arrives.</li>
 * </ol>
 * A frame counts as consumed (and is credited) before the handler runs, so a handler that throws does not shrink
 * the sender's window.
 * <p>
 * Thread-safety: none; used by the polling thread only (the transport enforces one poller at a time), which is also
 * the single writer of the receive-side counters.
 */
final class PekkoInboxReader
{
    private static final Logger LOG = LoggerFactory.getLogger(PekkoTransport.class);
    private static final byte[] EMPTY = new byte[0];
    private static final long REJECT_LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Incarnations of one sender counted at once. Frames of a dead incarnation travel on their own association and
     * can arrive after the first frames of its successors; a sender that restarts over and over (a crash-looping
     * worker keeps its endpoint id) can have several such stragglers.
     */
    static final int MAX_INCARNATIONS = 4;

    private final Queue<Object> inbound;
    private final EndpointDirectory directory;
    private final CreditSender credits;
    private final TransportCounters.Recorder recorder;
    private final TransportListener listener;
    private final int localId;
    private final int maxMessageSize;
    private final UnsafeBuffer view = new UnsafeBuffer(EMPTY);
    /** The incarnations known of each source, at most {@link #MAX_INCARNATIONS}. */
    private final Int2ObjectHashMap<List<SourceState>> sources = new Int2ObjectHashMap<>();
    private long framesTaken; // frames and probes taken: the clock of SourceState.lastActive
    private long lastRejectLogNs;
    private long rejectsSinceLog;

    PekkoInboxReader(
        final PekkoTransportConfig config,
        final Queue<Object> inbound,
        final EndpointDirectory directory,
        final CreditSender credits,
        final TransportCounters.Recorder recorder)
    {
        this.inbound = inbound;
        this.directory = directory;
        this.credits = credits;
        this.recorder = recorder;
        this.listener = config.listener();
        this.localId = config.endpointId();
        this.maxMessageSize = config.maxMessageSize();
    }

    /**
     * Take up to {@code limit} queued items and handle them.
     *
     * @param handler receives complete messages.
     * @param limit   most items to take.
     * @return items taken, rejected ones included.
     */
    int read(final FrameHandler handler, final int limit)
    {
        int taken = 0;
        while (taken < limit)
        {
            final Object item = inbound.poll();
            if (null == item)
            {
                break;
            }
            if (item instanceof WireMessage.CreditProbe probe)
            {
                onCreditProbe(probe); // not a frame: not counted
                continue;
            }
            taken++;
            if (item instanceof WireMessage.Frame frame)
            {
                onFrame(frame, handler);
            }
            else
            {
                final PekkoTransport.Rejection rejection = (PekkoTransport.Rejection)item;
                reject(rejection.reason(), rejection.claimedSourceId(), rejection.detail());
            }
        }
        return taken;
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
        source.lastActive = ++framesTaken;
        source.consumedFrames++;
        source.consumedBytes += payload.length;
        if (0 != (frame.flags() & WireMessage.CREDIT_REQUEST_FLAG))
        {
            credits.send(sourceId, source.senderUid, source.consumedFrames, source.consumedBytes);
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
        if (null == source.reassembler)
        {
            source.reassembler = new Reassembler(this::onIncompleteDiscarded);
        }
        final Reassembler reassembler = source.reassembler; // per incarnation: message ids start at 1 in every process
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

    /**
     * The probe came behind every frame its sender had sent before it: what of those this reader has not taken was
     * lost on the way. Count it lost and consumed, then answer with the totals.
     */
    private void onCreditProbe(final WireMessage.CreditProbe probe)
    {
        final int sourceId = probe.senderId();
        if (sourceId < 0 || sourceId > FrameDescriptor.MAX_ENDPOINT_ID)
        {
            reject(RejectReason.MALFORMED, -1, "credit probe: source id " + sourceId + " is out of range");
            return;
        }
        SourceState source = existing(sourceId, probe.senderUid());
        if (null == source)
        {
            final Entry entry = directory.get(sourceId);
            final Destination listed = null == entry ? null : entry.destination;
            if (null == listed || listed.uid != probe.senderUid())
            {
                // Nothing taken from it and not the incarnation listed here: a straggler of a dead one (counting it
                // could push a live one out), or a sender not listed yet, whose later probe is answered once it is.
                return;
            }
            source = sourceState(sourceId, probe.senderUid()); // everything it sent was lost on the way
        }
        source.lastActive = ++framesTaken; // a sender blocked on a full window sends only probes: it is alive
        final long lost = probe.sentFrames() - source.consumedFrames;
        if (lost > 0)
        {
            source.consumedFrames = probe.sentFrames();
            source.consumedBytes = Math.max(source.consumedBytes, probe.sentBytes());
            recorder.framesLost(lost);
            LOG.warn("Endpoint {}: {} frame(s) from endpoint {} (inbox uid {}) were lost on the way (Artery drops " +
                "messages when its outbound queue is full or across a reconnect); a message they were part of is " +
                "not delivered", localId, lost, sourceId, source.senderUid);
        }
        credits.send(source.sourceId, source.senderUid, source.consumedFrames, source.consumedBytes);
    }

    private SourceState sourceState(final int sourceId, final int senderUid)
    {
        final SourceState known = existing(sourceId, senderUid);
        if (null != known)
        {
            return known;
        }
        List<SourceState> incarnations = sources.get(sourceId);
        if (null == incarnations)
        {
            incarnations = new ArrayList<>(2);
            sources.put(sourceId, incarnations);
        }
        if (incarnations.size() >= MAX_INCARNATIONS)
        {
            evictOne(sourceId, incarnations);
        }
        final SourceState source = new SourceState(sourceId, senderUid); // a new incarnation counts from zero
        incarnations.add(source);
        return source;
    }

    /**
     * Forget the incarnation of this source that sent last longest ago, never the one this endpoint lists (the
     * live one, as far as membership knows); its message in progress, if any, is discarded.
     */
    private void evictOne(final int sourceId, final List<SourceState> incarnations)
    {
        final Entry entry = directory.get(sourceId);
        final Destination listed = null == entry ? null : entry.destination;
        int oldest = -1;
        for (int i = 0; i < incarnations.size(); i++)
        {
            final SourceState candidate = incarnations.get(i);
            if ((null == listed || listed.uid != candidate.senderUid) &&
                (oldest < 0 || candidate.lastActive < incarnations.get(oldest).lastActive))
            {
                oldest = i;
            }
        }
        final SourceState evicted = incarnations.remove(oldest);
        if (null != evicted.reassembler)
        {
            evicted.reassembler.discardAll();
        }
    }

    /**
     * @return the counts of this incarnation of the source, or null if it is not (or no longer) counted.
     */
    private SourceState existing(final int sourceId, final int senderUid)
    {
        final List<SourceState> incarnations = sources.get(sourceId);
        if (null != incarnations)
        {
            for (int i = 0; i < incarnations.size(); i++)
            {
                final SourceState candidate = incarnations.get(i);
                if (candidate.senderUid == senderUid)
                {
                    return candidate;
                }
            }
        }
        return null;
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

    /**
     * What the polling thread consumed from one sender incarnation; totals go back as credit. Its chunks are
     * reassembled apart from those of the sender's other incarnations.
     */
    private static final class SourceState
    {
        final int sourceId;
        final int senderUid;
        long consumedFrames;
        long consumedBytes;
        long lastActive;
        Reassembler reassembler; // created with its first chunk

        SourceState(final int sourceId, final int senderUid)
        {
            this.sourceId = sourceId;
            this.senderUid = senderUid;
        }
    }
}
