package io.stmactors.transport.pekko;

import io.stmactors.transport.EndpointClosedException;
import io.stmactors.transport.TransportBackPressureException;
import io.stmactors.transport.TransportCounters;
import io.stmactors.transport.TransportException;
import io.stmactors.transport.internal.FragmentLock;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.concurrent.TimeUnit;

/**
 * One incarnation of a remote (or the local) endpoint's inbox, as seen by senders: its actor ref and the
 * end-to-end flow control that keeps Artery from dropping messages.
 *
 * <h2>Why flow control</h2>
 * Artery queues outgoing messages per destination system in a fixed-size queue
 * ({@code outbound-message-queue-size}, 3072) and <em>drops</em> messages when it is full; a fast sender would lose
 * messages silently. So a sender may have at most {@code windowFrames} frames and {@code windowBytes} payload bytes
 * in flight to one destination; beyond that it waits for credit, up to the send timeout.
 *
 * <h2>Credit protocol</h2>
 * Frames to this destination are numbered 1, 2, ... ({@code sentFrames}) and handed to Artery in that order (the
 * tell happens under this object's monitor), so the receiver consumes them in that order. A frame carries
 * {@link WireMessage#CREDIT_REQUEST_FLAG} when it brings the frames or bytes sent since the last request still
 * outstanding (since the last credit, when none is) to half of either window; the receiver's poll answers that frame
 * with a {@link WireMessage.Credit} holding its consumed totals, which are then at least that frame's number (if
 * the receiver has not listed this sender's inbox yet, its {@link CreditSender} sends that credit once it has). So
 * when the credit for a request arrives, what is in flight is what was sent after the flagged frame: either less
 * than half of each window, and a full frame fits again (a window holds at least two full frames), or half a window
 * or more, and one of those frames carried the next request, which is still outstanding. A sender blocked on a full
 * window therefore always has a request in flight: no deadlock while the receiver polls. (Flagging only when no
 * request was outstanding, as before 2026-12-03, let a run of small frames raise the request and the large frames
 * after it fill the byte window unflagged: after the credit for the small ones a large frame no longer fit and no
 * request was left to bring the next credit.) A steady stream costs one credit per half window; a request-reply
 * exchange with less than half a window in flight costs none.
 * <p>
 * Artery delivers at most once, so a credit, or a frame, can be lost (Artery drops messages when its outbound queue
 * is full, for example behind other traffic to the same member, or across a reconnect). A sender that has waited
 * {@link #probeIntervalNs} on a full window since it began to wait or since the latest credit or probe tells the
 * receiver a {@link WireMessage.CreditProbe} with its totals, and more while it waits, at doubling intervals (each
 * wait starts again at the first; never while the destination is unreachable). The probe travels behind the frames
 * sent before it, in order (one Artery association and lane per destination actor), so when the receiver's poll
 * takes it, each of those frames has either been taken or was lost: the receiver counts the shortfall as lost
 * ({@link io.stmactors.transport.TransportCounters#framesLost()}, a WARN), counts it consumed, and answers with
 * the totals, so a lost credit costs a probe interval and a lost frame no longer takes its room in the window for
 * good. (Should Artery ever deliver a frame after a probe sent behind it, conceivably across a TCP reconnect whose
 * old connection's last bytes are read after the new one's first, that frame would count twice and over-commit the
 * window to that receiver by one frame, which Artery's queue absorbs.) A probe from an incarnation the receiver
 * neither lists nor took anything from is not answered (a straggler of a dead one; a sender not listed yet is
 * answered at a later probe).
 *
 * <h2>Concurrency</h2>
 * Counters, the outstanding request, {@code closedReason} and {@code unreachable} are guarded by this object's
 * monitor; senders wait on it for credit (never spinning: every wait is at least until the next probe is due or,
 * while unreachable, until the deadline), and the inbox actor ({@link #onCredit}), the membership actor
 * ({@link #markUnreachable}, {@link #close}) and a closing transport ({@link #close}) notify. {@link #fragmentLock}
 * keeps the chunks of one large message from this endpoint contiguous at the receiver (one message in reassembly
 * per source); whole messages of other threads may interleave with them.
 */
final class Destination
{
    final int endpointId;
    final int uid;
    final ActorRef<WireMessage> ref;
    final String address;
    final FragmentLock fragmentLock = new FragmentLock();

    /**
     * Within one wait, each probe doubles the time to the next, up to 2^this times the first; every wait starts again
     * at the first interval (a quarter of the send timeout), so every send that waits long enough probes.
     */
    private static final int MAX_PROBE_BACKOFF = 6;

    private final int windowFrames;
    private final int windowBytes;

    /** The bytes a sender may have in flight to this destination. */
    int windowBytes()
    {
        return windowBytes;
    }
    private final ProbeFactory probes;

