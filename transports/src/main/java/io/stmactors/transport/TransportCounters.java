package io.stmactors.transport;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one {@link Transport}.
 * <p>
 * Send-side counters are incremented by any sending thread ({@link LongAdder}, no contended cache line);
 * receive-side counters have a single writer, the polling thread, which publishes with release stores so any
 * thread may read them. Readers see each counter individually up to date, not a consistent snapshot across
 * counters.
 */
public final class TransportCounters
{
    final LongAdder messagesSent = new LongAdder();
    final LongAdder framesSent = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder backPressureWaits = new LongAdder();
    final LongAdder backPressureTimeouts = new LongAdder();
    final LongAdder creditProbes = new LongAdder();

    final AtomicLong messagesReceived = new AtomicLong();
    final AtomicLong framesReceived = new AtomicLong();
    final AtomicLong bytesReceived = new AtomicLong();
    final AtomicLong framesRejected = new AtomicLong();
    final AtomicLong incompleteMessagesDiscarded = new AtomicLong();
    final AtomicLong framesLost = new AtomicLong();
    final AtomicLong ringUnblocks = new AtomicLong();

    TransportCounters()
    {
    }

    /** @return messages fully written to some inbox. */
    public long messagesSent()
    {
        return messagesSent.sum();
    }

    /** @return frames written (a large message is several frames). */
    public long framesSent()
    {
        return framesSent.sum();
    }

    /** @return payload bytes written. */
    public long bytesSent()
    {
        return bytesSent.sum();
    }

    /** @return times a sender found a full inbox and had to wait. */
    public long backPressureWaits()
    {
        return backPressureWaits.sum();
    }

    /** @return sends that gave up with {@link TransportBackPressureException}. */
    public long backPressureTimeouts()
    {
        return backPressureTimeouts.sum();
    }

    /**
     * @return credit probes sent: a sender of the Pekko transport that waited a quarter of its send timeout (50 ms to
     * 1 s) on a full window without any credit asked its receiver for its totals again, and again at doubling
     * intervals while that send waited. Always 0 for the shared-memory ring.
     */
    public long creditProbes()
    {
        return creditProbes.sum();
    }

    /** @return complete messages delivered to a {@link FrameHandler}. */
    public long messagesReceived()
    {
        return messagesReceived.get();
    }

    /** @return valid frames taken from the inbox. */
    public long framesReceived()
    {
        return framesReceived.get();
    }

    /** @return payload bytes of valid frames taken from the inbox. */
    public long bytesReceived()
    {
        return bytesReceived.get();
    }

    /** @return frames dropped for a {@link RejectReason}. */
    public long framesRejected()
    {
        return framesRejected.get();
    }

    /** @return partly received large messages thrown away. */
    public long incompleteMessagesDiscarded()
    {
        return incompleteMessagesDiscarded.get();
    }

    /**
     * @return frames a sender sent that never reached this endpoint's poll: the network lost them (Artery drops
     * messages when its outbound queue is full, or across a reconnect). The Pekko transport learns of them when the
     * sender's credit probe, sent behind them, arrives without them; a message of which a frame was lost is not
     * delivered. (Rarely, frames this endpoint took from a sender incarnation it then stopped counting, as it counts
     * four per sender, are counted here too.) Always 0 for the shared-memory ring, which loses nothing.
     */
    public long framesLost()
    {
        return framesLost.get();
    }

    /** @return times the inbox was unblocked after a producer died between claiming and committing a record. */
    public long ringUnblocks()
    {
        return ringUnblocks.get();
    }

    /**
     * Creates and updates a {@link TransportCounters} for a {@link Transport} implemented outside this package (the
     * counters' fields are package-private so that users cannot change them).
     * <p>
     * Thread-safety: the send-side methods may be called by any thread; the receive-side methods ({@code frame*},
     * {@code message*Received}, {@code incomplete*}) by the polling thread only, as the counters' single writer.
     */
    public static final class Recorder
    {
        private final TransportCounters counters = new TransportCounters();

        /** A recorder with every counter at zero. */
        public Recorder()
        {
        }

        /** @return the live counters this recorder updates. */
        public TransportCounters counters()
        {
            return counters;
        }

        /**
         * A frame was handed to the network. Any thread.
         *
         * @param payloadBytes payload bytes in it.
         */
        public void frameSent(final int payloadBytes)
        {
            counters.framesSent.increment();
            counters.bytesSent.add(payloadBytes);
        }

        /** A whole message was sent. Any thread. */
        public void messageSent()
        {
            counters.messagesSent.increment();
        }

        /** A sender had to wait for room (credit) at its destination. Any thread. */
        public void backPressureWait()
        {
            counters.backPressureWaits.increment();
        }

        /** A send gave up with {@link TransportBackPressureException}. Any thread. */
        public void backPressureTimeout()
        {
            counters.backPressureTimeouts.increment();
        }

        /** A sender asked its receiver for credit again (Pekko transport). Any thread. */
        public void creditProbe()
        {
            counters.creditProbes.increment();
        }

        /**
         * A valid frame was taken from the inbox. Polling thread only.
         *
         * @param payloadBytes payload bytes in it.
         */
        public void frameReceived(final int payloadBytes)
        {
            increment(counters.framesReceived);
            add(counters.bytesReceived, payloadBytes);
        }

        /** A complete message was delivered to a {@link FrameHandler}. Polling thread only. */
        public void messageReceived()
        {
            increment(counters.messagesReceived);
        }

        /** A frame was dropped for a {@link RejectReason}. Polling thread only. */
        public void frameRejected()
        {
            increment(counters.framesRejected);
        }

        /** A partly received message was thrown away. Polling thread only. */
        public void incompleteMessageDiscarded()
        {
            increment(counters.incompleteMessagesDiscarded);
        }

        /**
         * Frames sent to this endpoint were lost on the way. Polling thread only.
         *
         * @param frames how many.
         */
        public void framesLost(final long frames)
        {
            add(counters.framesLost, frames);
        }
    }

    static void increment(final AtomicLong singleWriterCounter)
    {
        singleWriterCounter.setRelease(singleWriterCounter.getPlain() + 1);
    }

    static void add(final AtomicLong singleWriterCounter, final long delta)
    {
        singleWriterCounter.setRelease(singleWriterCounter.getPlain() + delta);
    }

    /** {@inheritDoc} */
    public String toString()
    {
        return "TransportCounters{sent=" + messagesSent() + " msgs/" + framesSent() + " frames/" + bytesSent() +
            " B, received=" + messagesReceived() + " msgs/" + framesReceived() + " frames/" + bytesReceived() +
            " B, rejected=" + framesRejected() + ", discarded=" + incompleteMessagesDiscarded() + ", lost=" + framesLost() +
            ", backPressureWaits=" + backPressureWaits() + ", backPressureTimeouts=" + backPressureTimeouts() +
            ", creditProbes=" + creditProbes() +
            ", unblocks=" + ringUnblocks() + '}';
    }
}
