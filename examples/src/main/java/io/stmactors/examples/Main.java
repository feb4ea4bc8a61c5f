package io.stmactors.examples;

import io.stmactors.examples.cli.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * The {@code stm-actors} command line: {@code stm-actors demo NAME [options]}. Run through the
 * {@code stm-actors} script at the root of the repository, which builds the runnable jar once.
 *
 * <p>Exit codes: 0 when every check passed, 1 when a demo's correctness check failed, 2 for an
 * argument error (reported in one line on stderr).
 */
@Command(name = "stm-actors", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Actors on a shared transactional heap (software transactional memory) for the JVM, "
                + "with a global-lock mode and an isolated-process mode to compare with: scaling demos.",
        subcommands = {DemoCommand.class, io.stmactors.examples.cli.WorkerCommand.class,
                io.stmactors.examples.cli.HelpCommand.class},
        footerHeading = "%nDemos (stm-actors demo NAME --help for each one's options):%n",
        footer = {
                "  scaling           bank, list-compute, shared-structure in every mode: summary",
                "  bank              random transfers between accounts (TRefs or actors)",
                "  list-compute      costly independent work per item: TransactionQueue, actors",
                "  reactor           HTTP server; handlers are messages to one concurrent actor",
                "  shared-structure  handlers reading and updating one big shared TMap",
                "  contention        conflict probability 0..100%%: where STM stops scaling",
                "",
                "Every demo takes --mode shared|gil|isolated|all, --workers 1,2,4, --size N,",
                "--seed N, --chart FILE.png|FILE.html and --json.",
                "Example: stm-actors demo scaling --chart scaling.png",
                "Exit codes: 0 checks passed, 1 a correctness check failed, 2 bad arguments."})
public final class Main implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line, ready to {@link CommandLine#execute execute}: argument errors print one line
     * on stderr and give exit code 2; unexpected failures print one line and give exit code 1.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("stm-actors: " + e.getMessage() + " (try --help)");
            err.flush();
            return CommandLine.ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("stm-actors: failed: " + e);
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cl;
    }

    /** Without a command: the usage, on stderr, and exit code 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLine.ExitCode.USAGE;
    }

    /** The version from the jar's manifest (the shaded jar has it), else "development build". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"stm-actors " + (v == null ? "(development build)" : v),
                    "JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")};
        }
    }
}
