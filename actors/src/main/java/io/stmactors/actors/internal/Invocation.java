package io.stmactors.actors.internal;

import io.stmactors.actors.Behavior;
import io.stmactors.actors.Signal;
import io.stmactors.actors.Supervised;
import io.stmactors.stm.TxnRunnable;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The transaction body that handles one message of one actor, and what it decided (next behavior,
 * next state, stop), read by the cell after commit. Reused across messages by an ordinary actor
 * (one worker at a time), one per message for a concurrent actor.
 *
 * <p>Each attempt starts from the committed behavior and state, so a re-run after a conflict sees
 * exactly what the first attempt saw had it not been disturbed.
 */
final class Invocation<M> implements TxnRunnable {
    static final Object NO_STATE = new Object();

    private final ActorCell<M> cell;
    /**
     * For concurrent actors: a retried message goes back to the mailbox when woken. Holds the cell
     * weakly (see {@link ActorCell#weakSelf}) and the message itself, not this invocation (which
     * holds the cell strongly).
     */
    final Requeue<M> wake;

    /**
     * Supervision rules met by this attempt's {@link #start} (inner ones first), adopted by the cell
     * when it commits; null if none.
     */
    List<Supervised.Rule> installedRules;

    private void installRules(List<Supervised.Rule> rules) {
        if (installedRules == null) {
            installedRules = rules;
        } else {
            List<Supervised.Rule> all = new ArrayList<>(rules); // met later: nested inside, so matched first
            all.addAll(installedRules);
            installedRules = List.copyOf(all);
        }
    }

    /** What an after-commit hook of the handler threw (the commit stands), or null. */
    Throwable hookFailure;
    final Consumer<Throwable> hookFailures = t -> hookFailure = t;

    Object message;
    int attempts;
    Behavior<M> nextBehavior;
    Object nextState;
    boolean stop;
    /**
     * A concurrent actor's attempt found that a handler which committed before it stopped the actor: this message
     * comes after the stop in the serial order, so it is not handled (the cell makes it a dead letter).
     */
    boolean afterStop;

    Invocation(ActorCell<M> cell) {
        this.cell = cell;
        this.wake = new Requeue<>(cell.weakSelf);
    }

    void prepare(Object message) {
        this.message = message;
        wake.message = message;
        this.attempts = 0;
        if (hookFailure != null) {
            hookFailure = null;
        }
    }

    /**
     * The wake-up of a concurrent actor's retried message: re-queues it, if the actor is still reachable, once the
     * attempt is known to have ended waiting in retry. The STM registers the wake-up before it runs the attempt's
     * rollback hooks, so a commit can fire it while one of those hooks is about to throw, which makes the attempt
     * a failure (supervision then decides, and the message must not run again); a wake-up that comes before the
     * outcome is held until {@link #waiting} or dropped by {@link #settled}.
     */
    static final class Requeue<M> implements Runnable {
        private static final int PENDING = 0;
        private static final int WOKEN_EARLY = 1;
        private static final int WAITING = 2;
        private static final int DONE = 3;

        private final WeakReference<ActorCell<M>> cell;
        private final java.util.concurrent.atomic.AtomicInteger state =
                new java.util.concurrent.atomic.AtomicInteger(PENDING);
        /** The message being handled; written before the transaction that may register this callback. */
        Object message;

        Requeue(WeakReference<ActorCell<M>> cell) {
            this.cell = cell;
        }

        /** The wake-up (any thread). */
        @Override
        public void run() {
            if (state.compareAndSet(PENDING, WOKEN_EARLY)) {
                return; // the attempt has not ended yet: waiting() re-queues, settled() drops
            }
            if (state.compareAndSet(WAITING, DONE)) {
                ActorCell<M> c = cell.get();
                if (c != null) {
                    c.takenBack(this);
                    c.requeue(message);
                }
            }
        }

        /**
         * The attempt ended waiting in retry: the message goes back at the wake-up, now if it came already.
         * Until then the cell lists it as set aside, so that its stop makes it a dead letter.
         */
        void waiting() {
            if (state.compareAndSet(PENDING, WAITING)) {
                ActorCell<M> c = cell.get();
                if (c != null) {
                    c.setAside(this);
                }
            } else if (state.compareAndSet(WOKEN_EARLY, DONE)) {
                requeueNow();
            }
        }

        /** Whether the wake-up re-queued the message or the attempt was settled (nothing more happens to it). */
        boolean done() {
            return state.get() == DONE;
        }

        /**
         * The actor stopped while the message waits for its wake-up: true if the message is dropped here (the
         * caller makes it a dead letter) and no wake-up re-queues it; false if a wake-up took it first.
         */
        boolean dropAtStop() {
            return state.compareAndSet(WAITING, DONE);
        }

        /** The attempt committed or failed: no wake-up re-queues the message. */
        void settled() {
            state.set(DONE);
        }

