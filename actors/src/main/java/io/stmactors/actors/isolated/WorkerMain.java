package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Mode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The entry point of a worker JVM of an isolated-mode system. Started by the coordinator with the
 * same classpath; not meant to be run by hand. It exits when the coordinator tells it to, and on
 * its own within about a second when the coordinator process dies, so no orphan JVM is left.
 */
public final class WorkerMain {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerMain.class);

    private WorkerMain() {
    }

    /** The command-line arguments of worker {@code endpoint} of {@code system}. */
    static List<String> arguments(int endpoint, IsolatedActorSystem system) {
        ActorSystemConfig c = system.config();
        List<String> args = new ArrayList<>();
        args.add("--id=" + endpoint);
        args.add("--dir=" + system.directory());
        args.add("--secret=" + Long.toHexString(system.secret()));
        args.add("--coordinator=" + ProcessHandle.current().pid());
        args.add("--name=" + c.name());
        args.add("--throughput=" + c.throughput());
        args.add("--threads=" + c.threadsPerWorker());
        if (c.handlerTimeout() != null) {
            args.add("--handler-timeout-ms=" + c.handlerTimeout().toMillis());
        }
        StringBuilder classes = new StringBuilder();
        for (Class<?> type : c.registeredClasses()) {
            if (classes.length() > 0) {
                classes.append(',');
            }
            classes.append(type.getName());
        }
        args.add("--classes=" + classes);
        return args;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            if (!a.startsWith("--") || eq < 0) {
                System.err.println("stm-actors worker: unexpected argument " + a);
                System.exit(2);
            }
            args.put(a.substring(2, eq), a.substring(eq + 1));
        }
        int id = Integer.parseInt(args.get("id"));
        long coordinator = Long.parseLong(args.get("coordinator"));
        ProcessHandle.of(coordinator).ifPresentOrElse(
                h -> h.onExit().thenRun(() -> {
                    LOG.error("Worker {}: the coordinator (pid {}) died; exiting", id, coordinator);
                    Runtime.getRuntime().halt(3);
                }),
                () -> {
                    LOG.error("Worker {}: the coordinator (pid {}) is gone; exiting", id, coordinator);
                    Runtime.getRuntime().halt(3);
                });
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        ActorSystemConfig.Builder builder = ActorSystemConfig.builder()
                .name(args.get("name"))
                .mode(Mode.ISOLATED_PROCESSES)
                .throughput(Integer.parseInt(args.get("throughput")))
                .threadsPerWorker(Integer.parseInt(args.get("threads")));
        if (args.containsKey("handler-timeout-ms")) {
            builder.handlerTimeout(java.time.Duration.ofMillis(Long.parseLong(args.get("handler-timeout-ms"))));
        }
        String classes = args.getOrDefault("classes", "");
        if (!classes.isEmpty()) {
            for (String name : classes.split(",")) {
                builder.register(Class.forName(name, false, loader));
            }
        }
        WorkerRuntime runtime = new WorkerRuntime(id, Path.of(args.get("dir")),
                Long.parseUnsignedLong(args.get("secret"), 16), builder.build());
        runtime.run();
        System.exit(0);
    }
}
