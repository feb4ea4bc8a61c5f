package io.stmactors.actors.internal;

import io.stmactors.actors.Behavior;

/** {@code Behaviors.same()} and {@code Behaviors.stopped()}: markers, one instance each. */
public final class SpecialBehavior<M> extends Behavior<M> {
    private static final long serialVersionUID = 1L;

    public static final SpecialBehavior<?> SAME = new SpecialBehavior<>("same");
    public static final SpecialBehavior<?> STOPPED = new SpecialBehavior<>("stopped");

    private final String kind;

    private SpecialBehavior(String kind) {
        this.kind = kind;
    }

    private Object readResolve() {
        return "same".equals(kind) ? SAME : STOPPED;
    }

    @Override
    public String toString() {
        return "Behaviors." + kind + "()";
    }
}
