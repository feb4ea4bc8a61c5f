package io.stmactors.actors;

/** How an {@link ActorSystem} runs its actors. One switch, same actor code. */
public enum Mode {
    /**
     * N worker threads over one shared transactional heap (the default): zero-copy messages,
     * handlers in parallel, conflicts retried.
     */
    SHARED_STM,
    /**
     * Every handler under one global lock, N threads: the GIL baseline. Same API and results, no
     * scaling, no conflicts. Handlers are still transactions, so a failing handler rolls back.
     */
    GLOBAL_LOCK,
    /**
     * N worker JVM processes; each actor lives in one; every message and every shared-heap access
     * is serialized (Kryo) and carried over a transport, like Python's {@code multiprocessing}.
     */
    ISOLATED_PROCESSES
}
