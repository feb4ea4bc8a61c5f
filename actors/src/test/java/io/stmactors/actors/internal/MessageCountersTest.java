package io.stmactors.actors.internal;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-worker message counters: every increment made on a worker is in the sum while the worker
 * lives and after it ends (the pool retires workers; their counts must not be lost or counted
 * twice), and counting from a thread that is not a worker goes to the shared totals.
 */
class MessageCountersTest {

    @Test
    void countsOfLiveAndEndedWorkersAndOfOtherThreadsAllAddUp() throws Exception {
        MessageCounters counters = new MessageCounters();
        ForkJoinPool pool = new ForkJoinPool(2, p -> new WorkerThread(p, counters), null, true);
        int tasks = 200;
        int perTask = 1_000;
        CountDownLatch done = new CountDownLatch(tasks);
        for (int t = 0; t < tasks; t++) {
            int slot = t % 37; // spread over slots past the initial array, so arrays grow while counting
            pool.execute(() -> {
                for (int i = 0; i < perTask; i++) {
                    counters.add(slot, 1);
                }
                done.countDown();
            });
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        long live = 0;
        for (int slot = 0; slot < 37; slot++) {
            live += counters.sum(slot);
        }
        assertEquals((long) tasks * perTask, live, "sum over live workers");

        counters.add(3, 5); // the test thread is not a worker
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        long after = 0;
        for (int slot = 0; slot < 37; slot++) {
            after += counters.sum(slot);
        }
        assertEquals((long) tasks * perTask + 5, after, "after the workers ended: folded in once, nothing lost");
        int slot3Tasks = 0;
        for (int t = 0; t < tasks; t++) {
            if (t % 37 == 3) {
                slot3Tasks++;
            }
        }
        assertEquals((long) slot3Tasks * perTask + 5, counters.sum(3), "per slot");
        assertEquals(0, counters.sum(500), "a slot never counted");
    }
}
