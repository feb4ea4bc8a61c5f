package io.stmactors.actors;

import java.io.Serializable;
import java.util.Locale;

/**
 * What happens to an actor whose handler throws. In every case the handler's transaction is rolled
 * back first: its writes, sends and spawns never happen, and the message is dropped.
 * <ul>
 *   <li>{@link #resume()}: keep the actor, its behavior and its state; handle the next message.</li>
 *   <li>{@link #restart()}: reset the actor to its initial behavior (setup runs again, state returns
 *       to its initial value); queued messages are kept.</li>
 *   <li>{@link #stop()} (the default when no rule matches): log the failure and stop the actor;
 *       watchers get {@link Terminated}.</li>
 * </ul>
 */
public final class SupervisorStrategy implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The three directives. */
    public enum Directive { RESUME, RESTART, STOP }

    private static final SupervisorStrategy RESUME = new SupervisorStrategy(Directive.RESUME);
    private static final SupervisorStrategy RESTART = new SupervisorStrategy(Directive.RESTART);
    private static final SupervisorStrategy STOP = new SupervisorStrategy(Directive.STOP);

    private final Directive directive;

    private SupervisorStrategy(Directive directive) {
        this.directive = directive;
    }

    /** Drop the message, keep state and behavior. */
    public static SupervisorStrategy resume() {
        return RESUME;
    }

    /** Drop the message, reset the actor to its initial behavior and state. */
    public static SupervisorStrategy restart() {
        return RESTART;
    }

    /** Drop the message, log, stop the actor. */
    public static SupervisorStrategy stop() {
        return STOP;
    }

    /** This strategy's directive. */
    public Directive directive() {
        return directive;
    }

    @Override
    public String toString() {
        return directive.name().toLowerCase(Locale.ROOT);
    }

    private Object readResolve() {
        return switch (directive) {
            case RESUME -> RESUME;
            case RESTART -> RESTART;
            case STOP -> STOP;
        };
    }
}
