package io.stmactors.stm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The inevitability token ({@link Stm#inevitable()}): at most one holder, granted in arrival order
 * to threads that wait for it.
 *
 * <h2>Why not a {@code ReentrantLock}</h2>
 * An inevitable transaction can meet a {@code StackOverflowError} anywhere, also inside the calls
 * that take or give back the token. A fair {@code ReentrantLock} does not survive that: an Error
 * inside its release, between letting go and unparking the next waiter, leaves that waiter parked
 * for good; one inside its acquire, after the thread joined the line, leaves a node at the front
 * that nobody ever takes the lock for, and every later thread lines up behind it (seen in review:
 * the token free and three threads parked for good). Here every wait is a timed park, so a lost
 * wake-up costs at most {@link #parkNanos}; a waiter that stays at the front of the line while the
 * token is free for {@link #staleNanos} (a thread whose acquire an Error cut short, and which has not
 * left the line yet) is evicted by the waiters behind it; and the caller can finish a cut-short
 * acquire or release at a shallower frame ({@link #release}, {@link #leave}), as the engine does
 * for its other state ({@code TxnDescriptor}).
 *
 * <p>Mutual exclusion rests on one compare-and-set of {@link #owner} alone; the line only decides who
 * may try. A live waiter wrongly evicted (descheduled for longer than {@link #staleNanos} while
 * the token was free) notices and lines up again at the end. Not reentrant: the engine never
 * waits for the token while its thread holds it (it uses a token its thread holds already).
 */
final class InevitabilityToken {
    /** Longest park of a waiter before it looks again (a wake-up lost to an Error costs no more). */
    static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /**
     * Times the first waiter in line looks again, between two pauses of the CPU, before it parks: a
     * short inevitable transaction gives the token back sooner than a park and unpark take.
     */
    static final int SPINS = 256;
    /** How long the token must stay free with the same waiter at the front before it is evicted. */
    static final long STALE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private static final VarHandle OWNER;
    /** Of {@link Waiter#state}; here, not in Waiter, so that no class is initialized on first contention. */
    private static final VarHandle STATE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            OWNER = lookup.findVarHandle(InevitabilityToken.class, "owner", Thread.class);
            STATE = lookup.findVarHandle(Waiter.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Test hook: run right after a waiter joins the line (a test throws an Error from it). */
    static volatile Runnable faultAfterJoin;
    /** Test hook: run by a release after it let go of the token, before it wakes the next waiter. */
    static volatile Runnable faultBeforeWakingNext;

    @SuppressWarnings("unused") // through OWNER
    private volatile Thread owner;
    private final ConcurrentLinkedQueue<Waiter> line = new ConcurrentLinkedQueue<>();
    private final long parkNanos;
    private final long staleNanos;

    InevitabilityToken() {
        this(PARK_NANOS, STALE_NANOS);
    }

    /** With other timings: for tests. */
    InevitabilityToken(long parkNanos, long staleNanos) {
        this.parkNanos = parkNanos;
        this.staleNanos = staleNanos;
    }

    /** One thread's place in line, for one acquire. */
    static final class Waiter {
        static final int WAITING = 0;
        static final int EVICTED = 1;
        static final int DONE = 2;
        /** {@link #cancelWait} ended its wait: its acquire throws as if its thread had been interrupted. */
        static final int CANCELLED = 3;

        final Thread thread;
        volatile int state;

        Waiter(Thread thread) {
            this.thread = java.util.Objects.requireNonNull(thread, "thread");
        }

        boolean compareAndSetState(int expected, int next) {
            return STATE.compareAndSet(this, expected, next);
        }
    }

    /** The holder, or null. */
    Thread owner() {
        return owner;
    }

    boolean isLocked() {
        return owner != null;
    }

    /** Waiters in line (a count for tests and diagnostics; may include some that have left). */
    int lineLength() {
        return line.size();
    }

    /** Takes the token for {@code me} (a thread, never null) if it is free and nobody waits for it. */
    boolean tryAcquire(Thread me) {
        java.util.Objects.requireNonNull(me, "me");
        return line.isEmpty() && OWNER.compareAndSet(this, null, me);
    }

    /**
     * Waits in line until {@code w}'s thread holds the token. On an interrupt, leaves the line and
     * throws. If an Error cuts it short, the caller must call {@link #leave} with {@code w} and, if
     * its thread is {@link #owner()}, {@link #release} (or let the waiters behind evict {@code w}).
     */
    void acquire(Waiter w) throws InterruptedException {
        Thread me = w.thread;
        line.add(w);
        Runnable fault = faultAfterJoin;
        if (fault != null) {
            fault.run();
        }
        Waiter seen = null;
        long seenSince = 0L;
        int spins = 0;
        for (;;) {
            if (w.state == Waiter.CANCELLED) {
                leave(w);
                throw new InterruptedException();
            }
            Waiter head = line.peek();
            if (head != null && head != w && head.state != Waiter.WAITING) {
                // Left the line, took the token, or was evicted (by a thread an Error cut short before
                // it removed it), and was not removed yet. A live evicted waiter joins again itself.
                line.remove(head);
                continue;
            }
            if (w.state == Waiter.EVICTED) {
                if (w.compareAndSetState(Waiter.EVICTED, Waiter.WAITING)) {
                    line.add(w); // to the end: this thread stayed away while the token was free
                }
                continue;
            }
            if (head != w && !line.contains(w)) {
                // Not in line although waiting: evicted, joined again, and then both copies removed
                // (each remove takes the first copy). Join again. Only this thread adds w.
                line.add(w);
                continue;
            }
            if (head == w && owner == null && OWNER.compareAndSet(this, null, me)) {
                w.state = Waiter.DONE;
                line.remove(w);
                return;
            }
            if (head != w && owner == null && head.state == Waiter.WAITING) {
                long now = System.nanoTime();
                if (head != seen) {
                    seen = head;
                    seenSince = now;
                } else if (now - seenSince >= staleNanos && head.compareAndSetState(Waiter.WAITING, Waiter.EVICTED)) {
                    line.remove(head); // free all this time with the same waiter first: it is not taking it
                    seen = null;
                    continue;
                }
            } else {
                seen = null;
            }
            if (Thread.interrupted()) {
                leave(w);
                throw new InterruptedException();
            }
            if (head == w && spins < SPINS) {
                spins++;
                Thread.onSpinWait();
                continue;
            }
            LockSupport.parkNanos(this, parkNanos);
            spins = 0;
        }
    }

    /**
     * Ends the wait of {@code thread} in line, if it is waiting there: its {@link #acquire} throws
     * {@link InterruptedException} as if the thread had been interrupted, without interrupting it (so nothing else
     * the thread does is cut short). A waiter that takes the token meanwhile keeps it.
     *
     * @return whether a waiter of {@code thread} was told to stop waiting
     */
    boolean cancelWait(Thread thread) {
        for (Waiter w : line) {
            if (w.thread == thread && (w.compareAndSetState(Waiter.WAITING, Waiter.CANCELLED)
                    || w.compareAndSetState(Waiter.EVICTED, Waiter.CANCELLED))) {
                LockSupport.unpark(thread);
                return true;
            }
        }
        return false;
    }

    /** Takes {@code w} out of the line (an interrupted or cut-short acquire); harmless if it is not in it. */
    void leave(Waiter w) {
        w.state = Waiter.DONE;
        line.remove(w);
        signal(); // had it been first, the next waiter may take the token now
    }

    /**
     * Gives the token back if {@code me} holds it, and wakes the first waiter in either case: called
     * again after a release an Error cut short, it wakes the waiter that release may not have.
     */
    void release(Thread me) {
        java.util.Objects.requireNonNull(me, "me");
        if (owner == me) {
            owner = null;
            Runnable fault = faultBeforeWakingNext;
            if (fault != null) {
                fault.run();
            }
        }
        signal();
    }

    private void signal() {
        for (Waiter head = line.peek(); head != null; head = line.peek()) {
            if (head.state == Waiter.WAITING) {
                LockSupport.unpark(head.thread);
                return;
            }
            line.remove(head);
        }
    }
}
