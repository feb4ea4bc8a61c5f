package io.stmactors.stm;

/**
 * Thrown when a thread waiting in {@link Stm#retry()} (or for the inevitability token) is
 * interrupted. The transaction has been rolled back; the thread's interrupt flag stays set.
 */
public class StmInterruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StmInterruptedException(String message) {
        super(message);
    }
}
