package io.stmactors.examples.cli;

import io.stmactors.examples.Demo;
import io.stmactors.examples.ScalingDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stm-actors demo scaling}. */
@Command(name = "scaling", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs bank, list-compute (actors) and shared-structure with every worker count in every mode, "
                + "and prints one summary row per demo and mode with its speedup.",
                "Takes under two minutes on two cores at the default size."})
public final class ScalingCommand extends DemoCommandBase {
    @Option(names = "--size", paramLabel = "PERCENT", order = 1,
            description = "Percentage of each demo's default size (default: " + ScalingDemo.DEFAULT_SIZE + ").")
    Integer size;

    @Override
    protected Demo demo() {
        if (size != null && size > ScalingDemo.maxSize()) {
            throw new IllegalArgumentException("--size must be at most " + ScalingDemo.maxSize()
                    + " (percent of each demo's default size), got " + size);
        }
        return new ScalingDemo();
    }

    @Override
    protected Integer size() {
        return size;
    }
}
