package io.stmactors.actors.reliability;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

import static io.stmactors.actors.reliability.ReliabilityModes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Stm.retry()} wake-ups under load: a lost wake-up leaves a waiter parked (a thread) or a message
 * pending (an actor) forever, so every round below has a bounded wait that fails with the state.
 * <ul>
 *     <li>Threads: waiters park in {@code retry()} until their box reaches the round; a producer fills the boxes
 *     and itself waits in {@code retry()} for the acknowledgements; a noise thread rewrites the boxes with their
 *     own values (spurious wake-ups) and runs conflicting transfers.</li>
 *     <li>Actors (each mode): handlers wait in {@code retry()} (the deferred, thread-free path) for a gate; the
 *     driver opens the gates before or after telling, at random.</li>
 * </ul>
 * Prints {@code RELIABILITY retry ...} lines. Longer: {@code -Dstmactors.stress.rounds=N}.
 */
@Tag("stress")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RetryWakeUpStressTest {
    static final int WAITERS = 4;

    record Take(long round) {
    }

    @Test
    void parkedThreadsAreAlwaysWoken() throws Exception {
        int rounds = Integer.getInteger("stmactors.stress.rounds", 3_000);
        TLong[] box = new TLong[WAITERS];
        TLong[] ack = new TLong[WAITERS];
        TLong noiseA = TLong.named("retry-noise-a", 1_000);
        TLong noiseB = TLong.named("retry-noise-b", 0);
        for (int i = 0; i < WAITERS; i++) {
            box[i] = TLong.named("retry-box-" + i, 0);
            ack[i] = TLong.named("retry-ack-" + i, 0);
        }
        long waitsBefore = Stm.diagnostics().retryWaits();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < WAITERS; i++) {
            int me = i;
            threads.add(new Thread(() -> {
                try {
                    for (long r = 1; r <= rounds; r++) {
                        long round = r;
                        Stm.atomic("retry-waiter", () -> {
                            if (box[me].get() < round) {
                                Stm.retry();
                            }
                            ack[me].set(round);
                        });
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "retry-waiter-" + i));
        }
        Thread noise = new Thread(() -> {
            SplittableRandom random = new SplittableRandom(7);
            while (!Thread.currentThread().isInterrupted()) {
                int i = random.nextInt(WAITERS);
                Stm.atomic("retry-noise", () -> {
                    box[i].set(box[i].get()); // a commit to a read reference: waiters wake and must wait again
                    long moved = noiseA.get() > 0 ? 1 : -1;
                    noiseA.set(noiseA.get() - moved);
                    noiseB.set(noiseB.get() + moved);
                });
                if (random.nextInt(8) == 0) {
                    Thread.yield();
                }
            }
        }, "retry-noise");
        threads.forEach(Thread::start);
        noise.start();
        long started = System.nanoTime();
        try {
            for (long r = 1; r <= rounds; r++) {
                long round = r;
                for (int i = 0; i < WAITERS; i++) {
                    box[i].set(round);
                }
                // the producer also waits in retry(), for every acknowledgement of this round
                Thread waiter = Thread.currentThread();
                Stm.atomic("retry-producer", () -> {
                    for (TLong a : ack) {
                        if (a.get() < round) {
                            Stm.retry();
                        }
                    }
                });
                assertTrue(failure.get() == null, () -> "waiter failed: " + failure.get());
                assertTrue(!waiter.isInterrupted());
            }
        } finally {
            noise.interrupt();
            noise.join(10_000);
        }
        for (Thread t : threads) {
            t.join(30_000);
            assertTrue(!t.isAlive(), t.getName() + " never finished: a lost wake-up");
        }
        assertEquals(1_000, noiseA.get() + noiseB.get(), "noise transfers conserved");
        long waits = Stm.diagnostics().retryWaits() - waitsBefore;
        System.out.printf(Locale.ROOT, "RELIABILITY retry kind=threads rounds=%d wakeUps=%d retryWaits=%d ms=%d%n",
                rounds, (long) rounds * (WAITERS + 1), waits, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    static Stream<Mode> modes() {
        return ReliabilityModes.modes();
    }

    @ParameterizedTest
    @MethodSource("modes")
    void waitingHandlersAreAlwaysWoken(Mode mode) {
        // Worker processes: every gate write travels to the workers as an owner update, so fewer rounds.
        int rounds = Integer.getInteger("stmactors.stress.rounds", 3_000) / (mode == Mode.ISOLATED_PROCESSES ? 10 : 3);
        int actors = 8;
        TLong[] gate = new TLong[actors];
        TLong[] handledBy = new TLong[actors]; // on the heap: in ISOLATED_PROCESSES the handlers run elsewhere
        LongSupplier handled = () -> Stm.atomic(() -> {
            long n = 0;
            for (TLong h : handledBy) {
                n += h.get();
            }
            return n;
        });
        SplittableRandom random = new SplittableRandom(11);
        try (ActorSystem system = ReliabilityModes.system(mode, "retry-" + mode, 2, Take.class)) {
            List<ActorRef<Take>> waiters = new ArrayList<>();
            for (int i = 0; i < actors; i++) {
                TLong g = gate[i] = TLong.named("retry-gate-" + i, 0);
                TLong done = handledBy[i] = TLong.named("retry-handled-" + i, 0);
                waiters.add(system.spawn(Behaviors.receive((ctx, take) -> {
                    if (g.get() < take.round()) {
                        Stm.retry(); // the message stays at the head; the worker moves on
                    }
                    done.increment();
                    return Behaviors.same();
                }), "waiter-" + i));
            }
            long waitsBefore = system.diagnostics().retryWaits();
            for (long r = 1; r <= rounds; r++) {
                boolean openFirst = random.nextBoolean();
                if (openFirst) {
                    for (TLong g : gate) {
                        g.set(r);
                    }
                }
                for (ActorRef<Take> w : waiters) {
                    w.tell(new Take(r));
                }
                if (!openFirst) {
                    for (TLong g : gate) {
                        g.set(r);
                    }
                }
                long expected = r * actors;
                await(() -> handled.getAsLong() == expected, Duration.ofSeconds(30),
                        () -> "round handled by every actor: " + handled.getAsLong() + " of " + expected
                                + " (lost wake-up)");
            }
            System.out.printf(Locale.ROOT, "RELIABILITY retry kind=actors mode=%s rounds=%d messages=%d retryWaits=%d%n",
                    mode, rounds, handled.getAsLong(), system.diagnostics().retryWaits() - waitsBefore);
        }
    }
}
