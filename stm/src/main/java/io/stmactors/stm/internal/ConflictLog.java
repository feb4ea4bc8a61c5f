package io.stmactors.stm.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where aborts are attributed: a table keyed by (transaction, reference, reason) holding counts
 * and nanoseconds lost, in the spirit of PyPy-STM's conflict log.
 *
 * <p>Only the abort path writes here, so the commit path pays nothing for it. The table is bounded
 * ({@link #MAX_ENTRIES}); further distinct keys are folded into one "(other)" row so that a
 * long-running program's diagnostics do not grow without bound.
 */
public final class ConflictLog {
    /** Distinct rows kept before folding into "(other)". */
    public static final int MAX_ENTRIES = 4096;

    /** One row of the table. */
    public record Key(String transaction, String reference, String conflictingWith, String reason) {
    }

    /** Counters of one row. */
    public static final class Stats {
        final LongAdder count = new LongAdder();
        final LongAdder lostNanos = new LongAdder();
        final LongAdder untimed = new LongAdder();

        public long count() {
            return count.sum();
        }

        public long lostNanos() {
            return lostNanos.sum();
        }

        /** Aborts whose duration was not measured (first abort after a quiet period). */
        public long untimed() {
            return untimed.sum();
        }
    }

    private static final Key OTHER = new Key("(other)", "(other)", "", "table full");
    private final Map<Key, Stats> table = new ConcurrentHashMap<>();

    /** Records one aborted attempt. */
    public void record(String transaction, String reference, String conflictingWith, String reason,
                       long lostNanos, boolean timed) {
        Key key = new Key(transaction, reference, conflictingWith == null ? "" : conflictingWith, reason);
        Stats stats = table.get(key);
        if (stats == null) {
            if (table.size() >= MAX_ENTRIES) {
                key = OTHER;
            }
            stats = table.computeIfAbsent(key, k -> new Stats());
        }
        stats.count.increment();
        if (timed) {
            stats.lostNanos.add(lostNanos);
        } else {
            stats.untimed.increment();
        }
    }

    /** The rows, sorted by time lost, then by count, largest first. */
    public List<Map.Entry<Key, Stats>> rows() {
        List<Map.Entry<Key, Stats>> rows = new ArrayList<>(table.entrySet());
        rows.sort(Comparator.<Map.Entry<Key, Stats>>comparingLong(e -> e.getValue().lostNanos()).reversed()
                .thenComparing(Comparator.<Map.Entry<Key, Stats>>comparingLong(e -> e.getValue().count()).reversed()));
        return rows;
    }

    /** Number of rows (bounded by {@link #MAX_ENTRIES} + 1). */
    public int size() {
        return table.size();
    }

    /** Forgets every row. */
    public void clear() {
        table.clear();
    }
}
