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
 *     {@link WireMessage.CreditProbe}, queued behind the frames it followed, is answered the same way);</li>
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

    private final Queue<Object> inbound;
    private final EndpointDirectory directory;
    private final CreditSender credits;
    private final TransportCounters.Recorder recorder;
    private final TransportListener listener;
    private final int localId;
    private final int maxMessageSize;
    private final UnsafeBuffer view = new UnsafeBuffer(EMPTY);
    private final Int2ObjectHashMap<SourceState> sources = new Int2ObjectHashMap<>();
    /**
     * One per lane: the two incarnations known of a source are on different lanes, so a late fragment of the one
     * before never lands in a message of its successor (message ids start at 1 in every process).
     */
    private final Reassembler[] reassemblers = new Reassembler[2];
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
        this.reassemblers[0] = new Reassembler(this::onIncompleteDiscarded);
        this.reassemblers[1] = new Reassembler(this::onIncompleteDiscarded);
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
        final Reassembler reassembler = reassemblers[source.lane];
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

    private void onCreditProbe(final WireMessage.CreditProbe probe)
    {
        final SourceState source = existing(probe.senderId(), probe.senderUid());
        if (null != source)
        {
            credits.send(source.sourceId, source.senderUid, source.consumedFrames, source.consumedBytes);
        }
        // else nothing of that incarnation was consumed: no credit to give
    }

    private SourceState sourceState(final int sourceId, final int senderUid)
    {
        final SourceState known = existing(sourceId, senderUid);
        if (null != known)
        {
            return known;
        }
        // A new incarnation (or a late one of an older): it takes the place of the older of the two known, unless
        // that one is the incarnation this endpoint lists, which stays whatever late frames come in between.
        final SourceState current = sources.get(sourceId);
        SourceState keep = current;
        if (null != current && null != current.previous)
        {
            final Entry entry = directory.get(sourceId);
            final Destination listed = null == entry ? null : entry.destination;
            if (null != listed && listed.uid == current.previous.senderUid)
            {
                keep = current.previous;
            }
        }
        final SourceState source = new SourceState(sourceId, senderUid, keep); // counts from zero
        sources.put(sourceId, source);
        return source;
    }

    /**
     * The counts of this incarnation, the latest one of its endpoint or the one before (a late frame of the
     * incarnation before arrives on its own association, at its own pace); null if it is neither.
     */
    private SourceState existing(final int sourceId, final int senderUid)
    {
        final SourceState current = sources.get(sourceId);
        if (null == current || current.senderUid == senderUid)
        {
            return current;
        }
        return null != current.previous && current.previous.senderUid == senderUid ? current.previous : null;
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
     * What the polling thread consumed from one sender incarnation; totals go back as credit. The incarnation before
     * it is kept too (frames of a dead incarnation, on their own association, can still arrive after the first frames
     * of its successor; counting them afresh would undercount both), but not the one before that.
     */
    private static final class SourceState
    {
        final int sourceId;
        final int senderUid;
        long consumedFrames;
        long consumedBytes;
        SourceState previous;
        /** Which reassembler its fragments go to: never the one of the other incarnation kept. */
        final int lane;

        SourceState(final int sourceId, final int senderUid, final SourceState previous)
        {
            this.sourceId = sourceId;
            this.senderUid = senderUid;
            if (null != previous)
            {
                previous.previous = null; // at most two incarnations per source
                this.previous = previous;
                this.lane = 1 - previous.lane; // the lane of the one dropped, whose message in progress is discarded
            }
            else
            {
                this.lane = 0;
            }
        }
    }
}
