package io.stmactors.actors.internal;

import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
import io.stmactors.stm.Stm;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One shared single-worker system for the mailbox tests: with one worker and a throughput of one
 * message per batch, every message ends a batch, so a tell races the worker's "set IDLE, re-check the
 * mailbox" step as often as possible. Cells are built directly (not registered), so nothing leaks from
 * one jcstress state to the next.
 */
final class MailboxTestSupport {
    static final LocalActorSystem SYSTEM = new LocalActorSystem(ActorSystemConfig.builder()
            .name("jcstress").workers(1).throughput(1).build());

    /** How long an arbiter waits for the messages before calling them stranded. */
    private static final long WAIT_NANOS = 2_000_000_000L;

    private MailboxTestSupport() {
    }

    /** A behavior counting committed handlers (after commit: a re-run attempt does not count twice). */
    static Behavior<Object> counting(AtomicInteger handled) {
        return Behaviors.receive((ctx, msg) -> {
            Stm.afterCommit(handled::incrementAndGet);
            return Behaviors.same();
        });
    }

    /** Waits, bounded, until {@code handled} reaches {@code expected}; returns what it reached. */
    static int awaitHandled(AtomicInteger handled, int expected) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        int n;
        while ((n = handled.get()) < expected && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
            if (n == handled.get()) {
                LockSupport.parkNanos(1_000);
            }
        }
        return handled.get();
    }
}
