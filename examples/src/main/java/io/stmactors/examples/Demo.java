package io.stmactors.examples;

/**
 * A runnable scaling demo. Every demo measures its workload in each requested mode and worker
 * count, after a short warm-up, and checks its own result; {@link DemoResult#correct()} says
 * whether every check passed.
 *
 * <p>Demos are written for every mode, including {@link DemoMode#ISOLATED}: actor behaviors
 * capture only transactional references ({@code TRef}, {@code TLong}, {@code TArray},
 * {@code TMap}) and primitives, messages are records registered with the actor system, and
 * results come back through the heap or through messages ({@code ask}), never through a captured
 * Java object. While the isolated runtime does not exist, its rows are reported as unavailable.
 */
public interface Demo {
    /** The name on the command line ({@code bank}, {@code list-compute}, ...). */
    String name();

    /** One line saying what the demo shows. */
    String summary();

    /** What one work item is, plural ("transfers", "rows", ...): the unit of the throughput. */
    default String unit() {
        return "items";
    }

    /** The default {@link DemoConfig#size()}: work items per measured run. */
    int defaultSize();

    /** How many steps {@link #run} reports to {@link DemoConfig#progress()} (its {@code plan} calls add up to this). */
    int progressSteps(DemoConfig config);

    /** Runs the demo; never throws for a failed check (see {@link DemoResult#correct()}). */
    DemoResult run(DemoConfig config);
}
