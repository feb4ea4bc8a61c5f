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

    final AtomicLong messagesReceived = new AtomicLong();
    final AtomicLong framesReceived = new AtomicLong();
    final AtomicLong bytesReceived = new AtomicLong();
    final AtomicLong framesRejected = new AtomicLong();
    final AtomicLong incompleteMessagesDiscarded = new AtomicLong();
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

    /** @return times the inbox was unblocked after a producer died between claiming and committing a record. */
    public long ringUnblocks()
    {
        return ringUnblocks.get();
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
            " B, rejected=" + framesRejected() + ", discarded=" + incompleteMessagesDiscarded() +
            ", backPressureWaits=" + backPressureWaits() + ", backPressureTimeouts=" + backPressureTimeouts() +
            ", unblocks=" + ringUnblocks() + '}';
    }
}
