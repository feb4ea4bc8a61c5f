package io.stmactors.examples.internal;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Self-driving load: a set of "looper" actors, each of which does one unit of work per message and
 * sends itself the next message, until its share of the work is done; then it replies. So the
 * load is generated inside the actor system, with no driver thread competing for the cores, and
 * every unit of work is exactly one handler transaction.
 *
 * <p>A looper keeps its count and its random state ({@link Rng}) in its actor state, which rolls
 * back with the handler: a re-run draws the same numbers. The step captures only what its demo
 * gives it (transactional references, primitives), so the behavior can be shipped to a worker
 * process in isolated mode; the messages below must be registered ({@link #MESSAGE_CLASSES}).
 */
public final class WorkLoop {
    /** One unit of work, run inside the looper's handler transaction. */
    @FunctionalInterface
    public interface Step extends Serializable {
        /**
         * Does one unit of work with {@code random} as its source of choices; returns a number that
         * the looper adds up and reports (e.g. how many times a hot reference was written).
         */
        long apply(long random) throws Exception;
    }

    /** Messages of a looper. */
    public sealed interface Msg permits Start, Next {
    }

    /** Do {@code items} units of work, drawing from {@code seed}, then tell {@code replyTo}. */
    public record Start(long items, long seed, ActorRef<Done> replyTo) implements Msg {
    }

    /** Do the next unit (sent by a looper to itself). */
    public record Next() implements Msg {
    }

    /** Reply: units done and the sum of what the steps returned. */
    public record Done(long items, long sum) {
    }

    /** A looper's state. */
    public record State(long remaining, long rng, long items, long sum, ActorRef<Done> replyTo) {
    }

    /** Classes to register with an actor system that runs loopers. */
    public static final List<Class<?>> MESSAGE_CLASSES = List.of(Start.class, Next.class, Done.class, State.class);

    private static final State IDLE = new State(0, 0, 0, 0, null);
    private static final Next NEXT = new Next();

    private WorkLoop() {
    }

    /** The behavior of a looper running {@code step}. */
    public static Behavior<Msg> behavior(Step step) {
        return Behaviors.withState(IDLE, (ctx, state, msg) -> {
            if (msg instanceof Start start) {
                if (start.items() <= 0) {
                    start.replyTo().tell(new Done(0, 0));
                    return IDLE;
                }
                ctx.self().tell(NEXT);
                return new State(start.items(), start.seed(), 0, 0, start.replyTo());
            }
            if (state.replyTo() == null) {
                return state; // a stray Next after a reply: nothing to do
            }
            long rng = Rng.next(state.rng());
            long sum = state.sum() + step.apply(Rng.mix(rng));
            long remaining = state.remaining() - 1;
            if (remaining == 0) {
                state.replyTo().tell(new Done(state.items() + 1, sum));
                return IDLE;
            }
            ctx.self().tell(NEXT);
            return new State(remaining, rng, state.items() + 1, sum, state.replyTo());
        });
    }

    /** Starts {@code count} loopers named {@code prefix-0}, {@code prefix-1}, ... */
    public static List<ActorRef<Msg>> spawn(ActorSystem system, String prefix, int count, Step step) {
        List<ActorRef<Msg>> loopers = new ArrayList<>(count);
        Behavior<Msg> behavior = behavior(step);
        for (int i = 0; i < count; i++) {
            loopers.add(system.spawn(behavior, prefix + "-" + i));
        }
        return loopers;
    }

    /**
     * Shares {@code items} units among {@code loopers}, starts them all and waits for every reply
     * (at most {@code timeout}). Returns the units done and the sum of the steps' results.
     */
    public static Done run(ActorSystem system, List<ActorRef<Msg>> loopers, long items, long seed, Duration timeout)
            throws Exception {
        List<CompletableFuture<Done>> replies = new ArrayList<>(loopers.size());
        int n = loopers.size();
        for (int i = 0; i < n; i++) {
            long share = items / n + (i < items % n ? 1 : 0);
            long streamSeed = Rng.stream(seed, i);
            replies.add(system.<Msg, Done>ask(loopers.get(i), replyTo -> new Start(share, streamSeed, replyTo), timeout));
        }
        long done = 0;
        long sum = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (CompletableFuture<Done> reply : replies) {
            Done d = reply.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            done += d.items();
            sum += d.sum();
        }
        return new Done(done, sum);
    }
}
