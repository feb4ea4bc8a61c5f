package io.stmactors.actors.internal;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters kept per message class (striped: any worker may update them). Commits are not counted
 * separately: every message counted was either committed or failed, so commits = messages - failures.
 */
final class MessageStats {
    final LongAdder messages = new LongAdder();
    final LongAdder aborts = new LongAdder();
    final LongAdder retryWaits = new LongAdder();
    final LongAdder failures = new LongAdder();
}
