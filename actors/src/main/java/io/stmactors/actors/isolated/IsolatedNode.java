package io.stmactors.actors.isolated;

/** One process of an isolated-mode system, as seen by the addresses that live in it. */
interface IsolatedNode {
    /** Sends {@code message} to the actor named {@code name} (wherever it lives). */
    void tellRemote(String name, Object message);

    /** Completes ask {@code askId} of process {@code endpoint} with {@code message}. */
    void replyRemote(int endpoint, long askId, Object message);
}
