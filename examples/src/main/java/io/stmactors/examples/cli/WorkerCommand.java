package io.stmactors.examples.cli;

import io.stmactors.actors.isolated.WorkerMain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code stm-actors worker --join host:port --id N}: contributes this machine as worker N of an
 * isolated-mode actor system whose coordinator runs a Pekko cluster at {@code host:port}. The
 * cluster secret comes from {@code STM_ACTORS_CLUSTER_SECRET}. Runs until the coordinator shuts it
 * down or leaves.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {"Join an isolated-mode actor system as one of its worker processes (over a Pekko cluster).",
                "The cluster secret is read from the environment variable " + WorkerMain.SECRET_ENV + " (hexadecimal)."})
public final class WorkerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--join", required = true, paramLabel = "HOST:PORT",
            description = "Address of the coordinator's Pekko cluster (printed by the coordinator).")
    String join;

    @Option(names = "--id", required = true, paramLabel = "N", description = "This worker's id, 1..workers.")
    int id;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address other members reach this worker at (default: ${DEFAULT-VALUE}, same machine only).")
    String host;

    @Option(names = "--port", defaultValue = "0", paramLabel = "PORT", description = "Port to bind (0: any free port).")
    int port;

    /** Where environment variables are read (a seam for tests). */
    java.util.function.UnaryOperator<String> environment = System::getenv;

    @Override
    public Integer call() {
        if (id < 1) {
            throw new ParameterException(spec.commandLine(), "--id must be at least 1, got " + id);
        }
        if (!join.matches("[^:]+:\\d{1,5}") || !validPort(join.substring(join.lastIndexOf(':') + 1), 1)) {
            throw new ParameterException(spec.commandLine(), "--join must be host:port with a port in 1..65535, got '"
                    + join + "'");
        }
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be in 0..65535, got " + port);
        }
        String secret = environment.apply(WorkerMain.SECRET_ENV);
        if (secret == null || secret.isBlank()) {
            throw new ParameterException(spec.commandLine(), "set " + WorkerMain.SECRET_ENV
                    + " to the cluster secret (hexadecimal) printed or configured by the coordinator");
        }
        long clusterSecret;
        try {
            clusterSecret = Long.parseUnsignedLong(secret.trim(), 16);
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), WorkerMain.SECRET_ENV
                    + " must be the cluster secret in hexadecimal (at most 16 digits)");
        }
        WorkerMain.runJoined(join, id, host, port, clusterSecret,
                Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(10));
        return 0;
    }

    private static boolean validPort(String digits, int least) {
        int p = Integer.parseInt(digits);
        return p >= least && p <= 65535;
    }
}
