package io.stmactors.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.stmactors.bench.Workloads.Flush;
import io.stmactors.bench.Workloads.Go;
import io.stmactors.bench.Workloads.Ping;
import io.stmactors.bench.Workloads.Step;
import io.stmactors.bench.Workloads.Tick;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The actor benchmarks' workloads in Apache Pekko typed (Java DSL), the peer of
 * {@link StmActorsWorkloads}, message for message. Written the way Pekko's own
 * {@code TypedActorBenchmark} writes its actors: {@code Behaviors.receive} with the actor's counters
 * in mutable variables captured by {@code Behaviors.setup} (Pekko runs a handler exactly once, so
 * that is safe there), the latch counted down directly.
 *
 * <p>Every benchmark actor runs on {@value #DISPATCHER}, a fork-join dispatcher with exactly as
 * many threads as the stm-actors contender has workers and throughput {@link Workloads#THROUGHPUT},
 * as in Pekko's benchmark; mailboxes are typed Pekko's default (single-consumer unbounded). Pekko's
 * logging is limited to warnings and dead letters are not logged.
 */
final class PekkoWorkloads {
    /** Config path of the benchmark actors' dispatcher. */
    static final String DISPATCHER = "bench-dispatcher";
    private static final DispatcherSelector ON_DISPATCHER = DispatcherSelector.fromConfig(DISPATCHER);

    private PekkoWorkloads() {
    }

    /** The configuration: {@code threads} fork-join threads, throughput 50, quiet logging. */
    static Config config(int threads) {
        return ConfigFactory.parseString(String.format(Locale.ROOT, """
                pekko {
                  loglevel = "WARNING"
                  stdout-loglevel = "WARNING"
                  log-dead-letters = off
                  log-dead-letters-during-shutdown = off
                }
                %s {
                  type = "Dispatcher"
                  executor = "fork-join-executor"
                  fork-join-executor {
                    parallelism-min = %d
                    parallelism-factor = 1.0
                    parallelism-max = %d
                  }
                  throughput = %d
                }
                """, DISPATCHER, threads, threads, Workloads.THROUGHPUT)).withFallback(ConfigFactory.load());
    }

    /** A running system and the actors a benchmark drives. Thread-safe to tell. */
    record Started(ActorSystem<Void> system, List<ActorRef<Object>> actors) implements Workloads.Actors {
        @Override
        public void tell(int actor, Object message) {
            actors.get(actor).tell(message);
        }

        /** Terminates the system and waits for it. */
        void close() {
            system.terminate();
            try {
                system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("Pekko system did not terminate", e);
            }
        }
    }

    /**
     * A system whose guardian spawns {@code count} actors named {@code prefix-i} on the benchmark
     * dispatcher; returns once they exist.
     */
    static Started start(int threads, String prefix, int count, IntFunction<Behavior<Object>> behavior) {
        CompletableFuture<List<ActorRef<Object>>> spawned = new CompletableFuture<>();
        Behavior<Void> guardian = Behaviors.setup(ctx -> {
            List<ActorRef<Object>> actors = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                actors.add(ctx.spawn(behavior.apply(i), prefix + "-" + i, ON_DISPATCHER));
            }
            spawned.complete(List.copyOf(actors));
            return Behaviors.empty();
        });
        ActorSystem<Void> system = ActorSystem.create(guardian, "bench-" + prefix, config(threads));
        try {
            return new Started(system, spawned.get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            system.terminate();
            throw new IllegalStateException("Pekko guardian did not spawn the benchmark actors", e);
        }
    }

    // ---- echo pairs

    /** A sender's counters (confined to the actor: Pekko runs one handler of it at a time). */
    private static final class EchoProgress {
        CountDownLatch done;
        int batchesLeft;
        int repliesDue;
    }

    /** See {@link StmActorsWorkloads#echoSender}. */
    static Behavior<Object> echoSender(int roundTrips, int batch) {
        if (roundTrips % batch != 0) {
            throw new IllegalArgumentException("round trips must be a multiple of the batch");
        }
        return Behaviors.setup(ctx -> {
            ActorRef<Ping> echo = ctx.spawn(echo(ctx.getSelf()), "echo", ON_DISPATCHER);
            EchoProgress p = new EchoProgress();
            return Behaviors.receive((c, msg) -> {
                if (msg == Ping.INSTANCE) {
                    if (p.repliesDue > 1) {
                        p.repliesDue--;
                    } else if (p.batchesLeft > 0) {
                        sendBatch(echo, batch);
                        p.batchesLeft--;
                        p.repliesDue = batch;
                    } else {
                        CountDownLatch done = p.done;
                        p.done = null;
                        p.repliesDue = 0;
                        done.countDown();
                    }
                    return Behaviors.same();
                }
                p.done = ((Go) msg).done();
                p.batchesLeft = roundTrips / batch - 1;
                p.repliesDue = batch;
                sendBatch(echo, batch);
                return Behaviors.same();
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

    /** See {@link StmActorsWorkloads#countingReceiver}. */
    static Behavior<Object> countingReceiver() {
        return Behaviors.setup(ctx -> {
            long[] count = new long[1];
            return Behaviors.receive((c, msg) -> {
                if (msg == Tick.INSTANCE) {
                    count[0]++;
                } else {
                    ((Flush) msg).report(count[0]);
                    count[0] = 0;
                }
                return Behaviors.same();
            });
        });
    }

    // ---- independent actors

    /** An independent actor's accumulator and round (confined to the actor). */
    private static final class Chain {
        long acc;
        int stepsLeft;
        CountDownLatch done;
    }

    /** See {@link StmActorsWorkloads#chain}. */
    static Behavior<Object> chain(int actor, int steps) {
        return Behaviors.setup(ctx -> {
            Chain c = new Chain();
            c.acc = Workloads.seed(actor);
            ActorRef<Object> self = ctx.getSelf();
            return Behaviors.receive((x, msg) -> {
                if (msg == Step.INSTANCE) {
                    c.acc = Workloads.work(c.acc);
                    if (--c.stepsLeft > 0) {
                        self.tell(Step.INSTANCE);
                    } else {
                        CountDownLatch done = c.done;
                        c.done = null;
                        done.countDown();
                    }
                    return Behaviors.same();
                }
                c.done = ((Go) msg).done();
                c.stepsLeft = steps;
                self.tell(Step.INSTANCE);
                return Behaviors.same();
            });
        });
    }
}
