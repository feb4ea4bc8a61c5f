package io.stmactors.stm;

import io.stmactors.stm.internal.ConflictLog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Statistics of the transactional heap and its conflict report: which transactions lost time to
 * which references, and who committed those references, sorted by time lost (what PyPy-STM's
 * conflict log gave its users).
 *
 * <h2>Cost</h2>
 * Commits cost one increment of a field owned by the committing thread. Aborts cost a table
 * update (a {@link java.util.concurrent.ConcurrentHashMap} lookup and two {@link
 * java.util.concurrent.atomic.LongAdder} increments), one stack walk per transaction body class
 * (cached) to name unnamed transactions, and a JFR event when JFR records it. Time lost is
 * measured with {@link System#nanoTime()} only on threads that aborted within their last 1024
 * transactions, so an uncontended thread pays no clock reads; the first abort after such a quiet
 * period is counted but not timed ("untimed" in {@link Conflict}). All of this is cheap enough to
 * stay on, and it cannot be turned off.
 *
 * <p>Anonymous references are shown as {@code TRef@1a2b3c4d}; name them with
 * {@link TRef#named(String, Object)} / {@link TLong#named(String, long)}, or call
 * {@link #recordCreationSites(boolean)} (or run with {@code -Dstmactors.creationSites=true}) to
 * have each new reference remember the line that created it (a stack walk per reference: for
 * debugging, not for production).
 *
 * <h2>Threads</h2>
 * Counters are read without stopping anyone, so figures taken while transactions run are a moment's
 * approximation; they are exact once the threads are quiet.
 */
public final class StmDiagnostics {
    static final StmDiagnostics INSTANCE = new StmDiagnostics();
    static final ConflictLog CONFLICTS = new ConflictLog();

    private static volatile boolean recordSites = Boolean.getBoolean("stmactors.creationSites");
    private static final Map<TVar, String> SITES = Collections.synchronizedMap(new WeakHashMap<>());
    private static final StackWalker WALKER = StackWalker.getInstance();

    /** One row of the conflict report. */
    public record Conflict(String transaction, String reference, String conflictingWith, String reason,
                           long aborts, long nanosLost, long untimedAborts) {
    }

    private long retiredCommits;
    private long retiredAborts;
    private long retiredRetryWaits;
    private long retiredInevitable;
    private long baseCommits;
    private long baseAborts;
    private long baseRetryWaits;
    private long baseInevitable;

    private StmDiagnostics() {
    }

    /** Transactions committed (including one-operation transactions outside {@code atomic}). */
    public long commits() {
        return totals()[0] - baseCommits;
    }

    /**
     * Attempts rolled back because of a conflict on the calling thread, since the thread's first
     * transaction: a running count, cheap to read (no aggregation). Read it before and after a
     * transaction to count that transaction's aborts; a run restarted only to record its reads (the
     * read-only fast path guessed wrong) or re-run at once after {@code retry()} is not an abort.
     */
    public long abortsOnThisThread() {
        return TxnDescriptor.current().stats.aborts;
    }

    /** Attempts rolled back because of a conflict. */
    public long aborts() {
        return totals()[1] - baseAborts;
    }

    /** Times a transaction waited in {@link Stm#retry()}. */
    public long retryWaits() {
        return totals()[2] - baseRetryWaits;
    }

    /** Transactions that ran inevitable (by {@link Stm#inevitable()} or by escalation). */
    public long inevitableRuns() {
        return totals()[3] - baseInevitable;
    }

    /** aborts / (commits + aborts), 0 when nothing ran. */
    public double abortRate() {
        long[] t = totals();
        long c = t[0] - baseCommits;
        long a = t[1] - baseAborts;
        return c + a == 0 ? 0.0 : (double) a / (c + a);
    }

    /** The conflict table, sorted by time lost, largest first. */
    public List<Conflict> conflicts() {
        List<Conflict> out = new ArrayList<>();
        for (var e : CONFLICTS.rows()) {
            ConflictLog.Key k = e.getKey();
            ConflictLog.Stats s = e.getValue();
            out.add(new Conflict(k.transaction(), k.reference(), k.conflictingWith(), k.reason(),
                    s.count(), s.lostNanos(), s.untimed()));
        }
        return out;
    }

    /** A text report: totals, then conflicts sorted by time lost. */
    public String report() {
        long[] t = totals();
        long c = t[0] - baseCommits;
        long a = t[1] - baseAborts;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "STM: %,d commits, %,d aborts (%.2f%% of attempts), %,d retry waits, %,d inevitable%n",
                c, a, c + a == 0 ? 0.0 : 100.0 * a / (c + a), t[2] - baseRetryWaits, t[3] - baseInevitable));
        List<Conflict> rows = conflicts();
        if (rows.isEmpty()) {
            sb.append("No conflicts recorded.\n");
            return sb.toString();
        }
        sb.append("Conflicts by time lost (aborts marked + include some not timed):\n");
        sb.append(String.format(Locale.ROOT, "  %11s %9s  %-36s %-36s %-28s %s%n",
                "time lost", "aborts", "transaction", "reference", "last committed by", "reason"));
        for (Conflict row : rows) {
            sb.append(String.format(Locale.ROOT, "  %11s %8d%s  %-36s %-36s %-28s %s%n",
                    formatNanos(row.nanosLost()), row.aborts(), row.untimedAborts() > 0 ? "+" : " ",
                    clip(row.transaction(), 36), clip(row.reference(), 36),
                    clip(row.conflictingWith(), 28), row.reason()));
        }
        return sb.toString();
    }

    /** Starts counting from zero again and forgets the conflict table. */
    public synchronized void reset() {
        long[] t = totals();
        baseCommits = t[0];
        baseAborts = t[1];
        baseRetryWaits = t[2];
        baseInevitable = t[3];
        CONFLICTS.clear();
    }

    /** Whether new references remember where they were created (see class comment). */
    public static void recordCreationSites(boolean on) {
        recordSites = on;
    }

    @Override
    public String toString() {
        return report();
    }

    // -------------------------------------------------------------------------------------

    private synchronized long[] totals() {
        long c = retiredCommits;
        long a = retiredAborts;
        long r = retiredRetryWaits;
        long i = retiredInevitable;
        for (var it = TxnDescriptor.REGISTRY.iterator(); it.hasNext(); ) {
            TxnDescriptor.ThreadStats d = it.next();
            Thread owner = d.thread.get();
            if (owner == null || !owner.isAlive()) {
                retiredCommits += d.commits;
                retiredAborts += d.aborts;
                retiredRetryWaits += d.retryWaits;
                retiredInevitable += d.inevitableRuns;
                it.remove();
            }
            c += d.commits;
            a += d.aborts;
            r += d.retryWaits;
            i += d.inevitableRuns;
        }
        return new long[] {c, a, r, i};
    }

    /** Folds the counters of ended threads into the totals, so the registry does not grow. */
    void foldRetired() {
        totals();
    }

    static void noteCreation(TVar v) {
        if (recordSites) {
            String site = WALKER.walk(frames -> frames
                    .filter(f -> !f.getClassName().startsWith("io.stmactors.stm."))
                    .findFirst()
                    .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1)
                            + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
                    .orElse(null));
            if (site != null) {
                SITES.put(v, site);
            }
        }
    }

    static String creationSite(TVar v) {
        return SITES.isEmpty() ? null : SITES.get(v);
    }

    private static String formatNanos(long nanos) {
        if (nanos >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
        }
        if (nanos >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    }

    private static String clip(String s, int width) {
        if (s == null) {
            return "";
        }
        return s.length() <= width ? s : s.substring(0, width - 1) + "~";
    }
}