    private long sentFrames; // guarded by this
    private long sentBytes; // guarded by this
    private long ackedFrames; // guarded by this
    private long ackedBytes; // guarded by this
    private long outstandingRequest; // guarded by this; number of the latest flagged frame not yet answered, or 0
    private long outstandingRequestBytes; // guarded by this; sentBytes once that frame was counted
    private boolean progressSeen; // guarded by this; whether lastProgressNs holds a time
    private long lastProgressNs; // guarded by this; when the latest credit arrived or probe went out
    private boolean unreachable; // guarded by this
    private String closedReason; // guarded by this
    private int closedEndpointId; // guarded by this

    Destination(
        final int endpointId,
        final int uid,
        final ActorRef<WireMessage> ref,
        final String address,
        final int windowFrames,
        final int windowBytes,
        final ProbeFactory probes)
    {
        this.endpointId = endpointId;
        this.uid = uid;
        this.ref = ref;
        this.address = address;
        this.windowFrames = windowFrames;
        this.windowBytes = windowBytes;
        this.probes = probes;
    }

    /**
     * Wait for credit, then tell one frame; frames told by this method reach Artery in numbering order.
     *
     * @param frameFactory builds the frame once its flags are known.
     * @param payloadBytes payload length, for the byte window.
     * @param deadlineNs   {@link System#nanoTime()} after which the wait fails.
     * @param sendTimeout  the configured timeout, for the exception message.
     * @param recorder     counts waits and timeouts.
     * @throws EndpointClosedException        if this destination or the local transport closed, or the destination
     *                                        stayed unreachable until the deadline.
     * @throws TransportBackPressureException if the destination granted no credit before the deadline.
     */
    synchronized void send(
        final FrameFactory frameFactory,
        final int payloadBytes,
        final long deadlineNs,
        final java.time.Duration sendTimeout,
        final TransportCounters.Recorder recorder)
    {
        boolean waited = false;
        long waitStartNs = 0;
        int probesThisWait = 0;
        while (true)
        {
            if (null != closedReason)
            {
                throw new EndpointClosedException(closedEndpointId, closedReason);
            }
            final boolean framesFit = sentFrames - ackedFrames < windowFrames;
            final boolean bytesFit = sentBytes - ackedBytes + payloadBytes <= windowBytes || sentBytes == ackedBytes;
            if (framesFit && bytesFit)
            {
                break;
            }
            final long now = System.nanoTime();
            if (!waited)
            {
                waited = true;
                waitStartNs = now;
                recorder.backPressureWait();
            }
            final long remainingNs = deadlineNs - now;
            if (remainingNs <= 0)
            {
                if (unreachable)
                {
                    throw new EndpointClosedException(endpointId, "it stayed unreachable for the send timeout of " +
                        sendTimeout.toMillis() + " ms (" + address + ")");
                }
                recorder.backPressureTimeout();
                if (0 == probesThisWait && (!progressSeen || now - lastProgressNs >= probeIntervalNs(sendTimeout)))
                {
                    // The deadline came before the first probe was due (time spent before this wait): probe now,
                    // unless another waiter just did, so that the credit of a lost credit or frame comes back for
                    // the next send.
                    progressSeen = true;
                    lastProgressNs = now;
                    recorder.creditProbe();
                    ref.tell(probes.probe(sentFrames, sentBytes));
                }
                throw new TransportBackPressureException(endpointId, windowBytes, "The send window to endpoint " +
                    endpointId + " stayed full for " + sendTimeout.toMillis() + " ms: " + (sentFrames - ackedFrames) +
                    " frames / " + (sentBytes - ackedBytes) + " bytes in flight of a window of " + windowFrames +
                    " frames / " + windowBytes + " bytes, " + payloadBytes + " more bytes to send, " +
                    (0 == outstandingRequest ? "no credit request outstanding" :
                    "credit requested at frame " + outstandingRequest + " of " + sentFrames) +
                    " (its consumer is stuck or slow: no credit came back in time); the message was not delivered");
            }
            if (unreachable)
            {
                awaitNanos(remainingNs); // no probe into the void: markUnreachable(false) wakes us
                continue;
            }
            final long quietSinceNs = progressSeen && lastProgressNs - waitStartNs > 0 ? lastProgressNs : waitStartNs;
            final long untilProbeNs =
                quietSinceNs + (probeIntervalNs(sendTimeout) << Math.min(probesThisWait, MAX_PROBE_BACKOFF)) - now;
            if (untilProbeNs <= 0)
            {
                progressSeen = true;
                lastProgressNs = now; // one probe per interval, however many threads wait
                probesThisWait++;
                recorder.creditProbe();
                ref.tell(probes.probe(sentFrames, sentBytes));
                continue;
            }
            awaitNanos(Math.min(remainingNs, untilProbeNs));
        }

        sentFrames++;
        sentBytes += payloadBytes;
        byte extraFlags = 0;
        final long sinceFrames = sentFrames - (0 == outstandingRequest ? ackedFrames : outstandingRequest);
        final long sinceBytes = sentBytes - (0 == outstandingRequest ? ackedBytes : outstandingRequestBytes);
        if (2 * sinceFrames >= windowFrames || 2 * sinceBytes >= windowBytes)
        {
            extraFlags = WireMessage.CREDIT_REQUEST_FLAG;
            outstandingRequest = sentFrames;
            outstandingRequestBytes = sentBytes;
        }
        ref.tell(frameFactory.frame(extraFlags));
        recorder.frameSent(payloadBytes);
    }

