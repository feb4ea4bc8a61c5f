package io.stmactors.examples.cli;

import io.stmactors.examples.Demo;
import io.stmactors.examples.ListComputeDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stm-actors demo list-compute}. */
@Command(name = "list-compute", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"PyPy-STM's typical application: an expensive, mostly independent computation over every item "
                + "of a list (rows of a Mandelbrot image), through a TransactionQueue and through actors.",
                "In gil mode the queue's tasks run inevitable, one at a time; isolated mode runs the actors only."})
public final class ListComputeCommand extends DemoCommandBase {
    @Option(names = "--size", paramLabel = "ROWS", order = 1,
            description = "Rows of the image, i.e. items of the list (default: " + ListComputeDemo.DEFAULT_SIZE + ").")
    Integer size;

    @Option(names = "--via", paramLabel = "queue|actors|both", defaultValue = "both", order = 2,
            description = "How rows are distributed (default: ${DEFAULT-VALUE}).")
    String via;

    @Option(names = "--width", paramLabel = "PIXELS", defaultValue = "1000", order = 3,
            description = "Pixels per row (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--max-iterations", paramLabel = "N", defaultValue = "1000", order = 4,
            description = "Iterations per pixel at most (default: ${DEFAULT-VALUE}).")
    int maxIterations;

    @Override
    protected Demo demo() {
        return new ListComputeDemo().width(width).maxIterations(maxIterations).via(Variants.oneOrBoth("--via", via,
                "queue", ListComputeDemo.Via.QUEUE, "actors", ListComputeDemo.Via.ACTORS));
    }

    @Override
    protected Integer size() {
        return size;
    }
}
