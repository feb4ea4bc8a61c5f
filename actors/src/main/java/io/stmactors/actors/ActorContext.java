package io.stmactors.actors;

import org.slf4j.Logger;

/**
 * What a handler can do besides returning the next behavior. Valid only inside the handler (or
 * setup) it was passed to, on that thread. Everything done through it is part of the handler's
 * transaction: spawns, watches, stops and sends take effect when the handler commits, and never
 * if it aborts or throws.
 *
 * @param <M> the actor's message type
 */
public interface ActorContext<M> {
    /** This actor. */
    ActorRef<M> self();

    /**
     * Creates a child actor named {@code name} (unique among this actor's children; its full name
     * is {@code self().name() + "/" + name}). The returned reference may be used at once; the child
     * starts when this handler commits. Children stop when their parent stops.
     *
     * @throws IllegalArgumentException if the name is empty, contains '/', or is taken
     */
    <C> ActorRef<C> spawn(Behavior<C> behavior, String name);

    /** When {@code ref} stops, this actor receives {@link Terminated}{@code (ref)}. */
    void watch(ActorRef<?> ref);

    /** When {@code ref} stops, this actor receives {@code message} (typed alternative to {@link #watch}). */
    void watchWith(ActorRef<?> ref, M message);

    /** Stops {@code ref} (this actor or one of its children) once this handler commits. */
    void stop(ActorRef<?> ref);

    /** The system this actor runs in. */
    ActorSystem system();

    /** A logger named after this actor. */
    Logger log();
}
