package io.stmactors.actors;

/** Creates isolated-process systems (kept apart so the local runtime does not load it). */
final class IsolatedModeLoader {
    private IsolatedModeLoader() {
    }

    static ActorSystem create(ActorSystemConfig config) {
        throw new UnsupportedOperationException(
                "Mode.ISOLATED_PROCESSES is not available yet; use Mode.SHARED_STM or Mode.GLOBAL_LOCK");
    }
}
