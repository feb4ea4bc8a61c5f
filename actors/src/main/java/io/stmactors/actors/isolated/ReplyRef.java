package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;

import java.util.Objects;

/** The reply address of an ask made by another process. The first reply wins; later ones are dropped. */
public final class ReplyRef<R> implements ActorRef<R> {
    private final int endpoint;
    private final long askId;
    private final transient IsolatedNode node;

    ReplyRef(int endpoint, long askId, IsolatedNode node) {
        this.endpoint = endpoint;
        this.askId = askId;
        this.node = node;
    }

    int endpoint() {
        return endpoint;
    }

    long askId() {
        return askId;
    }

    @Override
    public void tell(R message) {
        Objects.requireNonNull(message, "message");
        node.replyRemote(endpoint, askId, message);
    }

    @Override
    public String name() {
        return "ask-" + askId + "@" + endpoint;
    }

    @Override
    public String toString() {
        return "ActorRef(" + name() + ")";
    }
}
