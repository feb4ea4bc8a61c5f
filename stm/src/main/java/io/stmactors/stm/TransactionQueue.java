package io.stmactors.stm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 *   <li>A task that throws stops the run: the workers take no new task, those running finish,
 *       and {@code run} rethrows the first exception unchanged (later ones are attached as
 *       suppressed). The failed task is dropped, its writes and children rolled back; every task
 *       not yet started stays queued, so a later {@code run} goes on with them.</li>
 *   <li>{@code run} inside a transaction, or while another {@code run} of the same queue is in
 *       progress, throws {@link IllegalStateException}.</li>
 *   <li>A task that calls {@link Stm#retry()} blocks its worker until another task changes what
 *       it read; if no running task ever does, {@code run} does not return.</li>
 * </ul>
 *
 * <h2>Concurrency design</h2>
 * Queued tasks live in a {@link ConcurrentLinkedDeque}, outside the transactional heap: taking a
 * task must not make workers conflict with each other. A task's children go through
 * {@link Stm#afterCommit}, so they reach the deque only after the task committed. Termination: a
 * worker counts itself in {@code busy} before it polls and out after its task (including the
 * after-commit hooks that queued its children); the worker that brings {@code busy} to zero and
 * then finds the deque empty knows no task can appear any more (only busy workers add during a
 * run), and ends the run. Idle workers wait on a condition signalled when a task ends; the
 * {@code idle} count and the state checks are volatile on both sides (Dekker style), so a signal
 * cannot be missed, and the wait is timed anyway as a safety net.
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
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public RunStats run(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
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
        try {
            List<Thread> helpers = new ArrayList<>(threads - 1);
            for (int i = 1; i < threads; i++) {
                Thread t = new Thread(run::work, "TransactionQueue-worker-" + i);
                t.setDaemon(true);
                helpers.add(t);
                t.start();
            }
            run.work();
            boolean interrupted = false;
            for (Thread t : helpers) {
                for (;;) {
                    try {
                        t.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // the workers stop on their own; wait for them
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        } finally {
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

    /** The run in progress, so that {@code add} can wake idle workers. */
    private volatile Run activeRun;

    /** The shared state of one run; its {@link #work()} loop runs on every worker thread. */
    private final class Run {
        private final AtomicInteger busy = new AtomicInteger();
        private final AtomicInteger idle = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicInteger tasks = new AtomicInteger();
        private final AtomicLong commits = new AtomicLong();
        private final AtomicLong aborts = new AtomicLong();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private volatile boolean finished;

        void work() {
            TxnDescriptor me = TxnDescriptor.current();
            long commitsBefore = me.commits;
            long abortsBefore = me.aborts;
            int done = 0;
            try {
                while (!finished && failure.get() == null) {
                    busy.incrementAndGet();
                    TxnRunnable task = pending.pollFirst();
                    if (task == null) {
                        if (busy.decrementAndGet() == 0 && pending.isEmpty()) {
                            finish();
                        } else {
                            awaitChange();
                        }
                        continue;
                    }
                    try {
                        Stm.atomic(task);
                        done++;
                    } catch (Throwable t) {
                        fail(t);
                    } finally {
                        busy.decrementAndGet();
                        signalWork();
                    }
                }
            } finally {
                tasks.addAndGet(done);
                commits.addAndGet(me.commits - commitsBefore);
                aborts.addAndGet(me.aborts - abortsBefore);
            }
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

        private void finish() {
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
                    while (!finished && failure.get() == null && pending.isEmpty() && busy.get() > 0) {
                        changed.await(10, TimeUnit.MILLISECONDS);
                    }
                } finally {
                    idle.decrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(new StmInterruptedException("interrupted while waiting for tasks in TransactionQueue.run()"));
            } finally {
                lock.unlock();
            }
        }
    }
}
