package io.stmactors.actors;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A behavior with supervision rules, built by {@link Behaviors#supervise(Behavior)}. Rules are
 * matched in the order they were added; the first whose exception class is assignable from the
 * failure wins; without a match the actor stops. The rules stay with the actor when its behavior
 * changes.
 *
 * @param <M> the message type
 */
public final class Supervised<M> extends Behavior<M> {
    private static final long serialVersionUID = 1L;

    /** One rule. */
    public record Rule(Class<? extends Throwable> failure, SupervisorStrategy strategy)
            implements java.io.Serializable {
    }

    private final Behavior<M> inner;
    private final List<Rule> rules;

    Supervised(Behavior<M> inner, List<Rule> rules) {
        this.inner = Objects.requireNonNull(inner, "behavior");
        this.rules = List.copyOf(rules);
    }

    /** A copy of this behavior with one more rule: failures of type {@code failure} get {@code strategy}. */
    public Supervised<M> onFailure(Class<? extends Throwable> failure, SupervisorStrategy strategy) {
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(strategy, "strategy");
        List<Rule> more = new ArrayList<>(rules);
        more.add(new Rule(failure, strategy));
        return new Supervised<>(inner, more);
    }

    /** The supervised behavior. */
    public Behavior<M> behavior() {
        return inner;
    }

    /** The rules, in matching order. */
    public List<Rule> rules() {
        return rules;
    }

    /** The strategy for {@code failure}: the first matching rule's, else {@link SupervisorStrategy#stop()}. */
    public SupervisorStrategy strategyFor(Throwable failure) {
        for (Rule rule : rules) {
            if (rule.failure().isInstance(failure)) {
                return rule.strategy();
            }
        }
        return SupervisorStrategy.stop();
    }
}
