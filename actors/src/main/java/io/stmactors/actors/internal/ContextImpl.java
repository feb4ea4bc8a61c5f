package io.stmactors.actors.internal;

import io.stmactors.actors.ActorContext;
import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.Behavior;
import io.stmactors.stm.Stm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/** The {@link ActorContext} of one actor; its operations join the running handler's transaction. */
final class ContextImpl<M> implements ActorContext<M> {
    private final ActorCell<M> cell;
    private volatile Logger log;

    ContextImpl(ActorCell<M> cell) {
        this.cell = cell;
    }

    @Override
    public ActorRef<M> self() {
        return cell;
    }

    @Override
    public <C> ActorRef<C> spawn(Behavior<C> behavior, String name) {
        return cell.system.spawnChild(cell, behavior, name);
    }

    @Override
    public void watch(ActorRef<?> ref) {
        watchWithMessage(ref, null);
    }

    @Override
    public void watchWith(ActorRef<?> ref, M message) {
        watchWithMessage(ref, Objects.requireNonNull(message, "message"));
    }

    private void watchWithMessage(ActorRef<?> ref, Object message) {
        Objects.requireNonNull(ref, "ref");
        if (!(ref instanceof ActorCell<?> target)) {
            IsolationHooks hooks = cell.system.isolation;
            if (hooks != null && !(ref instanceof PromiseRef)) {
                hooks.watchRemote(cell, ref, message);
                return;
            }
            throw new IllegalArgumentException("cannot watch " + ref + ": not an actor of this system");
        }
        afterCommit(() -> target.addWatcher(cell, message));
    }

    @Override
    public void stop(ActorRef<?> ref) {
        Objects.requireNonNull(ref, "ref");
        if (!(ref instanceof ActorCell<?> target) || (target != cell && target.parent != cell)) {
            throw new IllegalArgumentException("actor '" + cell.name + "' can stop only itself and its children, not " + ref);
        }
        afterCommit(target::requestStop);
    }

    @Override
    public ActorSystem system() {
        return cell.system;
    }

    @Override
    public Logger log() {
        Logger l = log;
        if (l == null) {
            l = LoggerFactory.getLogger("io.stmactors.actor." + cell.name.replace('/', '.'));
            log = l;
        }
        return l;
    }

    private static void afterCommit(Runnable action) {
        if (Stm.inTransaction()) {
            Stm.afterCommit(action);
        } else {
            action.run();
        }
    }
}
