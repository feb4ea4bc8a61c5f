package io.stmactors.bench;

import io.stmactors.stm.TMap;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import scala.concurrent.stm.japi.STM;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The transactional collections against their usual peers.
 *
 * <ul>
 *   <li>{@code map*}: one thread's {@code get} / {@code put} (replacing existing keys, so the size
 *       stays at {@link Maps#SIZE}) on our {@link TMap}, {@link ConcurrentHashMap}, and ScalaSTM's
 *       {@code TMap} through its {@code java.util.Map} view ({@code japi.STM.newMap()}); each call
 *       is one transaction for the two STMs.</li>
 *   <li>{@code disjointPut*}: two threads putting into one map, each in its own key range (the
 *       conflict-free case the trie is built for).</li>
 *   <li>{@code tqueue} / {@code lbq}: one producer and one consumer ({@code @Group}) on a queue
 *       bounded at 1024, with non-blocking {@code offer}/{@code poll} so that no thread is left
 *       parked when an iteration ends.</li>
 * </ul>
 *
 * <p>Run: {@code java -cp <bench classpath> org.openjdk.jmh.Main CollectionsBenchmark}. Results are
 * throughput per operation; read them as ratios within one run, not as absolute numbers.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CollectionsBenchmark {

    /** One map of each kind, prefilled with keys 0 .. SIZE-1. */
    @State(Scope.Benchmark)
    public static class Maps {
        static final int SIZE = 1 << 14;
        final TMap<Integer, Integer> stm = new TMap<>();
        final Map<Integer, Integer> chm = new ConcurrentHashMap<>();
        final Map<Integer, Integer> scalaStm = STM.newMap();
        final Integer[] keys = new Integer[SIZE];
        final AtomicInteger threadIds = new AtomicInteger();

        @Setup
        public void fill() {
            for (int i = 0; i < SIZE; i++) {
                keys[i] = i;
                stm.put(keys[i], i);
                chm.put(keys[i], i);
                scalaStm.put(keys[i], i);
            }
        }
    }

    /** A per-thread position in the key space; threads of a trial get disjoint key ranges. */
    @State(Scope.Thread)
    public static class Cursor {
        static final int RANGE = 1 << 16;
        int next;
        int base;
        Integer[] own;

        @Setup
        public void assign(Maps maps) {
            base = (maps.threadIds.getAndIncrement() + 1) * 10_000_000;
            own = new Integer[RANGE];
            for (int i = 0; i < RANGE; i++) {
                own[i] = base + i;
            }
        }

        Integer sharedKey(Maps maps) {
            return maps.keys[next++ & (Maps.SIZE - 1)];
        }

        Integer ownKey() {
            return own[next++ & (RANGE - 1)];
        }
    }

    // ---------------------------------------------------------------- single thread

    @Benchmark @Threads(1)
    public Integer mapGetStm(Maps m, Cursor c) { return m.stm.get(c.sharedKey(m)); }

    @Benchmark @Threads(1)
    public Integer mapGetChm(Maps m, Cursor c) { return m.chm.get(c.sharedKey(m)); }

    @Benchmark @Threads(1)
    public Integer mapGetScalaStm(Maps m, Cursor c) { return m.scalaStm.get(c.sharedKey(m)); }

    @Benchmark @Threads(1)
    public Integer mapPutStm(Maps m, Cursor c) { Integer k = c.sharedKey(m); return m.stm.put(k, k); }

    @Benchmark @Threads(1)
    public Integer mapPutChm(Maps m, Cursor c) { Integer k = c.sharedKey(m); return m.chm.put(k, k); }

    @Benchmark @Threads(1)
    public Integer mapPutScalaStm(Maps m, Cursor c) { Integer k = c.sharedKey(m); return m.scalaStm.put(k, k); }

    // ---------------------------------------------------------------- two threads, disjoint keys

    @Benchmark @Threads(2)
    public Integer disjointPutStm(Maps m, Cursor c) { Integer k = c.ownKey(); return m.stm.put(k, k); }

    @Benchmark @Threads(2)
    public Integer disjointPutChm(Maps m, Cursor c) { Integer k = c.ownKey(); return m.chm.put(k, k); }

    @Benchmark @Threads(2)
    public Integer disjointPutScalaStm(Maps m, Cursor c) { Integer k = c.ownKey(); return m.scalaStm.put(k, k); }

    // ---------------------------------------------------------------- producer / consumer

    /** A bounded queue of each kind, prefilled half way so both sides have work at once. */
    @State(Scope.Group)
    public static class Queues {
        static final int CAPACITY = 1024;
        final TQueue<Integer> stm = TQueue.bounded(CAPACITY);
        final LinkedBlockingQueue<Integer> lbq = new LinkedBlockingQueue<>(CAPACITY);
        final Integer item = 42;

        @Setup
        public void fill() {
            for (int i = 0; i < CAPACITY / 2; i++) {
                stm.offer(item);
                lbq.offer(item);
            }
        }
    }

    @Benchmark @Group("tqueue") @GroupThreads(1)
    public boolean tqueueOffer(Queues q) { return q.stm.offer(q.item); }

    @Benchmark @Group("tqueue") @GroupThreads(1)
    public Integer tqueuePoll(Queues q) { return q.stm.poll(); }

    @Benchmark @Group("lbq") @GroupThreads(1)
    public boolean lbqOffer(Queues q) { return q.lbq.offer(q.item); }

    @Benchmark @Group("lbq") @GroupThreads(1)
    public Integer lbqPoll(Queues q) { return q.lbq.poll(); }
}
