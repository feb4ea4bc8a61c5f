package io.stmactors.actors.internal;

import io.stmactors.actors.Behavior;
import io.stmactors.actors.SetupFactory;

/** {@code Behaviors.setup}: a factory run when the actor starts or restarts. */
public final class SetupBehavior<M> extends Behavior<M> {
    private static final long serialVersionUID = 1L;

    public final SetupFactory<M> factory;

    public SetupBehavior(SetupFactory<M> factory) {
        this.factory = factory;
    }
}
