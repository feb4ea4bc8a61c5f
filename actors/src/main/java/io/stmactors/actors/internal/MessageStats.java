package io.stmactors.actors.internal;

/**
 * The counters of one message class: four slots ({@link #MESSAGES} and so on) at
 * {@code 4 * index} in every worker's counter array ({@link WorkerThread}), summed on demand by
 * {@link MessageCounters}. Commits are not counted separately: every message counted was either
 * committed or failed, so commits = messages - failures.
 */
final class MessageStats {
    static final int MESSAGES = 0;
    static final int ABORTS = 1;
    static final int RETRY_WAITS = 2;
    static final int FAILURES = 3;
    static final int SLOTS = 4;

    /** Where this class's four slots start. */
    final int base;

    MessageStats(int index) {
        this.base = index * SLOTS;
    }
}
