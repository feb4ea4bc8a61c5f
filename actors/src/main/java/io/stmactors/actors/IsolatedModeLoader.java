package io.stmactors.actors;

import io.stmactors.actors.isolated.IsolatedActorSystem;

/** Creates isolated-process systems (kept apart so the local runtime does not load them). */
final class IsolatedModeLoader {
    private IsolatedModeLoader() {
    }

    static ActorSystem create(ActorSystemConfig config) {
        return new IsolatedActorSystem(config);
    }
}
