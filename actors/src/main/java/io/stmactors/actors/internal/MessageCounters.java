package io.stmactors.actors.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One actor system's per-message-class counters: each worker counts into its own array
 * ({@link WorkerThread}); a read sums the live workers' arrays and what ended workers left
 * behind. Counting from any other thread (never the case for handlers, which run on workers) goes
 * to the shared totals under the lock. Reads are a live view; once the system is quiet they are
 * exact.
 */
final class MessageCounters {
    private final List<WorkerThread> live = new ArrayList<>(); // guarded by this
    private long[] retired = new long[0]; // guarded by this

    /** Counts for the calling thread. */
    void add(int slot, long n) {
        if (Thread.currentThread() instanceof WorkerThread w && w.counters == this) {
            w.add(slot, n);
        } else {
            addShared(slot, n);
        }
    }

    private synchronized void addShared(int slot, long n) {
        if (slot >= retired.length) {
            retired = Arrays.copyOf(retired, Math.max(slot + 1, 2 * retired.length));
        }
        retired[slot] += n;
    }

    synchronized long sum(int slot) {
        long n = slot < retired.length ? retired[slot] : 0;
        for (WorkerThread w : live) {
            n += w.get(slot);
        }
        return n;
    }

    synchronized void register(WorkerThread worker) {
        live.add(worker);
    }

    /** A worker is ending: its counts move to the shared totals, then it leaves the live set. */
    synchronized void retire(WorkerThread worker) {
        if (!live.remove(worker)) {
            return;
        }
        long[] counts = worker.snapshot();
        if (counts.length > retired.length) {
            retired = Arrays.copyOf(retired, counts.length);
        }
        for (int i = 0; i < counts.length; i++) {
            retired[i] += counts[i];
        }
    }
}
