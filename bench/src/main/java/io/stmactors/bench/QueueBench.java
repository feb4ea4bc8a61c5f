package io.stmactors.bench;

import io.stmactors.stm.TQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One producer and one consumer on a queue bounded at {@value Queues#CAPACITY}: our {@link TQueue}
 * (group {@code ours}) against {@link LinkedBlockingQueue} (group {@code concurrent}). Both sides
 * use the non-blocking {@code offer}/{@code poll} (one transaction each for ours), so no thread is
 * left parked when an iteration ends; a full or empty queue makes a call return at once, and it
 * counts as an operation like any other. The score is the group's total: offers plus polls per
 * second. Run with 2 threads (one group).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class QueueBench {

    /** A bounded queue of each kind, prefilled half way so both sides have work at once. */
    @State(Scope.Group)
    public static class Queues {
        static final int CAPACITY = 1024;
        final TQueue<Integer> ours = TQueue.bounded(CAPACITY);
        final LinkedBlockingQueue<Integer> concurrent = new LinkedBlockingQueue<>(CAPACITY);
        final Integer item = 42;

        @Setup
        public void fill() {
            for (int i = 0; i < CAPACITY / 2; i++) {
                ours.offer(item);
                concurrent.offer(item);
            }
        }
    }

    @Benchmark
    @Group("ours")
    @GroupThreads(1)
    public boolean oursOffer(Queues q) {
        return q.ours.offer(q.item);
    }

    @Benchmark
    @Group("ours")
    @GroupThreads(1)
    public Integer oursPoll(Queues q) {
        return q.ours.poll();
    }

    @Benchmark
    @Group("concurrent")
    @GroupThreads(1)
    public boolean concurrentOffer(Queues q) {
        return q.concurrent.offer(q.item);
    }

    @Benchmark
    @Group("concurrent")
    @GroupThreads(1)
    public Integer concurrentPoll(Queues q) {
        return q.concurrent.poll();
    }
}
