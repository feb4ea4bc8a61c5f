package io.stmactors.actors.internal;

import io.stmactors.actors.Behavior;
import io.stmactors.actors.MessageHandler;
import io.stmactors.actors.SignalHandler;

/** {@code Behaviors.receive}: a message handler and an optional signal handler. */
public final class ReceiveBehavior<M> extends Behavior<M> {
    private static final long serialVersionUID = 1L;

    public final MessageHandler<M> onMessage;
    public final SignalHandler<M> onSignal; // may be null

    public ReceiveBehavior(MessageHandler<M> onMessage, SignalHandler<M> onSignal) {
        this.onMessage = onMessage;
        this.onSignal = onSignal;
    }
}
