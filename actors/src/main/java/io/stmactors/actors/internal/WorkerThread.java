package io.stmactors.actors.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * A worker of one actor system's pool. It keeps that system's per-message-class counters in its
 * own array, written only by itself, so counting a message costs a plain increment instead of an
 * atomic one on a line the other workers write too. {@link MessageCounters} sums the arrays of the
 * live workers and folds in a worker's counts when it ends (the pool retires idle workers).
 */
final class WorkerThread extends ForkJoinWorkerThread {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    final MessageCounters counters;
    /**
     * Slot {@code i} lives at {@code PAD + i}; the array is allocated by this thread (in its own
     * allocation buffer) with a cache line of padding at each end, so no other thread's hot data
     * shares its lines. Replaced, by this thread only, when a new message class needs more slots.
     */
    private volatile long[] counts = EMPTY;
    private static final long[] EMPTY = new long[0];
    private static final int PAD = 16;

    WorkerThread(ForkJoinPool pool, MessageCounters counters) {
        super(pool);
        this.counters = counters;
    }

    /** Adds {@code n} to a slot; called only by this thread. */
    void add(int slot, long n) {
        long[] c = counts;
        int i = PAD + slot;
        if (i >= c.length - PAD) {
            c = Arrays.copyOf(c, Math.max(i + 1, 2 * (c.length - PAD)) + PAD);
            counts = c;
        }
        LONGS.setOpaque(c, i, c[i] + n);
    }

    /** The current value of a slot, read by any thread (a live view while the worker runs). */
    long get(int slot) {
        long[] c = counts;
        int i = PAD + slot;
        return i < c.length - PAD ? (long) LONGS.getOpaque(c, i) : 0;
    }

    /** A copy of every slot, for folding in when this worker ends. */
    long[] snapshot() {
        long[] c = counts;
        long[] copy = new long[Math.max(0, c.length - 2 * PAD)];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = (long) LONGS.getOpaque(c, PAD + i);
        }
        return copy;
    }

    @Override
    protected void onStart() {
        super.onStart();
        counters.register(this);
    }

    @Override
    protected void onTermination(Throwable exception) {
        try {
            counters.retire(this);
        } finally {
            super.onTermination(exception);
        }
    }
}
