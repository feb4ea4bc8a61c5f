package io.stmactors.stm;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Helpers shared by the STM tests: bounded worker threads, deadlines, waiting for a thread state.
 *
 * <p>Every concurrent test runs for {@code min(iterations, time budget)}; workers are daemon threads
 * so that a hung engine fails the test (by timeout here) instead of hanging the build, and their
 * failures are collected and rethrown on the test thread.
 */
final class StmTestSupport {
    private StmTestSupport() {
    }

    /** A time budget: {@link #expired()} once {@code millis} have passed since construction. */
    static final class Deadline {
        private final long end;

        Deadline(long millis) {
            this.end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        }

        boolean expired() {
            return System.nanoTime() - end >= 0;
        }

        long remainingMillis() {
            return Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()));
        }
    }

    /** The body of worker {@code index}. */
    @FunctionalInterface
    interface Worker {
        void run(int index) throws Exception;
    }

    /** Started workers; {@link #joinAll} fails the test if one throws or overruns. */
    static final class Workers {
        private final List<Thread> threads = new ArrayList<>();
        private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

        Workers start(String name, int count, Worker body) {
            for (int i = 0; i < count; i++) {
                int index = i;
                Thread t = new Thread(() -> {
                    try {
                        body.run(index);
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, name + "-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            return this;
        }

        /** Joins every worker within {@code millis} in total; fails with their state if one hangs. */
        void joinAll(long millis) throws InterruptedException {
            Deadline deadline = new Deadline(millis);
            for (Thread t : threads) {
                t.join(Math.max(1, deadline.remainingMillis()));
            }
            StringBuilder hung = new StringBuilder();
            for (Thread t : threads) {
                if (t.isAlive()) {
                    hung.append('\n').append(t.getName()).append(" state=").append(t.getState());
                    for (StackTraceElement e : t.getStackTrace()) {
                        hung.append("\n    at ").append(e);
                    }
                }
            }
            if (hung.length() > 0) {
                for (Thread t : threads) {
                    t.interrupt();
                }
                fail("workers still running after " + millis + " ms (livelock, deadlock or lost wake-up):" + hung);
            }
            Throwable first = failures.poll();
            if (first != null) {
                for (Throwable t : failures) {
                    first.addSuppressed(t);
                }
                if (first instanceof Error e) {
                    throw e;
                }
                throw new AssertionError("worker failed: " + first, first);
            }
        }
    }

    /** Runs {@code count} workers and waits for them (at most {@code millis}). */
    static void runWorkers(String name, int count, long millis, Worker body) throws InterruptedException {
        new Workers().start(name, count, body).joinAll(millis);
    }

    /** Waits until {@code condition} holds; fails after {@code millis}. */
    static void await(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        Deadline deadline = new Deadline(millis);
        while (!condition.getAsBoolean()) {
            if (deadline.expired()) {
                fail("timed out after " + millis + " ms waiting for: " + what);
            }
            Thread.sleep(1);
        }
    }

    /**
     * Waits until {@code t} is parked inside the engine, waiting in {@code retry()} or for the
     * inevitability token (state WAITING or TIMED_WAITING with such a frame on its stack, so that a
     * transient wait elsewhere, e.g. in class loading, does not count); fails after {@code millis}.
     */
    static void awaitParked(Thread t, long millis) throws InterruptedException {
        await(t.getName() + " to park in the engine (state now " + t.getState() + ")", millis, () -> {
            Thread.State s = t.getState();
            if (s != Thread.State.WAITING && s != Thread.State.TIMED_WAITING) {
                return false;
            }
            for (StackTraceElement e : t.getStackTrace()) {
                if (e.getClassName().equals("io.stmactors.stm.TxnDescriptor")
                        && (e.getMethodName().equals("waitForChange") || e.getMethodName().equals("acquireToken"))) {
                    return true;
                }
            }
            return false;
        });
    }

    /** CPU time of {@code t} in nanoseconds, or -1 when the JVM does not measure it. */
    static long cpuNanos(Thread t) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (!mx.isThreadCpuTimeSupported()) {
            return -1;
        }
        if (!mx.isThreadCpuTimeEnabled()) {
            mx.setThreadCpuTimeEnabled(true);
        }
        return mx.getThreadCpuTime(t.getId());
    }

    /** Busy-waits about {@code n} spin iterations: widens race windows inside transactions. */
    static void spin(int n) {
        for (int i = 0; i < n; i++) {
            Thread.onSpinWait();
        }
    }

    /**
     * Spins about {@code n} iterations and, one time in {@code yieldOneIn}, yields the processor.
     * On a machine whose cores are shared (or on one core) threads otherwise run one after another
     * in long time slices and transactions would rarely overlap; a yield inside a transaction hands
     * the core to another thread in the middle of it, which is what makes conflicts happen.
     */
    static void jitter(int n, int yieldOneIn) {
        spin(n);
        if (ThreadLocalRandom.current().nextInt(yieldOneIn) == 0) {
            Thread.yield();
        }
    }

    /**
     * Starts a daemon thread whose transaction waits in {@code retry()} until {@code ref} is not 0,
     * then stores the value it saw in {@code saw}; returns once the thread is parked.
     */
    static Thread parkUntilNonZero(String name, TLong ref, java.util.concurrent.atomic.AtomicLong saw)
            throws InterruptedException {
        Thread t = startDaemon(name, () -> saw.set(Stm.atomic(() -> {
            long v = ref.get();
            if (v == 0) {
                Stm.retry();
            }
            return v;
        })));
        awaitParked(t, 5_000);
        return t;
    }

    /** Starts a daemon thread running {@code body}. */
    static Thread startDaemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Commits {@code action} on another thread and waits for it: used inside a transaction body to
     * force a conflict deterministically (the other thread's commit invalidates what we read).
     */
    static void onOtherThread(Runnable action) {
        Thread t = new Thread(action, "conflicting-writer");
        t.setDaemon(true);
        t.start();
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        if (t.isAlive()) {
            throw new AssertionError("conflicting writer did not finish within 10 s");
        }
    }
}
