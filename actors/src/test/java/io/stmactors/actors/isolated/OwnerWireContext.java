package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.internal.PromiseRef;

/**
 * The coordinator's wire context over a bare heap owner (as {@link IsolatedActorSystem} is one), for tests
 * that play the coordinator's part: references travel as the owner's ids, actor addresses as names, and asks
 * are not supported.
 */
abstract class OwnerWireContext implements WireContext {
    /** The heap owner whose ids this context writes and resolves. */
    abstract HeapOwner owner();

    @Override
    public int endpoint() {
        return 0;
    }

    @Override
    public long refId(Object ref) {
        return owner().adopt(ref);
    }

    @Override
    public Object ref(long id, boolean isLong) {
        return owner().resolve(id, isLong);
    }

    @Override
    public ActorRef<?> actor(String name) {
        return new RemoteActorRef<>(name, null);
    }

    @Override
    public long promiseId(PromiseRef<?> promise) {
        throw new UnsupportedOperationException("no asks here");
    }

    @Override
    public ActorRef<?> reply(int endpoint, long askId) {
        return new ReplyRef<>(endpoint, askId, null);
    }
}
