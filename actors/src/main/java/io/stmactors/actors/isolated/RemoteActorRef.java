package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;

import java.util.Objects;

/**
 * The address of an actor that may live in another process. Sending serializes the message at
 * once (so an unregistered class fails in the sender, before anything is sent) and hands it to the
 * local node, which delivers it after the sender's transaction commits. Equal by name.
 */
public final class RemoteActorRef<M> implements ActorRef<M> {
    private final String name;
    private final transient IsolatedNode node;

    RemoteActorRef(String name, IsolatedNode node) {
        this.name = Objects.requireNonNull(name, "name");
        this.node = node;
    }

    @Override
    public void tell(M message) {
        Objects.requireNonNull(message, "message");
        node.tellRemote(name, message);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActorRef<?> other && !(o instanceof ReplyRef) && name.equals(other.name());
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "ActorRef(" + name + ")";
    }
}