    /**
     * Tell a frame without waiting for credit (an abort marker, which carries no payload). It is still numbered,
     * because the receiver counts it.
     *
     * @param frame the frame.
     */
    synchronized void sendWithoutCredit(final WireMessage.Frame frame)
    {
        if (null == closedReason)
        {
            sentFrames++;
            ref.tell(frame);
        }
    }

    /**
     * Credit arrived from the receiver. Inbox actor thread.
     *
     * @param consumedFrames total frames the receiver consumed.
     * @param consumedBytes  total payload bytes the receiver consumed.
     */
    synchronized void onCredit(final long consumedFrames, final long consumedBytes)
    {
        ackedFrames = Math.max(ackedFrames, Math.min(consumedFrames, sentFrames));
        ackedBytes = Math.max(ackedBytes, Math.min(consumedBytes, sentBytes));
        progressSeen = true;
        lastProgressNs = System.nanoTime();
        if (consumedFrames >= outstandingRequest)
        {
            outstandingRequest = 0; // the latest request is answered (a credit for an earlier one leaves it waiting)
        }
        notifyAll();
    }

    /**
     * @param unreachable whether the failure detector currently suspects the destination. Membership actor.
     */
    synchronized void markUnreachable(final boolean unreachable)
    {
        this.unreachable = unreachable;
        notifyAll();
    }

    /**
     * Make every current and future send fail with {@link EndpointClosedException}. Idempotent; the first reason
     * stays.
     *
     * @param closedEndpointId the endpoint the exception names (this destination, or the local one when the local
     *                         transport closed).
     * @param reason           why.
     */
    synchronized void close(final int closedEndpointId, final String reason)
    {
        if (null == closedReason)
        {
            this.closedEndpointId = closedEndpointId;
            this.closedReason = reason;
            notifyAll();
        }
    }

    /**
     * @return whether sends to this incarnation may currently succeed.
     */
    synchronized boolean isUsable()
    {
        return null == closedReason && !unreachable;
    }

    /**
     * @return frames sent to this incarnation and not yet credited.
     */
    synchronized long inFlightFrames()
    {
        return sentFrames - ackedFrames;
    }

    /** {@inheritDoc} */
    public synchronized String toString()
    {
        return "Destination{endpoint=" + endpointId + ", uid=" + uid + ", address=" + address + ", inFlight=" +
            (sentFrames - ackedFrames) + " frames/" + (sentBytes - ackedBytes) + " B, unreachable=" + unreachable +
            ", closed=" + closedReason + '}';
    }

    /**
     * How long a sender waits on a full window without any credit before it sends a
     * {@link WireMessage.CreditProbe}: a quarter of the send timeout, within 50 ms to 1 s. A credit answers a
     * request within a round trip and a poll, so a probe goes out only when the receiver is slow or a credit
     * was lost.
     *
     * @param sendTimeout the send timeout.
     * @return the interval in nanoseconds.
     */
    static long probeIntervalNs(final java.time.Duration sendTimeout)
    {
        // Never past half the send timeout: a wait must probe before it gives up, or a lost credit (or frame)
        // would wedge the window for good under a send timeout shorter than the floor.
        return Math.min(Math.max(1, sendTimeout.toNanos() / 2), Math.max(TimeUnit.MILLISECONDS.toNanos(50),
            Math.min(TimeUnit.SECONDS.toNanos(1), sendTimeout.toNanos() / 4)));
    }

    private void awaitNanos(final long nanos)
    {
        try
        {
            TimeUnit.NANOSECONDS.timedWait(this, nanos);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new TransportException("send to endpoint " + endpointId + " was interrupted while waiting for credit",
                ex);
        }
    }

    /**
     * Builds the {@link WireMessage.CreditProbe} this endpoint's inbox incarnation sends.
     */
    @FunctionalInterface
    interface ProbeFactory
    {
        /**
         * @param sentFrames frames sent to this destination so far, in total.
         * @param sentBytes  payload bytes of those frames, in total.
         * @return the probe.
         */
        WireMessage.CreditProbe probe(long sentFrames, long sentBytes);
    }

    /**
     * Builds the frame to send once the flow-control flags are known.
     */
    @FunctionalInterface
    interface FrameFactory
    {
        /**
         * @param extraFlags {@link WireMessage#CREDIT_REQUEST_FLAG} or 0, to be or-ed into the frame's flags.
         * @return the frame.
         */
        WireMessage.Frame frame(byte extraFlags);
    }
}
