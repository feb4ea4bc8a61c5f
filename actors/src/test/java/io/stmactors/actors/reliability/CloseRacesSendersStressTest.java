package io.stmactors.actors.reliability;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

import static io.stmactors.actors.reliability.ReliabilityModes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ActorSystem.close()} racing with senders, in each mode: sender threads keep telling ordinary and
 * concurrent actors (and actors forward to each other) while the system closes. No exception may escape a
 * sender, {@code close()} must return in bounded time, and every message sent must be either handled or
 * counted as a dead letter: sent == handled + dead letters, exactly. Prints {@code RELIABILITY close ...}.
 * Longer: {@code -Dstmactors.stress.closeIterations=N}.
 */
@Tag("stress")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CloseRacesSendersStressTest {
    record Msg(long n) {
    }

    record Forward(long n, ActorRef<Object> to) {
    }

    record Ask(ActorRef<Long> replyTo) {
    }

    static Stream<Mode> modes() {
        return ReliabilityModes.modes();
    }

    @ParameterizedTest
    @MethodSource("modes")
    void everyMessageIsHandledOrADeadLetter(Mode mode) throws Exception {
        // Each isolated system starts two worker JVMs: a fifth of the closes.
        int iterations = Integer.getInteger("stmactors.stress.closeIterations", 25) / (mode == Mode.ISOLATED_PROCESSES ? 5 : 1);
        LongAdder totalSent = new LongAdder();
        LongAdder totalHandled = new LongAdder();
        LongAdder totalDead = new LongAdder();
        long slowestCloseMs = 0;
        SplittableRandom random = new SplittableRandom(5);
        for (int it = 0; it < iterations; it++) {
            int iteration = it;
            LongAdder sent = new LongAdder(); // by the sender threads
            // What the handlers count lives on the heap (in ISOLATED_PROCESSES they run in worker JVMs): per actor,
            // messages handled and forwards sent, each counted only if the handler commits, like the send.
            TLong[] handledBy = new TLong[4];
            TLong[] forwardedBy = new TLong[4];
            for (int i = 0; i < 4; i++) {
                handledBy[i] = TLong.named("close-handled-" + i, 0);
                forwardedBy[i] = TLong.named("close-forwarded-" + i, 0);
            }
            LongSupplier handled = () -> sum(handledBy);
            LongSupplier sentInTotal = () -> sent.sum() + sum(forwardedBy);
            ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().name("close-" + mode + "-" + it)
                    .mode(mode).workers(2).register(Msg.class, Forward.class, Ask.class)
                    .closeTimeout(Duration.ofSeconds(random.nextInt(3) == 0 ? 0 : 2)).build());
            List<ActorRef<Object>> targets = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                targets.add(system.spawn(worker(handledBy[i], forwardedBy[i]), "ordinary-" + i));
            }
            targets.add(system.spawn(Behaviors.concurrent(worker(handledBy[3], forwardedBy[3])), "concurrent"));
            AtomicReference<Throwable> escaped = new AtomicReference<>();
            CountDownLatch closed = new CountDownLatch(1);
            List<Thread> senders = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                long seed = random.nextLong();
                senders.add(new Thread(() -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    long n = 0;
                    int after = 0;
                    try {
                        while (after < 200) { // keeps sending for a while after close() returned
                            if (closed.getCount() == 0) {
                                after++;
                            } else if (n >= 20_000) {
                                Thread.sleep(1); // bounded flood before close: close() drains what was sent
                                continue;
                            }
                            ActorRef<Object> to = targets.get(r.nextInt(targets.size()));
                            sent.increment();
                            if (r.nextInt(4) == 0) {
                                to.tell(new Forward(n++, targets.get(r.nextInt(targets.size()))));
                            } else {
                                to.tell(new Msg(n++));
                            }
                        }
                    } catch (Throwable t) {
                        escaped.compareAndSet(null, t);
                    }
                }, "close-sender-" + s));
            }
            senders.forEach(Thread::start);
            Thread.sleep(random.nextInt(20));
            long closeStarted = System.nanoTime();
            system.close();
            long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStarted);
            slowestCloseMs = Math.max(slowestCloseMs, closeMs);
            closed.countDown();
            for (Thread t : senders) {
                t.join(30_000);
                assertTrue(!t.isAlive(), "a sender hung: " + t.getName());
            }
            assertNull(escaped.get(), () -> "an exception escaped a sender: " + escaped.get());
            assertTrue(closeMs < 20_000, "close() took " + closeMs + " ms");
            await(() -> sentInTotal.getAsLong() == handled.getAsLong() + system.diagnostics().deadLetters(),
                    Duration.ofSeconds(10), () -> "sent " + sentInTotal.getAsLong() + " = handled "
                            + handled.getAsLong() + " + dead letters " + system.diagnostics().deadLetters()
                            + " (" + mode + ", iteration " + iteration + ")");
            totalSent.add(sentInTotal.getAsLong());
            totalHandled.add(handled.getAsLong());
            totalDead.add(system.diagnostics().deadLetters());
        }
        System.out.printf(Locale.ROOT, "RELIABILITY close mode=%s closes=%d sent=%d handled=%d deadLetters=%d "
                + "slowestCloseMs=%d%n", mode, iterations, totalSent.sum(), totalHandled.sum(), totalDead.sum(), slowestCloseMs);
    }

    static Behavior<Object> worker(TLong handled, TLong forwarded) {
        return Behaviors.receive((ctx, msg) -> {
            if (msg instanceof Forward f) {
                forwarded.increment();
                f.to().tell(new Msg(f.n()));
            } else if (msg instanceof Ask a) {
                a.replyTo().tell(1L);
            }
            handled.increment();
            return Behaviors.same();
        });
    }

    static long sum(TLong[] counters) {
        return Stm.atomic(() -> {
            long n = 0;
            for (TLong c : counters) {
                n += c.get();
            }
            return n;
        });
    }

    /**
     * An ask whose request is being built while the system closes (deterministic: the request function
     * waits until {@code close()} has returned). It must give a future that fails, as an ask after close does;
     * it must not throw, nor leave the future pending forever.
     */
    @ParameterizedTest
    @MethodSource("modes")
    void anAskRacingCloseFailsItsFutureInsteadOfThrowing(Mode mode) throws Exception {
        ActorSystem system = ReliabilityModes.system(mode, "ask-close-" + mode, 1, Ask.class);
        ActorRef<Object> target = system.spawn(Behaviors.receive((ctx, msg) -> {
            ((Ask) msg).replyTo().tell(1L);
            return Behaviors.same();
        }), "target");
        Thread closer = new Thread(system::close, "closer");
        CompletableFuture<Long> reply = system.ask(target, replyTo -> {
            closer.start(); // close() runs fully while this ask is between its "closed?" check and its timer
            try {
                closer.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return new Ask(replyTo);
        }, Duration.ofSeconds(2));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> reply.get(10, TimeUnit.SECONDS),
                "the future fails (it must not stay pending: TimeoutException here means it never completes)");
        assertTrue(failed.getCause() instanceof IllegalStateException || failed.getCause() instanceof TimeoutException,
                "failed with " + failed.getCause());
    }
}
