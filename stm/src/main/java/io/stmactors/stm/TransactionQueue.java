package io.stmactors.stm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * PyPy-STM's {@code transaction} module for Java: add tasks, then {@link #run(int) run} them all
 * as transactions on several threads. The result is the same as running them one at a time in
 * some order; tasks that touch different data run in parallel.
 *
 * <pre>{@code
 * TransactionQueue tq = new TransactionQueue();
 * for (Order o : orders) tq.add(() -> book(o));      // each task is one transaction
 * RunStats stats = tq.run(4);                        // returns when the queue is empty
 * }</pre>
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>{@link #add(TxnRunnable)} outside a transaction queues the task at once. Inside a
 *       transaction (typically a running task) the task is queued when that transaction commits,
 *       and never if it rolls back: a task's children exist only if it committed.</li>
 *   <li>{@link #run(int)} takes tasks in FIFO order and runs each with {@link Stm#atomic} on one of
 *       its worker threads until no task is queued and none is running (so children added by the
 *       last tasks run too). Tasks are independent transactions, so the order in which their
 *       effects appear is a serial order, not necessarily the order of {@code add}.</li>
 *   <li>A task that throws stops the run: the workers take no new task, those running finish (a
 *       task that blocks for good keeps {@code run} from returning; interrupting the thread in
 *       {@code run} then passes the interrupt on to them), one waiting to become inevitable stops waiting
 *       and stays queued, and {@code run} rethrows the first exception unchanged (later ones are attached as
 *       suppressed). The failed task is dropped, its writes and children rolled back; every task
 *       not yet started stays queued, so a later {@code run} goes on with them. An
 *       {@link Stm#afterCommit} hook of a task that throws stops the run the same way, but that task
 *       committed: its writes stand and its children stay queued (the other hooks still ran).</li>
 *   <li>{@code run} inside a transaction, or while another {@code run} of the same queue is in
 *       progress, throws {@link IllegalStateException}.</li>
 *   <li>A task that calls {@link Stm#retry()} is set aside without blocking its worker (which goes
 *       on with the next task) and queued again, at the front, as soon as something it read is
 *       committed, by another task or by any thread. While tasks wait so, {@code run} does not
 *       return, even when nothing else is left to run; interrupting the thread that called
 *       {@code run} stops it: it throws {@link StmInterruptedException}, the tasks running on the
 *       other threads finish (a further interrupt is passed on to them), and the waiting tasks
 *       and those not yet started stay queued. The same holds when the run stops on a failure:
 *       the tasks waiting in {@code retry()} are queued again, not dropped.</li>
 * </ul>
 *
 * <h2>Concurrency design</h2>
 * Queued tasks live in a {@link ConcurrentLinkedDeque}, outside the transactional heap: taking a
 * task must not make workers conflict with each other. A task's children go through
 * {@link Stm#afterCommit}, so they reach the deque only after the task committed. Termination: a
 * worker counts itself in {@code busy} before it polls and out after its task (including the
 * after-commit hooks that queued its children); {@code busy} also counts every time a worker went
 * busy (its {@linkplain #TURN turns}). The worker that brings {@code busy} to zero, then finds no
 * task waiting in {@code retry()} ({@code waiting}, read first: a woken task is queued before it
 * is counted out) and the deque empty, and then finds {@code busy} exactly as it left it, knows
 * that nobody took a task in between and that no task can appear any more (only busy workers add
 * during a run): it ends the run. Without the last check, another worker could take the last task
 * between the two reads, run it and queue its children after the deque was seen empty. A task runs
 * through {@link Stm#tryAtomic}'s path: a retry registers a callback that queues the task again
 * (claimed once, by the callback or by the end of the run, whichever comes first). Idle workers
 * wait on a condition signalled when a task ends or is queued; the {@code idle} count and the state
 * checks are volatile on both sides (Dekker style), so a signal cannot be missed, and the wait is
 * timed anyway as a safety net.
 *
 * <p>Statistics come from the worker threads' own transaction descriptors (their commit and abort
 * counters before and after the run), so they count exactly the run's work.
 *
 * <p>Thread-safe: {@code add} from any thread at any time (a task added from outside while a run
 * is ending may be left for the next run); one {@code run} at a time per queue.
 */
public final class TransactionQueue {
    private final ConcurrentLinkedDeque<TxnRunnable> pending = new ConcurrentLinkedDeque<>();
    private final AtomicBoolean running = new AtomicBoolean();

    /** An empty queue. */
    public TransactionQueue() {
    }

    /**
     * Queues {@code task}; inside a transaction, only when (and if) that transaction commits.
     * The task must follow {@link TxnRunnable}'s rules: it may run several times.
     */
    public void add(TxnRunnable task) {
        Objects.requireNonNull(task, "task");
        if (Stm.inTransaction()) {
            Stm.afterCommit(() -> {
                pending.addLast(task);
                Run current = activeRun;
                if (current != null) {
                    current.signalWork();
                }
            });
        } else {
            pending.addLast(task);
            Run current = activeRun;
            if (current != null) {
                current.signalWork();
            }
        }
    }

    /** Tasks queued and not yet started (a moment's value while a run is in progress). */
    public int size() {
        return pending.size();
    }

    /** Whether no task is queued. */
    public boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Runs every queued task on as many threads as there are cores; see {@link #run(int)}. */
    public RunStats run() {
        return run(Runtime.getRuntime().availableProcessors());
    }

    /**
     * Runs every queued task, and the tasks they add, as transactions on {@code threads} worker
     * threads (the calling thread is one of them), until the queue is empty.
     *
     * @return the run's statistics
     * @throws IllegalStateException if called inside a transaction or during another run
     * @throws IllegalArgumentException if {@code threads} is not between 1 and {@value #MAX_THREADS}
     * @throws StmInterruptedException if the calling thread is interrupted (it looks between two
     *                                 tasks and while it waits for tasks to end or to be woken from
     *                                 {@code retry()}); the tasks not run stay queued
     */
    public RunStats run(int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be between 1 and " + MAX_THREADS + ": " + threads);
        }
        if (Stm.inTransaction()) {
            throw new IllegalStateException("TransactionQueue.run() called inside a transaction: "
                    + "it runs its tasks as transactions of their own, so call it outside Stm.atomic");
        }
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException("TransactionQueue.run() is already running on this queue");
        }
        long start = System.nanoTime();
        Run run = new Run();
        activeRun = run;
        List<Thread> helpers = new ArrayList<>();
        try {
            try {
                for (int i = 1; i < threads; i++) {
                    Thread t = new Thread(() -> run.work(true), "TransactionQueue-worker-" + i);
                    t.setDaemon(true);
                    t.start();
                    helpers.add(t);
                }
            } catch (Throwable e) { // "unable to create native thread", say: stop the started ones
                run.fail(e);
            }
            run.work(false);
        } finally {
            run.finish(); // if the caller's loop ended abnormally
            // A stopping run ends the wait of a helper waiting to become inevitable (its task stays queued), again and
            // again until the helper is done, since it may join the line after a look; a helper running a task
            // finishes it: it is not interrupted (that cut its task's I/O short, and a task whose body then threw was
            // lost: neither committed nor queued). That holds when an interrupt of the caller is what stopped the
            // run; any other interrupt of the caller (during a run a task's failure stopped, or while it waits here)
            // is passed on to the helpers, each time, so that tasks blocked for good cannot keep run from returning.
            boolean stopping = run.failure.get() != null;
            boolean interrupted = Thread.interrupted(); // looked at here, set again below
            boolean passOn = interrupted && !run.stoppedByCallerInterrupt;
            for (Thread t : helpers) {
                for (;;) {
                    if (passOn) {
                        passOn = false;
                        for (Thread h : helpers) {
                            h.interrupt();
                        }
                    }
                    if (stopping) {
                        TxnDescriptor.INEVITABLE.cancelWait(t);
                    }
                    try {
                        t.join(stopping ? 10 : 0); // they stop taking tasks and never park in retry(): quick
                        if (!t.isAlive()) {
                            break;
                        }
                    } catch (InterruptedException e) {
                        interrupted = true;
                        passOn = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            run.requeueWaiting();
            activeRun = null;
            running.set(false);
        }
        Throwable failure = run.failure.get();
        if (failure != null) {
            throw Stm.sneakyThrow(failure);
        }
        return new RunStats(run.tasks.get(), run.commits.get(), run.aborts.get(),
                Duration.ofNanos(System.nanoTime() - start));
    }

    /** The most threads {@link #run(int)} accepts. */
    public static final int MAX_THREADS = 4096;

    /** One turn in a run's busy count: its low 32 bits count the workers holding a task. */
    private static final long TURN = 1L << 32;

    /** The run in progress, so that {@code add} can wake idle workers. */
    private volatile Run activeRun;

    /**
     * A task being run, and the callback of its {@code retry()}: set aside, it is queued again once,
     * by whoever claims it first (one small object per task run; the engine keeps it only on retry).
     */
    private static final class Waiting extends AtomicBoolean implements Runnable {
        // Plain fields: the claim's compare-and-set decides who takes the task; a stale read of run
        // in run() only leads to a claim that fails. (Volatile stores here would cost every task.)
        private Run run;
        private TxnRunnable task;

        Waiting(Run run, TxnRunnable task) {
            this.run = run;
            this.task = task;
        }

        /**
         * The task, to the one caller that claims it first (its wake-up or the end of the run), else
         * null. A claimed wake-up lets go of the run and the task: it may stay on the waiter lists of
         * the references the task read until one of them changes, and must not keep a finished run,
         * its queue and its tasks reachable meanwhile.
         */
        TxnRunnable claim() {
            if (!compareAndSet(false, true)) {
                return null;
            }
            TxnRunnable t = task;
            task = null;
            run = null;
            return t;
        }

        /** What the task read changed (on the committing thread). */
        @Override
        public void run() {
            Run r = run;
            if (r != null) {
                r.wake(this);
            }
        }
    }

    /** The shared state of one run; its {@link #work()} loop runs on every worker thread. */
    private final class Run {
        /** Workers holding a task (low 32 bits) and the times a worker went busy, in {@link #TURN}s. */
        private final AtomicLong busy = new AtomicLong();
        private final AtomicInteger idle = new AtomicInteger();
        /** Tasks set aside by retry() and not yet queued again. */
        private final AtomicInteger waiting = new AtomicInteger();
        private final Set<Waiting> waitingTasks = ConcurrentHashMap.newKeySet();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicInteger tasks = new AtomicInteger();
        private final AtomicLong commits = new AtomicLong();
        private final AtomicLong aborts = new AtomicLong();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private volatile boolean finished;
        /** The thread that called run. */
        private final Thread caller = Thread.currentThread();
        /** Whether an interrupt of the caller is what stopped the run (its first failure). */
        private volatile boolean stoppedByCallerInterrupt;

        /** This worker was interrupted: the run stops (the caller's interrupt, recorded as such if it is the first). */
        private void failInterrupted(String message) {
            if (Thread.currentThread() == caller && failure.get() == null) {
                stoppedByCallerInterrupt = true;
            }
            fail(new StmInterruptedException(message));
        }

        /** The worker loop; {@code helper} for the threads the run started (not the caller's). */
        void work(boolean helper) {
            TxnDescriptor me = TxnDescriptor.current();
            long commitsBefore = me.stats.commits;
            long abortsBefore = me.stats.aborts;
            int done = 0;
            try {
                while (!finished && failure.get() == null) {
                    if (!helper && Thread.currentThread().isInterrupted()) {
                        failInterrupted("TransactionQueue.run() interrupted");
                        break;
                    }
                    busy.addAndGet(TURN + 1);
                    TxnRunnable task = pending.pollFirst();
                    if (task == null) {
                        if (!lastOut(busy.decrementAndGet())) {
                            awaitChange();
                        }
                        continue;
                    }
                    if (finished || failure.get() != null) {
                        pending.addFirst(task); // stopped meanwhile: leave it for the next run
                        busy.decrementAndGet();
                        break;
                    }
                    Waiting w = new Waiting(this, task);
                    try {
                        // A failing after-commit hook does not undo the commit: the task counts as
                        // done (its children are queued: the other hooks ran) and the run stops.
                        if (me.runTop(task.getClass(), task, false, w, this::fail) == TxnDescriptor.DEFERRED) {
                            waitingTasks.add(w);
                            if (w.get()) {
                                waitingTasks.remove(w); // woken (and queued again) before it was added
                            }
                            waiting.incrementAndGet(); // may follow wake's decrement: we are busy meanwhile
                        } else {
                            done++;
                        }
                    } catch (Throwable t) {
                        // Interrupted while the task waited (for the inevitability token): the run's
                        // caller by whoever called it, a helper by a run that is stopping. Rolled back, never
                        // committed, so it stays queued, unless a wake-up of its retry() queued it
                        // already (the claim decides). Queued after fail(): a helper that takes it
                        // then puts it back instead of running it.
                        boolean requeue = t instanceof StmInterruptedException
                                && Thread.currentThread().isInterrupted() && w.claim() != null;
                        if (!requeue || failure.get() == null) {
                            fail(t); // not the stop's own doing: a helper told to stop waiting adds nothing
                        }
                        if (requeue) {
                            pending.addFirst(task);
                        }
                    } finally {
                        if (helper) {
                            Thread.interrupted(); // a task left this worker interrupted: no request to stop the run
                        }
                        busy.decrementAndGet();
                        signalWork();
                    }
                }
            } finally {
                tasks.addAndGet(done);
                commits.addAndGet(me.stats.commits - commitsBefore);
                aborts.addAndGet(me.stats.aborts - abortsBefore);
            }
        }

        /** A waiting task's read set changed (on the committing thread): queue it again, at the front. */
        void wake(Waiting w) {
            TxnRunnable task = w.claim();
            if (task != null) {
                waitingTasks.remove(w);
                pending.addFirst(task);
                waiting.decrementAndGet();
                signalWork();
            }
        }

        /** At the end of the run: tasks still waiting in retry() go back to the deque, not yet run. */
        void requeueWaiting() {
            for (Waiting w : waitingTasks) {
                TxnRunnable task = w.claim();
                if (task != null) {
                    waitingTasks.remove(w);
                    pending.addFirst(task);
                    waiting.decrementAndGet();
                }
            }
        }

        /**
         * Ends the run if the worker that left {@code busy} at {@code left} was the last one holding
         * a task and no task is left: waiting first (a woken task is in the deque before it leaves
         * that count), the deque next, and {@code busy} unchanged last (nobody took a task, and
         * queued its children, after the deque was seen empty). When only that last check fails, it
         * looks again from the new count, without a turn of its own that would disturb the others.
         */
        private boolean lastOut(long left) {
            while ((int) left == 0 && waiting.get() == 0 && pending.isEmpty()) {
                long now = busy.get();
                if (now == left) {
                    finish();
                    return true;
                }
                left = now;
            }
            return false;
        }

        private void fail(Throwable t) {
            if (!failure.compareAndSet(null, t)) {
                Throwable first = failure.get();
                if (first != t) {
                    first.addSuppressed(t);
                }
            }
            finish();
        }

        void finish() {
            finished = true;
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Wakes idle workers, if any: new tasks may be queued, or the run may be over. */
        void signalWork() {
            if (idle.get() > 0) {
                lock.lock();
                try {
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }

        private void awaitChange() {
            lock.lock();
            try {
                idle.incrementAndGet();
                try {
                    while (!finished && failure.get() == null && pending.isEmpty()
                            && ((int) busy.get() > 0 || waiting.get() != 0)) {
                        changed.await(10, TimeUnit.MILLISECONDS);
                    }
                } finally {
                    idle.decrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failInterrupted("interrupted while waiting for tasks in TransactionQueue.run()");
            } finally {
                lock.unlock();
            }
        }
    }
}
