package io.stmactors.examples.cli;

import io.stmactors.examples.Demo;
import io.stmactors.examples.SharedStructureDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stm-actors demo shared-structure}. */
@Command(name = "shared-structure", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Handlers reading and updating one big shared TMap: lookups are memory reads on a shared heap, "
                + "copies and messages between isolated processes."})
public final class SharedStructureCommand extends DemoCommandBase {
    @Option(names = "--size", paramLabel = "N", order = 1,
            description = "Handlers per measured run (default: " + SharedStructureDemo.DEFAULT_SIZE + ").")
    Integer size;

    @Option(names = "--entries", paramLabel = "N", defaultValue = "100000", order = 2,
            description = "Entries in the map (default: ${DEFAULT-VALUE}).")
    int entries;

    @Option(names = "--reads", paramLabel = "N", defaultValue = "16", order = 3,
            description = "Lookups per handler (default: ${DEFAULT-VALUE}).")
    int reads;

    @Option(names = "--update-percent", paramLabel = "P", defaultValue = "20", order = 4,
            description = "Percentage of handlers that also move a unit between two entries (default: ${DEFAULT-VALUE}).")
    int updatePercent;

    @Override
    protected Demo demo() {
        return new SharedStructureDemo().entries(entries).reads(reads).updatePercent(updatePercent);
    }

    @Override
    protected Integer size() {
        return size;
    }
}
