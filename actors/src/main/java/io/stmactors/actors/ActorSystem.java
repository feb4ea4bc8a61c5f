package io.stmactors.actors;

import io.stmactors.actors.internal.LocalActorSystem;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A set of actors and the workers that run them. Create one with {@link #create(Mode, int)} or
 * {@link #create(ActorSystemConfig)}; close it when done ({@code try}-with-resources).
 *
 * <pre>{@code
 * try (ActorSystem system = ActorSystem.create(Mode.SHARED_STM, 4)) {
 *     ActorRef<Deposit> account = system.spawn(Behaviors.withState(0L,
 *             (ctx, balance, d) -> balance + d.amount()), "account");
 *     account.tell(new Deposit(10));
 * }
 * }</pre>
 *
 * Thread-safe.
 */
public interface ActorSystem extends AutoCloseable {

    /** A system in {@code mode} with {@code workers} workers (threads, or processes). */
    static ActorSystem create(Mode mode, int workers) {
        return create(ActorSystemConfig.builder().mode(mode).workers(workers).build());
    }

    /** A system as configured. */
    static ActorSystem create(ActorSystemConfig config) {
        return switch (config.mode()) {
            case SHARED_STM, GLOBAL_LOCK -> new LocalActorSystem(config);
            case ISOLATED_PROCESSES -> IsolatedModeLoader.create(config);
        };
    }

    /**
     * Starts a top-level actor named {@code name}. Inside a transaction, the actor starts when it
     * commits.
     *
     * @throws IllegalArgumentException if the name is empty, contains '/', or is taken
     * @throws IllegalStateException    if the system is closed
     * @throws io.stmactors.transport.TransportBackPressureException in {@link Mode#ISOLATED_PROCESSES}, from a
     *         thread of the coordinator process, if the inbox of the worker the actor is placed on stays full for
     *         the transport's send timeout: the actor is not created and its name stays free
     */
    <M> ActorRef<M> spawn(Behavior<M> behavior, String name);

    /**
     * Sends {@code request.apply(replyTo)} to {@code target} and returns a future completed by the
     * first message sent to {@code replyTo}. After {@code timeout} the future fails with a
     * {@link java.util.concurrent.TimeoutException} naming the target; a later reply is dropped.
     */
    <M, R> CompletableFuture<R> ask(ActorRef<M> target, Function<ActorRef<R>, M> request, Duration timeout);

    /** Counters: messages, commits, aborts, retries, dead letters, per actor and per message class. */
    ActorSystemDiagnostics diagnostics();

    /** The mode. */
    Mode mode();

    /** The number of workers. */
    int workers();

    /** The configuration. */
    ActorSystemConfig config();

    /**
     * Waits until every mailbox is empty and no handler runs (bounded by the configured close
     * timeout), then stops every actor and the workers. Asks still pending then fail with an
     * {@code IllegalStateException}. In the in-process modes an interrupt of the calling thread cuts
     * the waiting short: the workers are shut down at once, and actors that had not stopped yet are
     * abandoned with them (their mailboxes are not counted as dead letters, their watchers not told);
     * the interrupt flag stays set.
     * <p>Called on one of the system's own threads (a handler's {@code ctx.system().close()}, a hook its commit
     * runs, the callback of an ask's future completed or timed out there), close() cannot wait for the very
     * thread it runs on: it starts the shutdown on a thread of its own (not a daemon: the shutdown finishes even
     * if the program's main thread has returned) and returns at once. From a handler it does so when the
     * handler's transaction commits (not at all if it rolls back). In {@link Mode#ISOLATED_PROCESSES} mode,
     * close() called in a worker process (a handler's, or a callback's there) closes the whole system. A later
     * close() from another thread waits for that shutdown to finish; an interrupt of that thread cuts the
     * shutdown's waiting short as above (in-process modes). A close() called by a callback that the shutdown
     * itself runs (a pending ask it fails, as it fails them last) returns at once.
     * Idempotent.
     */
    @Override
    void close();
}
