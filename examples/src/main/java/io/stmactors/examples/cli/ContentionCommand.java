package io.stmactors.examples.cli;

import io.stmactors.examples.ContentionDemo;
import io.stmactors.examples.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stm-actors demo contention}. */
@Command(name = "contention", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A sweep of conflict probability: a fraction p of the handlers increments one hot counter. "
                + "Shows where STM stops scaling, and prints the conflict report naming the hot reference."})
public final class ContentionCommand extends DemoCommandBase {
    @Option(names = "--size", paramLabel = "N", order = 1,
            description = "Handlers per measured run, at each conflict level (default: " + ContentionDemo.DEFAULT_SIZE + ").")
    Integer size;

    @Option(names = "--conflict", paramLabel = "P[,P...]", defaultValue = "0,10,25,50,100", order = 2,
            description = "Conflict probabilities to sweep, in percent (default: ${DEFAULT-VALUE}).")
    String conflict;

    @Option(names = "--work", paramLabel = "N", defaultValue = "400", order = 3,
            description = "Private computation per handler, in hash rounds (default: ${DEFAULT-VALUE}).")
    int work;

    @Override
    protected Demo demo() {
        return new ContentionDemo().work(work).conflictPercents(Variants.integers("--conflict", conflict,
                p -> p < 0 || p > 100 ? "percentages must be between 0 and 100" : null));
    }

    @Override
    protected Integer size() {
        return size;
    }
}
