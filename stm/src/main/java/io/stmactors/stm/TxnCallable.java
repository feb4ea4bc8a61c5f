package io.stmactors.stm;

/**
 * The body of a transaction that returns a value. It may throw checked exceptions: they roll the
 * transaction back and reach the caller of {@link Stm#atomic(TxnCallable)} unchanged.
 *
 * <p>The body may run more than once (each conflict re-runs it), so it must not have effects
 * outside the heap; put those in {@link Stm#afterCommit(Runnable)}.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface TxnCallable<T> {
    /** Runs the body inside the transaction. */
    T call() throws Exception;
}
