package io.stmactors.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What the actor benchmarks share between stm-actors and Pekko typed: the messages, the CPU work
 * of the independent-actor workload, and waiting for a round to finish. The behaviors themselves
 * are written once per system, each in that system's own idiom ({@link StmActorsWorkloads},
 * {@link PekkoWorkloads}), doing the same thing message for message.
 *
 * <p>Messages that carry nothing are singletons (as Pekko's own benchmark does with a
 * {@code case object}), so neither system pays an allocation per message for them.
 */
final class Workloads {
    /** Messages one actor handles before its dispatcher thread moves on, in both systems (Pekko's benchmark uses 50). */
    static final int THROUGHPUT = 50;
    /** How long a benchmark invocation may wait for its actors before the run fails (a lost message, a hang). */
    static final long ROUND_TIMEOUT_SECONDS = 120;
    /** Rounds of xorshift per message in the independent-actor workload: about 300 ns on the 2-core EPYC (see {@link #work}). */
    static final int WORK_ROUNDS = 192;

    private Workloads() {
    }

    /** The echo pairs' request and reply (a singleton: no allocation per message). */
    enum Ping { INSTANCE }

    /** A tell-only message: the receiver just counts it. */
    enum Tick { INSTANCE }

    /** One step of an independent actor's chain of work. */
    enum Step { INSTANCE }

    /** Starts one round of a workload on an actor; the actor counts {@code done} down when its part is over. */
    record Go(CountDownLatch done) {
    }

    /**
     * Sent after a sender's last tick: the receiver reports how many ticks it counted since the
     * previous flush. The mailbox is FIFO per sender, so every tick has been handled when it arrives.
     */
    static final class Flush {
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile long counted = -1;

        /** Called once by the receiver (after commit, for stm-actors). */
        void report(long ticks) {
            counted = ticks;
            done.countDown();
        }

        /** Waits for the report; fails if the receiver did not count exactly {@code expected} ticks. */
        void awaitCount(long expected, String what) {
            await(done, what);
            if (counted != expected) {
                throw new IllegalStateException(what + ": receiver counted " + counted + " ticks, " + expected + " sent");
            }
        }
    }

    /** The actors a benchmark drives, in either system. */
    interface Actors {
        /** Sends {@code message} to actor number {@code actor} from outside the system. */
        void tell(int actor, Object message);
    }

    /**
     * One round: a {@link Go} to each of the first {@code count} actors, then waits until each has
     * counted the round's latch down.
     */
    static void round(Actors actors, int count, String what) {
        CountDownLatch done = new CountDownLatch(count);
        Go go = new Go(done);
        for (int i = 0; i < count; i++) {
            actors.tell(i, go);
        }
        await(done, what);
    }

    /** Waits for {@code latch}; a round that takes longer than {@link #ROUND_TIMEOUT_SECONDS} fails the run. */
    static void await(CountDownLatch latch, String what) {
        try {
            if (!latch.await(ROUND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(what + " did not finish within " + ROUND_TIMEOUT_SECONDS
                        + " s (" + latch.getCount() + " actors still busy)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        }
    }

    /**
     * The CPU work of one message of the independent-actor workload: {@link #WORK_ROUNDS} rounds of
     * xorshift64, a chain of dependent shifts and xors that the JIT can neither vectorize nor skip
     * (each result feeds the actor's next message). A non-zero input never gives zero.
     */
    static long work(long x) {
        for (int i = 0; i < WORK_ROUNDS; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    /** A distinct non-zero seed per actor. */
    static long seed(int actor) {
        return 0x9E3779B97F4A7C15L * (actor + 1);
    }
}
