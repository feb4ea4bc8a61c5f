package io.stmactors.stm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A put outside a transaction replacing the value of a key whose leaf's slot an inevitable transaction holds (it
 * locks what it reads) waits without spinning a core (its single read of the slot parks), and goes through once the
 * inevitable transaction commits. A guard: a review suspected that the put looped at full speed for as long as the
 * inevitable transaction ran; it does not.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TMapOutsideWaitTest {

    @Test
    void aPutIntoASlotAnInevitableTransactionHoldsWaitsWithoutSpinning() throws Exception {
        TMap<Integer, String> map = new TMap<>();
        map.put(1, "one");
        int sameSlot = 2;
        while ((MapTrie.spread(Integer.hashCode(sameSlot)) & (MapTrie.ROOT_SIZE - 1))
                != (MapTrie.spread(Integer.hashCode(1)) & (MapTrie.ROOT_SIZE - 1))) {
            sameSlot++;
        }
        Integer neighbour = sameSlot;
        map.put(neighbour, "neighbour");
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread inevitable = new Thread(() -> Stm.atomic(() -> {
            Stm.inevitable();
            map.get(1); // locks the slot of key 1's leaf until the commit
            holding.countDown();
            release.await(); // I/O, say
        }), "inevitable");
        inevitable.start();
        assertTrue(holding.await(10, TimeUnit.SECONDS));

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        AtomicLong cpuNanos = new AtomicLong(-1);
        Thread putter = new Thread(() -> {
            map.put(neighbour, "replaced"); // another key of the same leaf: waits for the slot
            cpuNanos.set(threads.getCurrentThreadCpuTime());
        }, "putter");
        putter.start();
        putter.join(1_000);
        assertTrue(putter.isAlive(), "the put waits while the inevitable transaction holds the slot");
        release.countDown();
        inevitable.join(10_000);
        putter.join(10_000);
        assertEquals("replaced", map.get(neighbour));
        assertEquals("one", map.get(1));
        assertTrue(cpuNanos.get() >= 0 && cpuNanos.get() < TimeUnit.MILLISECONDS.toNanos(400),
                "the put used " + TimeUnit.NANOSECONDS.toMillis(cpuNanos.get()) + " ms of CPU in about 1 s of waiting");
    }
}
