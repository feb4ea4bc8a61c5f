package io.stmactors.transport.internal;

import io.stmactors.transport.TransportBackPressureException;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock that keeps the fragments of one large message to a destination contiguous, taken within the send
 * timeout: a thread whose large message waits behind another thread's (which may hold the lock for as long as that
 * message takes to drain, one send timeout per fragment) gets a {@link TransportBackPressureException} once its own
 * send timeout has passed, as a full inbox gives it, instead of waiting without bound. An interrupt does not cut the
 * wait short (sends never did); the thread's interrupt status is kept.
 * <p>
 * Thread-safe.
 */
public final class FragmentLock
{
    private final ReentrantLock lock = new ReentrantLock();

    /**
     * Takes the lock, waiting at most {@code timeout}.
     *
     * @param destinationId the destination, for the exception.
     * @param capacity      its ring (or window) capacity in bytes, for the exception.
     * @param timeout       the send timeout.
     * @throws TransportBackPressureException if another thread held the lock for the whole timeout.
     */
    public void lock(final int destinationId, final int capacity, final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        try
        {
            while (true)
            {
                try
                {
                    if (lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
                    {
                        return;
                    }
                    throw new TransportBackPressureException(destinationId, capacity,
                        "Another thread of this process was still sending a large message to endpoint " +
                        destinationId + " after " + timeout.toMillis() + " ms (the fragments of one message go " +
                        "one message at a time); the message was not delivered");
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

    /** Releases the lock. */
    public void unlock()
    {
        lock.unlock();
    }

    /** Whether the calling thread holds the lock. */
    public boolean isHeldByCurrentThread()
    {
        return lock.isHeldByCurrentThread();
    }
}