        private void requeueNow() {
            ActorCell<M> c = cell.get();
            if (c != null) {
                c.requeue(message);
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void run() throws Exception {
        attempts++;
        installedRules = null;
        nextBehavior = null;
        nextState = NO_STATE;
        stop = false;
        afterStop = false;
        Object msg = message;
        IsolationHooks hooks = cell.system.isolation;
        if (hooks != null) {
            hooks.attemptStarted(cell, msg);
        }
        handle(msg, cell.context);
        if (hooks != null) {
            hooks.beforeCommit(cell, withRules(nextBehavior, msg), nextState, NO_STATE, stop);
        }
    }

    @SuppressWarnings("unchecked")
    private void handle(Object msg, ContextImpl<M> ctx) throws Exception {
        if (msg == ActorCell.START) {
            if (cell.concurrent && cell.shared.current.get() == SpecialBehavior.STOPPED) {
                afterStop = true; // a restart after a handler stopped the actor: it must not come back to life
                return;
            }
            if (cell.restored != null) {
                adopt(start(cell.restored.behavior(), ctx)); // installs the rules it was kept with (withRules)
                if (cell.restored.state() != NO_STATE) {
                    nextState = cell.restored.state();
                }
                return;
            }
            adopt(start(cell.initialBehavior, ctx));
            return;
        }
        Behavior<M> b = cell.concurrent ? cell.shared.current.get() : cell.hot.current;
        if (b == SpecialBehavior.STOPPED) { // a concurrent actor whose stop committed (see stopHere)
            afterStop = true;
            return;
        }
        if (b instanceof ReceiveBehavior<M> rb) {
            // The cheap test first: a message that is not a Signal (nearly all) fails an interface
            // instanceof, which JDK 17 answers by scanning the message class's interfaces each time.
            Behavior<M> next = (rb.onSignal != null && msg instanceof Signal signal)
                    ? rb.onSignal.apply(ctx, signal)
                    : rb.onMessage.apply(ctx, (M) msg);
            if (next == null) {
                throw new IllegalStateException("the handler of actor '" + cell.name
                        + "' returned null; return Behaviors.same() to keep its behavior");
            }
            if (next == SpecialBehavior.SAME) {
                return;
            }
            if (next == SpecialBehavior.STOPPED) {
                stopHere();
                return;
            }
            adopt(start(next, ctx));
        } else if (b instanceof StatefulBehavior<?, M> sb) {
            StatefulBehavior<Object, M> typed = (StatefulBehavior<Object, M>) sb;
            Object current = cell.concurrent ? cell.shared.state.get() : cell.hot.state;
            Object next = typed.handler.apply(ctx, current, (M) msg);
            if (cell.concurrent) {
                cell.shared.state.set(next);
            } else {
                nextState = next;
            }
        } else {
            throw new IllegalStateException("actor '" + cell.name + "' has no behavior (" + b + ")");
        }
    }

    /**
     * Isolated mode: the behavior the heap owner keeps for re-creating the actor at a worker restart, wrapped in the
     * supervision rules the actor runs under with it (those this attempt installed, else, unless it is a start, the
     * cell's), so that the re-created actor is supervised as before.
     */
    private Behavior<M> withRules(Behavior<M> next, Object msg) {
        if (next == null) {
            return null;
        }
        List<Supervised.Rule> rules = installedRules != null ? installedRules
                : msg == ActorCell.START ? null : cell.installedRules();
        if (rules == null || rules.isEmpty()) {
            return next;
        }
        Supervised<M> supervised = io.stmactors.actors.Behaviors.supervise(next);
        for (Supervised.Rule rule : rules) {
            supervised = supervised.onFailure(rule.failure(), rule.strategy());
        }
        return supervised;
    }

    /**
     * This handler stops the actor. A concurrent actor's other handlers all read its behavior reference: writing
     * the stop marker there makes those still running conflict with this one (they run again, after it, and find
     * the actor stopped), and those that start once it committed find it at once, until {@code doStop} has run.
     * So no handler of the actor commits after the one that stopped it, as if one lock had serialized them.
     */
    @SuppressWarnings("unchecked")
    private void stopHere() {
        stop = true;
        if (cell.concurrent) {
            cell.shared.current.set((Behavior<M>) SpecialBehavior.STOPPED);
        }
    }

    private void adopt(Behavior<M> started) {
        if (started == SpecialBehavior.STOPPED) {
            stopHere();
            return;
        }
        Object initialState = started instanceof StatefulBehavior<?, M> sb ? sb.initial : NO_STATE;
        if (cell.concurrent) {
            cell.shared.current.set(started);
            if (initialState != NO_STATE) {
                cell.shared.state.set(initialState);
            }
        } else {
            nextBehavior = started;
            nextState = initialState;
        }
    }

    /**
     * Runs setup factories and strips markers until a behavior that handles messages remains. The
     * supervision rules of {@code Behaviors.supervise} markers met on the way (inside a setup, or
     * around a behavior a handler returned) go to {@link #installedRules}, inner ones first; the cell
     * adopts them when the attempt commits. A {@code Behaviors.concurrent} marker counts only around
     * the behavior given to spawn: an ordinary actor cannot turn concurrent later.
     */
    @SuppressWarnings("unchecked")
    private Behavior<M> start(Behavior<M> behavior, ContextImpl<M> ctx) throws Exception {
        Behavior<M> b = behavior;
        for (int depth = 0; depth < 1000; depth++) {
            if (b instanceof SetupBehavior<M> setup) {
                b = setup.factory.apply(ctx);
                if (b == null) {
                    throw new IllegalStateException("Behaviors.setup factory returned null");
                }
            } else if (b instanceof Supervised<M> s) {
                installRules(s.rules());
                b = s.behavior();
            } else if (b instanceof ConcurrentBehavior<M> c) {
                if (!cell.concurrent) {
                    throw new IllegalStateException("actor '" + cell.name + "': Behaviors.concurrent must wrap the "
                            + "behavior given to spawn (here it came from a setup or a handler; an actor cannot "
                            + "turn concurrent after it was spawned)");
                }
                b = c.inner;
            } else if (b == SpecialBehavior.SAME) {
                throw new IllegalStateException("Behaviors.same() cannot be an actor's initial behavior");
            } else if (b instanceof ReceiveBehavior || b instanceof StatefulBehavior || b == SpecialBehavior.STOPPED) {
                return b;
            } else {
                throw new IllegalArgumentException("unknown behavior type " + b.getClass().getName()
                        + ": build behaviors with io.stmactors.actors.Behaviors");
            }
        }
        throw new IllegalStateException("Behaviors.setup nested more than 1000 deep");
    }
}
