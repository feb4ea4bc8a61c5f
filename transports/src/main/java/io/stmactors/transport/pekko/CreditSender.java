package io.stmactors.transport.pekko;

import io.stmactors.transport.pekko.EndpointDirectory.Entry;
import io.stmactors.transport.pekko.EndpointDirectory.Status;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * Sends the receive side's {@link WireMessage.Credit}s (see {@link Destination} for the protocol), and keeps the ones
 * it cannot send yet.
 * <p>
 * A credit goes to the sender incarnation's inbox, which this endpoint learns from the receptionist; that listing
 * travels by gossip and can arrive seconds after the sender's first frames (a sender learns the receiver's inbox on
 * its own schedule). A credit for a sender not listed here yet is kept, one per sender incarnation (the latest totals
 * replace older ones), and sent when the membership actor lists that incarnation's inbox ({@link #flush}). A kept
 * credit is dropped once its sender's member is removed or another incarnation of it is listed; should that be
 * premature (a new incarnation seen before this endpoint saw the old one go), the sender's
 * {@link WireMessage.CreditProbe} asks again. Credits used to wait for the receiver's next poll: a receiver that had
 * read everything and was waiting for the next message left its sender blocked on a full window until the send
 * timeout.
 * <p>
 * Thread-safety: {@link #send} is called by the polling thread, {@link #flush} by the membership actor. A credit the
 * poller keeps is checked against the directory again after it is stored, and the membership actor publishes a
 * destination before it flushes, so one of the two always sends it. Sending a credit twice is harmless: the sender
 * keeps the largest totals. At most {@link #MAX_KEPT} credits are kept; beyond that one is not kept, and its
 * sender's probe asks again.
 */
final class CreditSender
{
    /** Most credits kept at once. */
    static final int MAX_KEPT = 256;
    private static final int SENT = 0;
    private static final int KEEP = 1;
    private static final int DROP = 2;

    private final EndpointDirectory directory;
    private final int localId;
    private final long secret;
    private final IntSupplier selfUid;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>(); // by sender endpoint id and incarnation

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
        final Pending credit = new Pending(sourceId, senderUid, consumedFrames, consumedBytes);
        final Long key = key(sourceId, senderUid);
        if (KEEP != trySend(credit))
        {
            pending.remove(key); // older totals of this incarnation: nothing left to send
            return;
        }
        if (pending.size() >= MAX_KEPT && !pending.containsKey(key))
        {
            return; // bounded (members that never come Up, say): the sender's probe asks again
        }
        pending.put(key, credit);
        flush(key); // the inbox may have been listed (and flushed) between the first try and the put
    }

    /**
     * Send every kept credit whose sender's inbox is now listed, and drop the ones whose sender is gone. Membership
     * actor, after it changed a destination or removed a member.
     */
    void flush()
    {
        if (!pending.isEmpty())
        {
            for (final Long key : pending.keySet())
            {
                flush(key);
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

    private void flush(final Long key)
    {
        final Pending credit = pending.get(key);
        if (null != credit && KEEP != trySend(credit))
        {
            pending.remove(key, credit);
        }
    }

    /**
     * @return {@link #SENT}; {@link #KEEP} if the sender is not a member yet or its inbox is not listed yet;
     * {@link #DROP} if it was removed or another incarnation of it is listed (if that other one is the older, and
     * this one is listed later, this one's probe asks again).
     */
    private int trySend(final Pending credit)
    {
        final Entry entry = directory.get(credit.sourceId);
        if (null == entry)
        {
            return KEEP;
        }
        final Destination destination = entry.destination;
        if (null != destination && destination.uid == credit.senderUid)
        {
            destination.ref.tell(new WireMessage.Credit(localId, selfUid.getAsInt(), credit.senderUid, secret,
                credit.consumedFrames, credit.consumedBytes));
            return SENT;
        }
        return Status.REMOVED == entry.status || null != destination ? DROP : KEEP;
    }

    private static Long key(final int sourceId, final int senderUid)
    {
        return ((long)sourceId << 32) | (senderUid & 0xFFFF_FFFFL);
    }

    private record Pending(int sourceId, int senderUid, long consumedFrames, long consumedBytes)
    {
    }
}
