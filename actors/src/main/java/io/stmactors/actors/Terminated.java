package io.stmactors.actors;

/**
 * Delivered to every watcher ({@link ActorContext#watch(ActorRef)}) of an actor when it stops,
 * for whatever reason. It goes to the behavior's signal handler if it has one
 * ({@link Behaviors#receive(MessageHandler, SignalHandler)}); otherwise to its message handler,
 * for actors whose message type admits it (e.g. {@code Object}); otherwise it is dropped.
 *
 * @param ref the actor that stopped
 */
public record Terminated(ActorRef<?> ref) implements Signal {
}
