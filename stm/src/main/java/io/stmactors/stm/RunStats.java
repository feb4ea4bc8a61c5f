package io.stmactors.stm;

import java.time.Duration;

/**
 * What one {@link TransactionQueue#run(int)} did.
 *
 * @param tasks   tasks that ran to commit in this run
 * @param commits transactions committed by the run's worker threads during the run (the tasks,
 *                plus any one-operation transactions their after-commit hooks made)
 * @param aborts  attempts those threads rolled back because of a conflict during the run
 * @param elapsed wall-clock time of the run
 */
public record RunStats(long tasks, long commits, long aborts, Duration elapsed) {
    /** aborts / (commits + aborts), 0 when nothing ran. */
    public double abortRate() {
        return commits + aborts == 0 ? 0.0 : (double) aborts / (commits + aborts);
    }

    /** Committed tasks per second. */
    public double tasksPerSecond() {
        long nanos = elapsed.toNanos();
        return nanos == 0 ? 0.0 : tasks * 1e9 / nanos;
    }
}
