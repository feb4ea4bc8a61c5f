package io.stmactors.actors.internal;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.Behavior;

/**
 * What the isolated-process mode plugs into a worker process's local runtime, so that the effects
 * of each handler (new actor state, spawns, watches, sends to other processes) reach the heap
 * owner together with its commit. Null in the other modes. All methods run on the worker thread
 * handling the message.
 */
public interface IsolationHooks {
    /** A handler attempt starts (inside its transaction): forget what a previous attempt recorded. */
    void attemptStarted(ActorCell<?> cell, Object message);

    /**
     * The handler body finished and its transaction is about to commit: record the actor's new
     * behavior and state (serializing them here makes an unshippable state fail the handler).
     *
     * @param nextBehavior the behavior after this message, or null if unchanged
     * @param nextState    the state after this message, or {@code noState} if unchanged
     */
    void beforeCommit(ActorCell<?> cell, Behavior<?> nextBehavior, Object nextState, Object noState, boolean stop);

    /** The handler committed (outside its transaction). */
    void afterCommit(ActorCell<?> cell);

    /** The handler rolled back for good (failure, or waiting in retry). */
    void afterRollback(ActorCell<?> cell);

    /** A child was spawned inside a handler (inside its transaction). */
    void childSpawned(ActorCell<?> parent, ActorCell<?> child, Behavior<?> behavior);

    /** An actor stopped. */
    void stopped(ActorCell<?> cell);

    /** A handler watches an actor of another process (inside its transaction). */
    void watchRemote(ActorCell<?> watcher, ActorRef<?> target, Object message);

    /**
     * User code in this worker process called {@code close()} on its system (a handler's {@code ctx.system()},
     * after the handler committed, or a callback on any of the process's threads): the whole isolated-mode system
     * is to close. Must not wait for the close. Unlike the other hooks, may run on any thread.
     */
    void closeRequested();
}
