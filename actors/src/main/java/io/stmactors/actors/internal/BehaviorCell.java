package io.stmactors.actors.internal;

import io.stmactors.actors.Behavior;
import io.stmactors.stm.TRef;

/**
 * Behavior and state of a concurrent actor, in transactional references so that handlers running
 * in parallel read and replace them serializably.
 */
final class BehaviorCell<M> {
    final TRef<Behavior<M>> current;
    final TRef<Object> state;

    BehaviorCell(String actorName) {
        this.current = TRef.named(actorName + ".behavior", null);
        this.state = TRef.named(actorName + ".state", null);
    }
}
