package io.stmactors.actors;

import java.util.List;

/**
 * Counters of an {@link ActorSystem}: what its actors processed and what it cost in conflicts,
 * per actor and per message class, plus the transactional heap's conflict report (which actor's
 * handler lost time on which reference). A live view: figures change while the system runs.
 */
public interface ActorSystemDiagnostics {

    /** Counters of one actor or one message class. */
    record Row(String key, long messages, long commits, long aborts, long retryWaits, long failures) {
        /** aborts / (commits + aborts). */
        public double abortRate() {
            return commits + aborts == 0 ? 0.0 : (double) aborts / (commits + aborts);
        }
    }

    /** Messages whose handler committed (or failed and was dropped by supervision). */
    long messagesProcessed();

    /** Handler transactions committed. */
    long commits();

    /** Handler attempts aborted by conflicts (and re-run). */
    long aborts();

    /** Handlers that waited in {@code Stm.retry()}. */
    long retryWaits();

    /**
     * Handlers that threw (the message was dropped after rollback), setups that threw, and handlers
     * that committed and then had an after-commit hook throw (the commit stands and counts in
     * {@link #commits()}; supervision decides what follows). The per-class rows count only the first kind.
     */
    long failures();

    /** Messages sent to stopped actors. */
    long deadLetters();

    /** Actors currently alive. */
    int liveActors();

    /** One row per live actor, most aborts first. */
    List<Row> actors();

    /** One row per message class, most messages first. */
    List<Row> messageClasses();

    /** A readable report: totals, the busiest actors and classes, and the STM conflict report. */
    String report();
}
