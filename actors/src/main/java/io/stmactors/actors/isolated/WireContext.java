package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.internal.PromiseRef;

/**
 * How one process (the coordinator, or a worker) writes and reads the things that travel by
 * reference: transactional references (as global ids) and actor addresses (as names, or as the
 * endpoint and id of an ask). Set for the current thread by {@link Wire} around every encode and
 * decode, since Kryo serializers are shared and stateless.
 */
interface WireContext {
    /** This process's endpoint id (0 for the coordinator). */
    int endpoint();

    /** The global id of {@code ref}, binding and registering it if it has none yet. */
    long refId(Object ref);

    /** The local reference for global id {@code id}. */
    Object ref(long id, boolean isLong);

    /** An address for the actor named {@code name}. */
    ActorRef<?> actor(String name);

    /** The id under which this process keeps {@code promise}, registering it if needed. */
    long promiseId(PromiseRef<?> promise);

    /** An address for the ask {@code askId} of process {@code endpoint}. */
    ActorRef<?> reply(int endpoint, long askId);
}
