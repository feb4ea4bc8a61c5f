package io.stmactors.stm.internal;

/**
 * Unwinds a transaction body from deep inside STM calls: a conflict ({@link #ABORT}) or a
 * blocking {@code Stm.retry()} ({@link #RETRY}), or a restart with a read log ({@link #RESTART}).
 *
 * <p>An {@link Error}, so that ordinary {@code catch (Exception e)} blocks in user code do not
 * swallow it; preallocated and without a stack trace, so aborting allocates nothing. If user code
 * does catch it anyway, the engine notices (the transaction is marked doomed) and aborts the
 * attempt when the body returns.
 *
 * <p><b>WARNING:</b> catching {@code Throwable} or {@code Error} inside a transaction and not
 * rethrowing defeats this; the engine still refuses to commit such an attempt.
 */
public final class ControlSignal extends Error {
    private static final long serialVersionUID = 1L;

    /** The attempt lost a conflict: roll back and run the body again. */
    public static final ControlSignal ABORT = new ControlSignal("transaction aborted (conflict)");
    /** The body called {@code Stm.retry()}: roll back and wait until something it read changes. */
    public static final ControlSignal RETRY = new ControlSignal("transaction retry (blocking)");
    /**
     * An attempt run without a read log needs one after all (it wrote, retried, became inevitable
     * or met a newer version): roll back and run again with the log. Not a conflict.
     */
    public static final ControlSignal RESTART = new ControlSignal("transaction restart (needs a read log)");

    private ControlSignal(String message) {
        super(message, null, false, false);
    }
}
