package io.stmactors.stm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A single read outside a transaction waits while an inevitable transaction holds the reference.
 * A thread whose interrupt flag is set must wait there without burning a core (a park returns at
 * once for an interrupted thread), and must keep its flag.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InterruptedWaitTest {

    @Test
    void anInterruptedSingleReadOfALockedReferenceDoesNotSpin() throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx.isCurrentThreadCpuTimeSupported());
        TLong x = TLong.of(7);
        CountDownLatch held = new CountDownLatch(1);
        long holdMillis = 400;
        CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> Stm.atomic(() -> {
            Stm.inevitable();
            x.set(x.get() + 1); // an inevitable transaction locks what it reads and writes
            held.countDown();
            Thread.sleep(holdMillis);
        }));
        assertTrue(held.await(20, TimeUnit.SECONDS));
        Thread.currentThread().interrupt();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        long value;
        boolean stillInterrupted;
        try {
            value = x.get();
        } finally {
            stillInterrupted = Thread.interrupted();
        }
        long wall = System.nanoTime() - wall0;
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        holder.get(20, TimeUnit.SECONDS);
        assertEquals(8, value, "the read waited for the commit");
        assertTrue(stillInterrupted, "the interrupt flag is kept");
        assertTrue(wall > TimeUnit.MILLISECONDS.toNanos(holdMillis / 4), "it did wait: " + wall / 1_000_000 + " ms");
        assertTrue(cpu < wall / 2, "waited without spinning: " + cpu / 1_000_000 + " ms of CPU in "
                + wall / 1_000_000 + " ms");
    }
}
