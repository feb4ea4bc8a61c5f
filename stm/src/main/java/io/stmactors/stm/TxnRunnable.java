package io.stmactors.stm;

/**
 * The body of a transaction that returns nothing. It may throw checked exceptions: they roll the
 * transaction back and reach the caller of {@link Stm#atomic(TxnRunnable)} unchanged.
 *
 * <p>The body may run more than once (each conflict re-runs it), so it must not have effects
 * outside the heap; put those in {@link Stm#afterCommit(Runnable)}.
 */
@FunctionalInterface
public interface TxnRunnable {
    /** Runs the body inside the transaction. */
    void run() throws Exception;
}
