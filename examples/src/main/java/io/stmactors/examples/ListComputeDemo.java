package io.stmactors.examples;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
import io.stmactors.examples.internal.Mandelbrot;
import io.stmactors.examples.internal.Trials;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TArray;
import io.stmactors.stm.TRef;
import io.stmactors.stm.TransactionQueue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code list-compute}: PyPy-STM's "typical application" - an expensive, mostly independent
 * computation over every item of a big list. Each item is one row of a Mandelbrot image
 * ({@link Mandelbrot}); its task computes the row, stores the row's sum in its own slot of a
 * {@link TArray}, and updates the shared "most expensive row so far" only when it beats it (so
 * the tasks are independent except for a rare write to one shared reference).
 *
 * <ul>
 *   <li>{@link Via#QUEUE}: PyPy-STM's {@code TransactionQueue} - add one task per row, run them on
 *       N threads. In {@code gil} mode every task makes itself inevitable first, and the STM lets
 *       one inevitable transaction run at a time: a GIL. Not available in isolated mode (the queue's
 *       threads live in one JVM).</li>
 *   <li>{@link Via#ACTORS}: rows are messages to a pool of compute actors.</li>
 * </ul>
 * Throughput is rows per second. The check compares every stored row sum, and the most expensive
 * row, with a sequential computation made beforehand.
 */
public final class ListComputeDemo implements Demo {
    /** The default size (see {@link #defaultSize()}). */
    public static final int DEFAULT_SIZE = 2_400;

    /** How the rows are distributed. */
    public enum Via {
        QUEUE("queue"), ACTORS("actors");

        private final String cliName;

        Via(String cliName) {
            this.cliName = cliName;
        }

        public String cliName() {
            return cliName;
        }
    }

    /** The most expensive row so far (ties: the lower row). */
    public record Best(int row, long iterations) {
        boolean beatenBy(int otherRow, long otherIterations) {
            return otherIterations > iterations || (otherIterations == iterations && otherRow < row);
        }
    }

    private int width = 1_000;
    private int maxIterations = 1_000;
    private List<Via> variants = List.of(Via.QUEUE, Via.ACTORS);

    @Override
    public String name() {
        return "list-compute";
    }

    @Override
    public String summary() {
        return "expensive independent work per list item (Mandelbrot rows) via TransactionQueue and via actors";
    }

    @Override
    public String unit() {
        return "rows";
    }

    @Override
    public int defaultSize() {
        return DEFAULT_SIZE;
    }

    /** Pixels per row (default 1000). */
    public ListComputeDemo width(int width) {
        if (width < 1) {
            throw new IllegalArgumentException("--width must be at least 1, got " + width);
        }
        this.width = width;
        return this;
    }

    /** Iterations per pixel at most (default 1000). */
    public ListComputeDemo maxIterations(int maxIterations) {
        if (maxIterations < 1) {
            throw new IllegalArgumentException("--max-iterations must be at least 1, got " + maxIterations);
        }
        this.maxIterations = maxIterations;
        return this;
    }

    /** Which ways of distributing the rows to run (default both). */
    public ListComputeDemo via(List<Via> variants) {
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("at least one variant is needed");
        }
        this.variants = List.copyOf(variants);
        return this;
    }

    @Override
    public int progressSteps(DemoConfig config) {
        return 1 + variants.size() * Trials.steps(config);
    }

    @Override
    public DemoResult run(DemoConfig config) {
        int rows = config.sizeOr(defaultSize());
        Mandelbrot image = new Mandelbrot(width, rows, maxIterations);
        config.progress().plan(progressSteps(config));
        config.progress().starting("list-compute: sequential reference");
        long[] expected = image.allRows(); // the check's reference; also warms up the kernel
        config.progress().finished();
        List<DemoRow> out = new ArrayList<>();
        for (Via via : variants) {
            Trials.Opener opener = via == Via.QUEUE
                    ? (mode, workers) -> new QueueTrial(image, expected, mode, workers)
                    : (mode, workers) -> new ActorsTrial(Trials.system("list-compute", mode, workers, ACTOR_CLASSES),
                    image, expected, Math.max(8, 4 * config.maxWorkers()), config.timeout());
            out.addAll(Trials.run(name(), via.cliName(), config, rows, opener));
        }
        return new DemoResult(name(), out, "");
    }

    // ---------------------------------------------------------------- shared by both variants

    /** The task of one row, as a transaction body: compute, store, maybe update the best. */
    static void computeRow(Mandelbrot image, TArray<Long> results, TRef<Best> best, int row) {
        long iterations = image.row(row);
        results.set(row, iterations);
        if (best.get().beatenBy(row, iterations)) {
            best.set(new Best(row, iterations));
        }
    }

    /**
     * Row {@code k} of a round. Measured round {@code i} of {@code n} takes rows {@code i, i + n,
     * i + 2n, ...}, so the measured rounds together compute every row once; the warm-up takes its
     * rows spread over the image.
     */
    static int rowOf(long k, Trials.Round round, int height) {
        return round.warmup() ? (int) (k * height / round.items()) : (int) (round.index() + k * round.count());
    }

    static String check(TArray<Long> results, TRef<Best> best, long[] expected) {
        Best expectedBest = new Best(Integer.MAX_VALUE, -1);
        for (int y = 0; y < expected.length; y++) {
            if (expectedBest.beatenBy(y, expected[y])) {
                expectedBest = new Best(y, expected[y]);
            }
        }
        List<Long> got = results.snapshot();
        for (int y = 0; y < expected.length; y++) {
            Long value = got.get(y);
            if (value == null || value != expected[y]) {
                return String.format(Locale.ROOT, "row %d: stored %s, expected %d", y, value, expected[y]);
            }
        }
        Best gotBest = best.get();
        return gotBest.equals(expectedBest) ? null : "most expensive row " + gotBest + ", expected " + expectedBest;
    }

    private static TRef<Best> newBest() {
        return TRef.named("list-compute.best", new Best(Integer.MAX_VALUE, -1));
    }

    // ---------------------------------------------------------------- TransactionQueue

    private static final class QueueTrial implements Trials.Trial {
        private final Mandelbrot image;
        private final long[] expected;
        private final boolean gil;
        private final int threads;
        private final TArray<Long> results;
        private final TRef<Best> best = newBest();

        QueueTrial(Mandelbrot image, long[] expected, DemoMode mode, int threads) {
            if (mode == DemoMode.ISOLATED) {
                throw new UnsupportedOperationException(
                        "the TransactionQueue runs its tasks on threads of one JVM; see the actors variant");
            }
            this.image = image;
            this.expected = expected;
            this.gil = mode == DemoMode.GIL;
            this.threads = threads;
            this.results = TArray.named("list-compute.row", image.height());
        }

        @Override
        public long round(Trials.Round round) {
            TransactionQueue queue = new TransactionQueue();
            for (long k = 0; k < round.items(); k++) {
                int row = rowOf(k, round, image.height());
                if (gil) {
                    queue.add(() -> {
                        Stm.inevitable(); // one inevitable transaction at a time: the GIL
                        computeRow(image, results, best, row);
                    });
                } else {
                    queue.add(() -> computeRow(image, results, best, row));
                }
            }
            return queue.run(threads).tasks();
        }

        @Override
        public String check() {
            return ListComputeDemo.check(results, best, expected);
        }

        @Override
        public long commits() {
            return Stm.diagnostics().commits();
        }

        @Override
        public long aborts() {
            return Stm.diagnostics().aborts();
        }

        @Override
        public void close() {
        }
    }

    // ---------------------------------------------------------------- actors

    /** Messages of a compute actor. */
    public sealed interface ComputeMsg permits ComputeRow, Flush {
    }

    /** Compute row {@code row}. */
    public record ComputeRow(int row) implements ComputeMsg {
    }

    /** Reply once every row sent before this message is done (mailboxes are FIFO per sender). */
    public record Flush(ActorRef<Long> replyTo) implements ComputeMsg {
    }

    static final List<Class<?>> ACTOR_CLASSES = List.of(ComputeRow.class, Flush.class, Best.class, Mandelbrot.class);

    /** A compute actor; its state counts the rows done since the last flush. */
    static Behavior<ComputeMsg> computer(Mandelbrot image, TArray<Long> results, TRef<Best> best) {
        return Behaviors.withState(0L, (ctx, done, msg) -> {
            if (msg instanceof ComputeRow r) {
                computeRow(image, results, best, r.row());
                return done + 1;
            }
            ((Flush) msg).replyTo().tell(done);
            return 0L;
        });
    }

    private static final class ActorsTrial extends Trials.ActorTrial {
        private final Mandelbrot image;
        private final long[] expected;
        private final TArray<Long> results;
        private final TRef<Best> best = newBest();
        private final List<ActorRef<ComputeMsg>> computers = new ArrayList<>();
        private final Duration timeout;

        ActorsTrial(ActorSystem system, Mandelbrot image, long[] expected, int actors, Duration timeout) {
            super(system);
            this.image = image;
            this.expected = expected;
            this.timeout = timeout;
            this.results = TArray.named("list-compute.row", image.height());
            Behavior<ComputeMsg> behavior = computer(image, results, best);
            for (int i = 0; i < actors; i++) {
                computers.add(system.spawn(behavior, "computer-" + i));
            }
        }

        @Override
        public long round(Trials.Round round) throws Exception {
            int n = computers.size();
            for (long k = 0; k < round.items(); k++) {
                computers.get((int) (k % n)).tell(new ComputeRow(rowOf(k, round, image.height())));
            }
            List<CompletableFuture<Long>> replies = new ArrayList<>(n);
            for (ActorRef<ComputeMsg> computer : computers) {
                replies.add(system.<ComputeMsg, Long>ask(computer, Flush::new, timeout));
            }
            long done = 0;
            for (CompletableFuture<Long> reply : replies) {
                done += reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            return done;
        }

        @Override
        public String check() {
            return ListComputeDemo.check(results, best, expected);
        }
    }
}
