package io.stmactors.transport.pekko;

import io.stmactors.transport.pekko.EndpointDirectory.Entry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * Sends the receive side's {@link WireMessage.Credit}s (see {@link Destination} for the protocol), and keeps the ones
 * it cannot send yet.
 * <p>
 * A credit goes to the sender incarnation's inbox, which this endpoint learns from the receptionist; that listing
 * travels by gossip and can arrive seconds after the sender's first frames (a sender learns the receiver's inbox on
 * its own schedule). A credit for a sender not listed here yet is kept, one per sender endpoint (the latest totals
 * replace older ones), and sent when the membership actor lists that incarnation's inbox ({@link #flush}). It used to
 * wait for the receiver's next poll instead: a receiver that had read everything and was waiting for the next message
 * left its sender blocked on a full window until the send timeout.
 * <p>
 * Thread-safety: {@link #send} and {@link #forget} are called by the polling thread, {@link #flush} by the membership
 * actor. A credit the poller keeps is checked against the directory again after it is stored, and the membership
 * actor publishes a destination before it flushes, so one of the two always sends it. Sending a credit twice is
 * harmless: the sender keeps the largest totals.
 */
final class CreditSender
{
    private final EndpointDirectory directory;
    private final int localId;
    private final long secret;
    private final IntSupplier selfUid;
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();

    /**
     * @param directory the endpoint directory, for the senders' inboxes.
     * @param localId   this endpoint's id.
     * @param secret    the cluster secret credits carry.
     * @param selfUid   this endpoint's inbox incarnation.
     */
    CreditSender(final EndpointDirectory directory, final int localId, final long secret, final IntSupplier selfUid)
    {
        this.directory = directory;
        this.localId = localId;
        this.secret = secret;
        this.selfUid = selfUid;
    }

    /**
     * Send a credit with these totals now, or keep it until the sender's inbox is listed. Polling thread.
     *
     * @param sourceId       the sender's endpoint id.
     * @param senderUid      the sender's inbox incarnation.
     * @param consumedFrames frames consumed from that incarnation.
     * @param consumedBytes  payload bytes consumed from it.
     */
    void send(final int sourceId, final int senderUid, final long consumedFrames, final long consumedBytes)
    {
        final Pending credit = new Pending(senderUid, consumedFrames, consumedBytes);
        if (trySend(sourceId, credit))
        {
            pending.computeIfPresent(sourceId, (id, kept) -> kept.senderUid == senderUid ? null : kept);
            return;
        }
        pending.put(sourceId, credit);
        flush(sourceId); // the inbox may have been listed (and flushed) between the first try and the put
    }

    /**
     * Drop a kept credit of another incarnation of this sender: frames from a new one arrived. Polling thread.
     *
     * @param sourceId  the sender's endpoint id.
     * @param senderUid the incarnation now sending.
     */
    void forget(final int sourceId, final int senderUid)
    {
        pending.computeIfPresent(sourceId, (id, kept) -> kept.senderUid == senderUid ? kept : null);
    }

    /**
     * Send every kept credit whose sender's inbox is now listed. Membership actor, after it changed a destination.
     */
    void flush()
    {
        if (!pending.isEmpty())
        {
            for (final Integer sourceId : pending.keySet())
            {
                flush(sourceId);
            }
        }
    }

    /**
     * @return how many credits wait for their sender's inbox to be listed.
     */
    int pendingCount()
    {
        return pending.size();
    }

    private void flush(final int sourceId)
    {
        final Pending credit = pending.get(sourceId);
        if (null != credit && trySend(sourceId, credit))
        {
            pending.remove(sourceId, credit);
        }
    }

    private boolean trySend(final int sourceId, final Pending credit)
    {
        final Entry entry = directory.get(sourceId);
        final Destination destination = null == entry ? null : entry.destination;
        if (null == destination || destination.uid != credit.senderUid)
        {
            return false;
        }
        destination.ref.tell(new WireMessage.Credit(localId, selfUid.getAsInt(), credit.senderUid, secret,
            credit.consumedFrames, credit.consumedBytes));
        return true;
    }

    private record Pending(int senderUid, long consumedFrames, long consumedBytes)
    {
    }
}
