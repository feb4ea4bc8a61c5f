package io.stmactors.transport.internal;

import io.stmactors.transport.TransportBackPressureException;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock that keeps the fragments of one large message to a destination contiguous. A thread whose large message
 * waits behind another thread's waits as long as that message makes progress (its holder reports each fragment
 * written, {@link #progressed()}), and gets a {@link TransportBackPressureException} once a whole send timeout
 * passed without any: as a full inbox gives it, and never without bound. Waiters take the lock in arrival order
 * (a fair lock), so none is passed over for good. An interrupt does not cut the wait short (sends never did); the
 * thread's interrupt status is kept.
 * <p>
 * Thread-safe.
 */
public final class FragmentLock
{
    private final ReentrantLock lock = new ReentrantLock(true);
    /** When the holder last made progress: took the lock, or wrote a fragment. */
    private volatile long lastProgressNs = System.nanoTime();

    /**
     * Takes the lock, waiting as long as the holder makes progress, and at most {@code timeout} without any (and
     * at least {@code timeout} in all).
     *
     * @param destinationId the destination, for the exception.
     * @param capacity      its ring (or window) capacity in bytes, for the exception.
     * @param timeout       the send timeout.
     * @throws TransportBackPressureException if the holder wrote no fragment for the whole timeout.
     */
    public void lock(final int destinationId, final int capacity, final Duration timeout)
    {
        final long timeoutNs = timeout.toNanos();
        final long start = System.nanoTime();
        boolean interrupted = false;
        try
        {
            while (true)
            {
                final long progress = lastProgressNs;
                final long left = (progress - start > 0 ? progress : start) + timeoutNs - System.nanoTime();
                if (left <= 0)
                {
                    throw new TransportBackPressureException(destinationId, capacity,
                        "Another thread of this process is sending a large message to endpoint " + destinationId +
                        ", which took no fragment for " + timeout.toMillis() + " ms (the fragments of one message " +
                        "go one message at a time); the message was not delivered");
                }
                try
                {
                    if (lock.tryLock(left, TimeUnit.NANOSECONDS))
                    {
                        lastProgressNs = System.nanoTime();
                        return;
                    }
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The holder wrote one more fragment: waiters wait on. */
    public void progressed()
    {
        lastProgressNs = System.nanoTime();
    }

    /** Releases the lock. */
    public void unlock()
    {
        lock.unlock();
    }
}
