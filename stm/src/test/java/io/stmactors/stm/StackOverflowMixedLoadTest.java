package io.stmactors.stm;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Overflows everywhere at once: three threads recurse, each level a transfer between accounts of a
 * {@link TMap} and of {@link TLong}s, some inevitable, some offering to a bounded {@link TQueue}
 * that a fourth thread drains with {@code take()} (a retry); each round every thread recurses until
 * its stack overflows, on a stack of another size, so the overflows strike all over the engine
 * (commits, the token, wake-ups, the map's insertions). Nothing may hang, money is conserved in
 * both kinds of account, and every element offered by a committed transaction is taken.
 */
@Tag("stress")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StackOverflowMixedLoadTest {
    private static final int ACCOUNTS = 16;
    private static final int ROUNDS = 30;

    private final TMap<Integer, Long> map = new TMap<>();
    private final TLong[] longs = new TLong[ACCOUNTS];
    private final TQueue<Integer> queue = TQueue.bounded(64);
    /** Offers that committed, counted in the offering transaction itself. */
    private final TLong offered = TLong.of(0);
    private final AtomicLong taken = new AtomicLong();
    private volatile boolean stop;

    {
        for (int i = 0; i < ACCOUNTS; i++) {
            map.put(i, 100L);
            longs[i] = TLong.of(100);
        }
    }

    private void level(int depth) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int from = random.nextInt(ACCOUNTS);
        int to = random.nextInt(ACCOUNTS);
        int kind = random.nextInt(10);
        try {
            Stm.atomic(() -> {
                if (kind == 0) {
                    Stm.inevitable();
                }
                map.put(from, map.get(from) - 1);
                map.put(to, map.get(to) + 1);
                longs[from].add(-1);
                longs[to].add(1);
                if (kind < 3 && queue.offer(depth)) {
                    offered.increment();
                }
            });
        } catch (StackOverflowError e) {
            // near the end of the stack: keep going until the recursion itself overflows
        }
        level(depth + 1);
    }

    private long total(java.util.function.IntToLongFunction account) {
        return Stm.atomic(() -> {
            long sum = 0;
            for (int i = 0; i < ACCOUNTS; i++) {
                sum += account.applyAsLong(i);
            }
            return sum;
        });
    }

    @Test
    void nothingHangsMoneyIsConservedAndNoOfferIsLost() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread consumer = StmTestSupport.startDaemon("consumer", () -> {
            try {
                while (!stop) {
                    Integer got = Stm.atomic(() -> stop ? null : queue.take());
                    if (got != null && got >= 0) {
                        taken.incrementAndGet();
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        for (int round = 0; round < ROUNDS; round++) {
            Thread[] threads = new Thread[3];
            for (int i = 0; i < threads.length; i++) {
                threads[i] = new Thread(null, () -> {
                    try {
                        level(0);
                    } catch (StackOverflowError expected) {
                        // the recursion's end
                    }
                    try {
                        Stm.atomic(() -> map.get(0)); // its next transaction settles what the overflow left
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }, "overflowing-" + round + "-" + i, (200 + 37 * i + 53 * round) * 1024L);
                threads[i].setDaemon(true);
                threads[i].start();
            }
            for (Thread t : threads) {
                t.join(60_000);
                int r = round;
                assertFalse(t.isAlive(), () -> "round " + r + ": " + t.getName() + " hangs at "
                        + Arrays.toString(t.getStackTrace()));
            }
            assertEquals(100L * ACCOUNTS, total(map::get), "money in the map, round " + round);
            assertEquals(100L * ACCOUNTS, total(i -> longs[i].get()), "money in the counters, round " + round);
        }
        StmTestSupport.await("the consumer to drain the queue", 20_000, () -> Stm.atomic(queue::size) == 0);
        stop = true;
        Stm.atomic(() -> queue.offer(-1)); // wakes the consumer, which then sees stop
        consumer.join(20_000);
        assertFalse(consumer.isAlive(), "the consumer still waits in take()");
        assertNull(failure.get());
        assertEquals(offered.get(), taken.get(), "committed offers against takes");
    }
}
