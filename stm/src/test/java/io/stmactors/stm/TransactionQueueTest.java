package io.stmactors.stm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TransactionQueueTest {
    private static final int BUCKETS = 1024;

    /** Task {@code i} adds {@code i} to bucket {@code i % BUCKETS}: mostly independent work. */
    private static void addIndependentTasks(TransactionQueue tq, TArray<Long> buckets, int n) {
        for (int i = 0; i < n; i++) {
            int x = i;
            tq.add(() -> buckets.set(x % BUCKETS, buckets.get(x % BUCKETS) + x));
        }
    }

    private static TArray<Long> zeros(int n) {
        Long[] init = new Long[n];
        java.util.Arrays.fill(init, 0L);
        return TArray.of(init);
    }

    @Test
    @Timeout(120)
    void hundredThousandIndependentTasksGiveTheSerialResult() {
        int n = 100_000;
        TArray<Long> serial = zeros(BUCKETS);
        TransactionQueue one = new TransactionQueue();
        addIndependentTasks(one, serial, n);
        RunStats serialStats = one.run(1);
        assertEquals(n, serialStats.tasks());
        assertEquals(0, serialStats.aborts(), "a single worker cannot conflict");

        TArray<Long> parallel = zeros(BUCKETS);
        TransactionQueue two = new TransactionQueue();
        addIndependentTasks(two, parallel, n);
        assertEquals(n, two.size());
        RunStats stats = two.run(2);
        System.out.println("100k independent tasks on 2 threads: " + stats);
        assertEquals(n, stats.tasks());
        assertTrue(stats.commits() >= n);
        assertTrue(two.isEmpty());
        assertEquals(serial.snapshot(), parallel.snapshot());
        for (int b = 0; b < BUCKETS; b++) {
            long expected = 0;
            for (int i = b; i < n; i += BUCKETS) {
                expected += i;
            }
            assertEquals(expected, parallel.get(b), "bucket " + b);
        }
    }

    @Test
    @Timeout(60)
    void conflictingTasksStillSerialize() {
        TLong counter = TLong.named("tq.counter", 0);
        TransactionQueue tq = new TransactionQueue();
        for (int i = 0; i < 20_000; i++) {
            tq.add(counter::increment);
        }
        RunStats stats = tq.run(2);
        assertEquals(20_000, counter.get());
        assertEquals(20_000, stats.tasks());
        assertTrue(stats.abortRate() >= 0 && stats.abortRate() < 1);
    }

    /** Each task of depth d adds two tasks of depth d - 1: 2^(D+1) - 1 tasks in all. */
    @Test
    @Timeout(60)
    void tasksThatAddTasksRunUntilTheTreeIsDone() {
        int depth = 12;
        TMap<Integer, Integer> perDepth = TMap.named("perDepth");
        TransactionQueue tq = new TransactionQueue();
        tq.add(treeTask(tq, perDepth, depth));
        RunStats stats = tq.run(2);
        assertEquals((1 << (depth + 1)) - 1, stats.tasks());
        for (int d = 0; d <= depth; d++) {
            assertEquals(1 << (depth - d), perDepth.get(d), "tasks at depth " + d);
        }
        assertTrue(tq.isEmpty());
    }

    private static TxnRunnable treeTask(TransactionQueue tq, TMap<Integer, Integer> perDepth, int d) {
        return () -> {
            perDepth.merge(d, 1, Integer::sum);
            if (d > 0) {
                tq.add(treeTask(tq, perDepth, d - 1));
                tq.add(treeTask(tq, perDepth, d - 1));
            }
        };
    }

    @Test
    @Timeout(60)
    void aFailingTaskStopsTheRunAndASecondRunFinishesTheRest() {
        int n = 200;
        int bad = 50;
        TArray<Integer> runs = TArray.of(new Integer[n]);
        TransactionQueue tq = new TransactionQueue();
        IllegalStateException boom = new IllegalStateException("task " + bad + " fails");
        for (int i = 0; i < n; i++) {
            int x = i;
            tq.add(() -> {
                Integer before = runs.get(x);
                runs.set(x, before == null ? 1 : before + 1);
                if (x == bad) {
                    tq.add(() -> runs.set(0, -1000)); // a child of a failed task: must never run
                    throw boom;
                }
            });
        }
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> tq.run(2));
        assertSame(boom, thrown, "run rethrows the task's exception unchanged");
        int left = tq.size();
        assertTrue(left >= n - bad - 3, "the tasks not yet started stay queued, left=" + left);
        assertNull(runs.get(bad), "the failed task's writes are rolled back");

        RunStats second = tq.run(2);
        assertEquals(left, second.tasks());
        assertTrue(tq.isEmpty());
        for (int i = 0; i < n; i++) {
            assertEquals(i == bad ? null : Integer.valueOf(1), runs.get(i), "task " + i + " ran exactly once");
        }
    }

    @Test
    @Timeout(60)
    void aTaskThatCatchesAFailingNestedBlockKeepsItsOtherChildren() {
        TLong ran = TLong.of(0);
        TransactionQueue tq = new TransactionQueue();
        tq.add(() -> {
            tq.add(ran::increment);
            try {
                Stm.atomic(() -> {
                    tq.add(() -> ran.add(1000)); // rolled back with the nested block
                    throw new IllegalArgumentException("nested");
                });
            } catch (IllegalArgumentException expected) {
                // the task goes on and commits
            }
        });
        RunStats stats = tq.run(2);
        assertEquals(2, stats.tasks());
        assertEquals(1, ran.get());
    }

    @Test
    void runInsideATransactionIsRejected() {
        TransactionQueue tq = new TransactionQueue();
        tq.add(() -> { });
        assertThrows(IllegalStateException.class, () -> Stm.atomic(() -> tq.run(1)));
        assertThrows(IllegalArgumentException.class, () -> tq.run(0));
        assertEquals(1, tq.size(), "nothing ran");
        assertEquals(1, tq.run(1).tasks());
    }

    @Test
    @Timeout(60)
    void runOnAnEmptyQueueReturnsAtOnceAndTasksAddedInsideAnOuterTransactionWaitForItsCommit() {
        TransactionQueue tq = new TransactionQueue();
        assertEquals(0, tq.run(2).tasks());
        List<Integer> order = new ArrayList<>();
        assertThrows(IllegalStateException.class, () -> Stm.atomic(() -> {
            tq.add(() -> Stm.afterCommit(() -> order.add(1)));
            assertEquals(0, tq.size(), "not visible before commit");
            throw new IllegalStateException("roll back");
        }));
        assertEquals(0, tq.size());
        Stm.atomic(() -> tq.add(() -> Stm.afterCommit(() -> order.add(2))));
        assertEquals(1, tq.size());
        tq.run(1);
        assertEquals(List.of(2), order);
    }
}
