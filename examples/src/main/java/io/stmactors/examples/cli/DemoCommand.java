package io.stmactors.examples.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code stm-actors demo}: the group of demos. Without a demo name it lists them and exits with 2. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        footerHeading = "%nRun 'stm-actors demo NAME --help' for a demo's options.%n",
        description = {"Run a scaling demo (the list is below).",
                "Each prints a table: mode, workers, throughput, speedup over 1 worker, commits, aborts, abort rate, "
                        + "and whether the demo's own correctness check passed."},
        subcommands = {ScalingCommand.class, BankCommand.class, ListComputeCommand.class, ReactorCommand.class,
                SharedStructureCommand.class, ContentionCommand.class})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("stm-actors: demo: name a demo: "
                + String.join(", ", spec.subcommands().keySet()) + " (stm-actors demo --help)");
        spec.commandLine().getErr().flush();
        return DemoCommandBase.USAGE;
    }
}
