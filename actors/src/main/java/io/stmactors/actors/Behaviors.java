package io.stmactors.actors;

import io.stmactors.actors.internal.ConcurrentBehavior;
import io.stmactors.actors.internal.ReceiveBehavior;
import io.stmactors.actors.internal.SetupBehavior;
import io.stmactors.actors.internal.SpecialBehavior;
import io.stmactors.actors.internal.StatefulBehavior;

import java.util.List;
import java.util.Objects;

/**
 * Factories for actor behaviors, in the style of Apache Pekko typed.
 *
 * <pre>{@code
 * record Deposit(long amount) {}
 * Behavior<Deposit> account = Behaviors.withState(0L, (ctx, balance, msg) -> balance + msg.amount());
 * Behavior<String> echo = Behaviors.receive((ctx, msg) -> { System.out.println(msg); return Behaviors.same(); });
 * }</pre>
 */
public final class Behaviors {
    private Behaviors() {
    }

    /** A behavior that handles each message with {@code handler}. */
    public static <M> Behavior<M> receive(MessageHandler<M> handler) {
        return new ReceiveBehavior<>(Objects.requireNonNull(handler, "handler"), null);
    }

    /** A behavior with a message handler and a signal handler (for {@link Terminated}). */
    public static <M> Behavior<M> receive(MessageHandler<M> onMessage, SignalHandler<M> onSignal) {
        return new ReceiveBehavior<>(Objects.requireNonNull(onMessage, "onMessage"),
                Objects.requireNonNull(onSignal, "onSignal"));
    }

    /** A behavior computed when the actor starts (and again on restart). */
    public static <M> Behavior<M> setup(SetupFactory<M> factory) {
        return new SetupBehavior<>(Objects.requireNonNull(factory, "factory"));
    }

    /** Returned by a handler: keep the current behavior. */
    @SuppressWarnings("unchecked")
    public static <M> Behavior<M> same() {
        return (Behavior<M>) SpecialBehavior.SAME;
    }

    /** Returned by a handler: stop this actor once the handler commits. */
    @SuppressWarnings("unchecked")
    public static <M> Behavior<M> stopped() {
        return (Behavior<M>) SpecialBehavior.STOPPED;
    }

    /**
     * An actor whose state the runtime keeps: {@code handler} maps (state, message) to the next
     * state. The state is rolled back with the handler's transaction. To stop such an actor, call
     * {@code ctx.stop(ctx.self())}.
     */
    public static <S, M> Behavior<M> withState(S initial, StateHandler<S, M> handler) {
        return new StatefulBehavior<>(initial, Objects.requireNonNull(handler, "handler"));
    }

    /**
     * An actor whose handlers may run in parallel on all workers (the PyPy-STM / Twisted-reactor
     * model: logically one event loop, physically all cores). They still commit as if they ran one
     * at a time in some order; messages are not processed in FIFO order.
     */
    public static <M> Behavior<M> concurrent(Behavior<M> behavior) {
        return new ConcurrentBehavior<>(Objects.requireNonNull(behavior, "behavior"));
    }

    /** Starts a set of supervision rules for {@code behavior}: add them with {@link Supervised#onFailure}. */
    public static <M> Supervised<M> supervise(Behavior<M> behavior) {
        return new Supervised<>(Objects.requireNonNull(behavior, "behavior"), List.of());
    }
}
