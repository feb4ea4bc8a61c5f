package io.stmactors.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code stm-actors help [COMMAND...]}: the usage of the command at the end of the path, so that
 * {@code help demo bank} shows the bank demo's options (picocli's own help command looks up one
 * name only, and showed the {@code demo} group's usage for that). An unknown name is an argument
 * error: one line on stderr, exit code 2.
 */
@Command(name = "help", helpCommand = true,
        description = "Show the usage of a command: help, help demo, help demo bank.")
public final class HelpCommand implements Callable<Integer>, CommandLine.IHelpCommandInitializable2 {
    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command (path) to show the usage of.")
    String[] path = new String[0];

    private CommandLine self;
    private CommandLine.Help.ColorScheme colors;
    private PrintWriter out;
    private PrintWriter err;

    @Override
    public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme,
                     PrintWriter outWriter, PrintWriter errWriter) {
        this.self = helpCommandLine;
        this.colors = colorScheme;
        this.out = outWriter;
        this.err = errWriter;
    }

    @Override
    public Integer call() {
        CommandLine target = self.getParent() != null ? self.getParent() : self;
        StringBuilder where = new StringBuilder(target.getCommandName());
        for (String name : path) {
            CommandLine next = target.getSubcommands().get(name);
            if (next == null || next == self) {
                err.println("stm-actors: unknown command '" + name + "' under '" + where + "'; commands: "
                        + String.join(", ", target.getSubcommands().keySet()) + " (try --help)");
                err.flush();
                return DemoCommandBase.USAGE;
            }
            target = next;
            where.append(' ').append(name);
        }
        target.usage(out, colors);
        out.flush();
        return 0;
    }
}
