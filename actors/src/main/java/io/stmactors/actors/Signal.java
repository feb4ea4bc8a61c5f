package io.stmactors.actors;

/** A lifecycle notification delivered by the runtime rather than sent by an actor. */
public interface Signal {
}
