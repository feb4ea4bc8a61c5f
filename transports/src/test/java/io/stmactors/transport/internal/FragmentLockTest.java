package io.stmactors.transport.internal;

import io.stmactors.transport.TransportBackPressureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sender waiting behind another thread's large message waits while that message makes progress, and gives up
 * with back-pressure once a whole send timeout passed without any. (A plain lock waited for the whole message
 * however long it stood still; a lock bounded by the timeout alone failed senders behind a message that was slowly
 * but steadily going out.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FragmentLockTest
{
    private static final long PROGRESS_MS = 2_000; // the holder writes a fragment every 50 ms for this long
    private static final long STALL_MS = 6_000; // then writes nothing for this long before it lets go
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    @Test
    void aWaiterWaitsWhileTheHolderProgressesAndGivesUpOnceItStalls() throws Exception
    {
        final FragmentLock lock = new FragmentLock();
        final CountDownLatch held = new CountDownLatch(1);
        final Thread holder = new Thread(() ->
        {
            lock.lock(1, 4096, TIMEOUT);
            try
            {
                held.countDown();
                final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROGRESS_MS);
                while (System.nanoTime() < until)
                {
                    sleep(50);
                    lock.progressed();
                }
                sleep(STALL_MS);
            }
            finally
            {
                lock.unlock();
            }
        });
        holder.start();
        assertTrue(held.await(10, TimeUnit.SECONDS));

        final long start = System.nanoTime();
        final AtomicReference<Throwable> outcome = new AtomicReference<>();
        final AtomicLong gaveUpAfterMs = new AtomicLong(-1);
        final Thread waiter = new Thread(() ->
        {
            try
            {
                lock.lock(1, 4096, TIMEOUT);
                lock.unlock();
            }
            catch (final Throwable t)
            {
                outcome.set(t);
            }
            gaveUpAfterMs.set((System.nanoTime() - start) / 1_000_000);
        });
        waiter.start();
        waiter.join(TimeUnit.SECONDS.toMillis(30));
        holder.join(TimeUnit.SECONDS.toMillis(30));

        assertInstanceOf(TransportBackPressureException.class, outcome.get(),
            "the waiter gave up on a holder that stood still (it returned after " + gaveUpAfterMs.get() + " ms)");
        assertTrue(outcome.get().getMessage().contains("large message to endpoint 1"), outcome.get().getMessage());
        assertTrue(gaveUpAfterMs.get() >= PROGRESS_MS,
            "the waiter waited while the holder made progress, past its own timeout: it gave up after " +
            gaveUpAfterMs.get() + " ms");
        assertTrue(gaveUpAfterMs.get() < PROGRESS_MS + STALL_MS,
            "the waiter gave up before the holder let go: after " + gaveUpAfterMs.get() + " ms");
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
