package io.stmactors.bench;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.ActorSystemDiagnostics;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.bench.Workloads.Flush;
import io.stmactors.bench.Workloads.Go;
import io.stmactors.bench.Workloads.Ping;
import io.stmactors.bench.Workloads.Step;
import io.stmactors.bench.Workloads.Tick;
import io.stmactors.stm.Stm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntFunction;

/**
 * The actor benchmarks' workloads written with the stm-actors API, the way its README shows: state
 * the runtime keeps ({@code Behaviors.withState}, an immutable value per message, rolled back with
 * the handler), sends inside handlers delivered on commit, and the one side effect — counting down
 * the round's latch — deferred to {@code Stm.afterCommit} so an aborted attempt never does it.
 * {@link PekkoWorkloads} is the same, message for message, in Pekko typed.
 */
final class StmActorsWorkloads {
    private StmActorsWorkloads() {
    }

    /** A running system and the top-level actors a benchmark drives. Thread-safe to tell. */
    record Started(ActorSystem system, List<ActorRef<Object>> actors) implements Workloads.Actors {
        @Override
        public void tell(int actor, Object message) {
            actors.get(actor).tell(message);
        }

        /**
         * Stops the system; fails (so the JMH run fails) if any handler threw or any message went
         * to a stopped actor while it ran.
         */
        void close() {
            ActorSystemDiagnostics d = system.diagnostics();
            long failures = d.failures();
            long deadLetters = d.deadLetters();
            system.close();
            if (failures != 0 || deadLetters != 0) {
                throw new IllegalStateException(system + ": " + failures + " handler failures, " + deadLetters
                        + " dead letters during the benchmark");
            }
        }
    }

    /**
     * A system in {@code mode} with {@code workers} threads and {@link Workloads#THROUGHPUT}, with
     * {@code count} top-level actors named {@code prefix-i}; its counters are what
     * {@link ActorCounters} reports.
     */
    static Started start(Mode mode, int workers, String prefix, int count, IntFunction<Behavior<Object>> behavior) {
        ActorSystem system = ActorSystem.create(ActorSystemConfig.builder()
                .name("bench-" + prefix).mode(mode).workers(workers).throughput(Workloads.THROUGHPUT)
                .closeTimeout(Duration.ofSeconds(30)).build());
        List<ActorRef<Object>> actors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            actors.add(system.spawn(behavior.apply(i), prefix + "-" + i));
        }
        ActorCounters.observe(system);
        return new Started(system, List.copyOf(actors));
    }

    // ---- echo pairs

    /** Where a sender is in its round: replies still due in this batch, batches still to send. */
    private record EchoProgress(CountDownLatch done, int batchesLeft, int repliesDue) {
    }

    private static final EchoProgress IDLE = new EchoProgress(null, 0, 0);

    /**
     * One side of an echo pair: on {@link Go}, sends {@code roundTrips} pings to its echo child in
     * batches of {@code batch} (the next batch when the last reply of this one is back), then counts
     * the round's latch down. Its child replies to every ping.
     */
    static Behavior<Object> echoSender(int roundTrips, int batch) {
        if (roundTrips % batch != 0) {
            throw new IllegalArgumentException("round trips must be a multiple of the batch");
        }
        return Behaviors.setup(ctx -> {
            ActorRef<Ping> echo = ctx.spawn(echo(ctx.self()), "echo");
            return Behaviors.<EchoProgress, Object>withState(IDLE, (c, p, msg) -> {
                if (msg == Ping.INSTANCE) {
                    if (p.repliesDue() > 1) {
                        return new EchoProgress(p.done(), p.batchesLeft(), p.repliesDue() - 1);
                    }
                    if (p.batchesLeft() > 0) {
                        sendBatch(echo, batch);
                        return new EchoProgress(p.done(), p.batchesLeft() - 1, batch);
                    }
                    CountDownLatch done = p.done();
                    Stm.afterCommit(done::countDown);
                    return IDLE;
                }
                Go go = (Go) msg;
                sendBatch(echo, batch);
                return new EchoProgress(go.done(), roundTrips / batch - 1, batch);
            });
        });
    }

    private static void sendBatch(ActorRef<Ping> echo, int batch) {
        for (int i = 0; i < batch; i++) {
            echo.tell(Ping.INSTANCE);
        }
    }

    private static Behavior<Ping> echo(ActorRef<Object> replyTo) {
        return Behaviors.receive((ctx, msg) -> {
            replyTo.tell(Ping.INSTANCE);
            return Behaviors.same();
        });
    }

    // ---- tell-only

    /** Counts {@link Tick}s; on a {@link Flush}, reports the count (after commit) and starts again. */
    static Behavior<Object> countingReceiver() {
        return Behaviors.<Long, Object>withState(0L, (ctx, count, msg) -> {
            if (msg == Tick.INSTANCE) {
                return count + 1;
            }
            Flush flush = (Flush) msg;
            long counted = count;
            Stm.afterCommit(() -> flush.report(counted));
            return 0L;
        });
    }

    // ---- independent actors

    /** An independent actor's accumulator, the steps left in this round, and the round's latch. */
    private record Chain(long acc, int stepsLeft, CountDownLatch done) {
    }

    /**
     * On {@link Go}, handles {@code steps} {@link Step} messages it sends itself one at a time, each
     * doing {@link Workloads#work} on its accumulator; then counts the round's latch down. Touches
     * nothing shared: actors of this kind never conflict.
     */
    static Behavior<Object> chain(int actor, int steps) {
        return Behaviors.<Chain, Object>withState(new Chain(Workloads.seed(actor), 0, null), (ctx, c, msg) -> {
            if (msg == Step.INSTANCE) {
                long acc = Workloads.work(c.acc());
                int left = c.stepsLeft() - 1;
                if (left > 0) {
                    ctx.self().tell(Step.INSTANCE);
                } else {
                    CountDownLatch done = c.done();
                    Stm.afterCommit(done::countDown);
                }
                return new Chain(acc, left, left > 0 ? c.done() : null);
            }
            Go go = (Go) msg;
            ctx.self().tell(Step.INSTANCE);
            return new Chain(c.acc(), steps, go.done());
        });
    }
}
