package io.stmactors.stm;

import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/**
 * Linearizability of a bounded {@link TQueue} (capacity 3, so that "full" happens) with Lincheck
 * in stress mode, against an {@link ArrayDeque} run sequentially ({@link Sequential}). Includes a
 * two-element transaction ({@link #pollTwo()}) to check that a multi-operation transaction is
 * atomic with respect to the single operations.
 *
 * <p>Tagged {@code stress} (about 20 s on 2 cores).
 *
 * <p>Run alone: {@code mvn -B -q -pl stm verify -Dtest=TQueueLincheckTest}.
 */
@Param(name = "value", gen = IntGen.class, conf = "1:9")
public class TQueueLincheckTest {
    static final int CAPACITY = 3;

    private final TQueue<Integer> queue = TQueue.bounded(CAPACITY);

    @Operation
    public boolean offer(@Param(name = "value") int value) {
        return queue.offer(value);
    }

    @Operation
    public Integer poll() {
        return queue.poll();
    }

    @Operation
    public Integer peek() {
        return queue.peek();
    }

    @Operation
    public int size() {
        return queue.size();
    }

    @Operation
    public boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Both first elements, or nothing if fewer than two are queued: one transaction. */
    @Operation
    public List<Integer> pollTwo() {
        return Stm.atomic(() -> {
            if (queue.size() < 2) {
                return List.<Integer>of();
            }
            return Arrays.asList(queue.poll(), queue.poll());
        });
    }

    @Test
    @Tag("stress")
    @Timeout(120)
    void linearizable() {
        StressOptions options = new StressOptions()
                .iterations(30)
                .invocationsPerIteration(300)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(1)
                .sequentialSpecification(Sequential.class);
        LinChecker.check(TQueueLincheckTest.class, options);
    }

    /** The sequential specification: a bounded ArrayDeque. */
    public static class Sequential {
        private final ArrayDeque<Integer> q = new ArrayDeque<>();

        public boolean offer(int value) {
            if (q.size() >= CAPACITY) {
                return false;
            }
            return q.offer(value);
        }

        public Integer poll() { return q.poll(); }
        public Integer peek() { return q.peek(); }
        public int size() { return q.size(); }
        public boolean isEmpty() { return q.isEmpty(); }

        public List<Integer> pollTwo() {
            if (q.size() < 2) {
                return List.of();
            }
            return Arrays.asList(q.poll(), q.poll());
        }
    }
}
