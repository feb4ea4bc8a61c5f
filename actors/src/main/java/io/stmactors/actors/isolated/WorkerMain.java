package io.stmactors.actors.isolated;

import io.stmactors.transport.SharedMemoryTransport;
import io.stmactors.transport.Transport;
import io.stmactors.transport.TransportConfig;
import io.stmactors.transport.TransportException;
import io.stmactors.transport.pekko.EndpointMembershipListener;
import io.stmactors.transport.pekko.PekkoTransport;
import io.stmactors.transport.pekko.PekkoTransportConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The entry point of a worker JVM of an isolated-mode system.
 *
 * <ul>
 *   <li>Started by the coordinator on the same machine ({@code --transport=shm}, same classpath):
 *       not meant to be run by hand. It exits when told to, and on its own within about a second of
 *       the coordinator's death, so no orphan JVM is left.</li>
 *   <li>On another host, through a Pekko cluster: {@code stm-actors worker --join host:port --id N}
 *       ({@link #runJoined}). It exits when the coordinator's endpoint leaves the cluster.</li>
 * </ul>
 * The cluster secret comes from the environment variable {@value #SECRET_ENV} (hexadecimal), never
 * from the command line, where {@code ps} would show it.
 */
public final class WorkerMain {
    /** Environment variable holding the cluster secret in hexadecimal. */
    public static final String SECRET_ENV = "STM_ACTORS_CLUSTER_SECRET";
    private static final Logger LOG = LoggerFactory.getLogger(WorkerMain.class);

    private WorkerMain() {
    }

    public static void main(String[] argv) {
        Map<String, String> args = new HashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            if (!a.startsWith("--") || eq < 0) {
                System.err.println("stm-actors worker: unexpected argument " + a);
                System.exit(2);
            }
            args.put(a.substring(2, eq), a.substring(eq + 1));
        }
        long secret = secretFromEnvironment();
        int id = Integer.parseInt(args.get("id"));
        if ("pekko".equals(args.get("transport"))) {
            runJoined(args.get("join"), id, args.getOrDefault("host", "127.0.0.1"),
                    Integer.parseInt(args.getOrDefault("port", "0")), secret,
                    Duration.ofMillis(Long.parseLong(args.getOrDefault("heartbeat-ms", "1000"))),
                    Duration.ofMillis(Long.parseLong(args.getOrDefault("pause-ms", "3000"))),
                    Duration.ofMillis(Long.parseLong(args.getOrDefault("stable-ms", "10000"))));
            System.exit(0);
        }
        long coordinator = Long.parseLong(args.get("coordinator"));
        Path directory = Path.of(args.get("dir"));
        ProcessHandle.of(coordinator).ifPresentOrElse(
                h -> h.onExit().thenRun(() -> {
                    removeDirectory(directory);
                    coordinatorGone(id, "process " + coordinator + " died");
                }),
                () -> coordinatorGone(id, "process " + coordinator + " is gone"));
        Transport transport = SharedMemoryTransport.open(TransportConfig.builder()
                .directory(Path.of(args.get("dir"))).endpointId(id).clusterSecret(secret)
                .ringCapacity(8 * 1024 * 1024).build());
        new WorkerRuntime(id, transport).run();
        System.exit(0);
    }

    /** The cluster secret from {@value #SECRET_ENV}. */
    public static long secretFromEnvironment() {
        String hex = System.getenv(SECRET_ENV);
        if (hex == null || hex.isBlank()) {
            System.err.println("stm-actors worker: set " + SECRET_ENV + " to the cluster secret (hexadecimal)");
            System.exit(2);
        }
        return Long.parseUnsignedLong(hex.trim(), 16);
    }

    /**
     * Joins the Pekko cluster of a coordinator at {@code join} ({@code host:port}) as worker {@code id},
     * serves until the coordinator says so or leaves, then returns. Prints {@code READY host:port}
     * once joined.
     */
    public static void runJoined(String join, int id, String host, int port, long secret,
                                 Duration heartbeat, Duration pause, Duration stableAfter) {
        PekkoTransportConfig config = PekkoTransportConfig.builder()
                .endpointId(id).clusterSecret(secret).hostname(host).port(port).seedNodes(join)
                .failureDetector(heartbeat, pause).downingStableAfter(stableAfter).build();
        PekkoTransport transport = openWithRetry(config);
        transport.addMembershipListener(new EndpointMembershipListener() {
            @Override
            public void onEndpointRemoved(int endpointId, String address, RemovalReason reason) {
                if (endpointId == 0) {
                    coordinatorGone(id, "endpoint 0 at " + address + " " + reason);
                }
            }
        });
        System.out.println("READY " + transport.address());
        System.out.flush();
        new WorkerRuntime(id, transport).run();
    }

    /** A restarted worker may find its old incarnation still a member until it is downed: retry. */
    private static PekkoTransport openWithRetry(PekkoTransportConfig config) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try {
                return PekkoTransport.open(config);
            } catch (TransportException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                LOG.info("Worker {} cannot join yet ({}); retrying", config.endpointId(), e.getMessage());
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static void coordinatorGone(int id, String why) {
        LOG.error("Worker {}: the coordinator is gone ({}); exiting", id, why);
        Runtime.getRuntime().halt(3);
    }

    /**
     * The coordinator died without cleaning up: remove the private directory (inboxes, logs), so that
     * nothing is left behind. Every worker tries; deleting what is already gone is harmless, and the
     * inboxes of workers still running are unlinked but stay mapped until they exit too.
     */
    private static void removeDirectory(Path directory) {
        try (var files = java.nio.file.Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    java.nio.file.Files.deleteIfExists(p);
                } catch (java.io.IOException | RuntimeException e) {
                    // another worker got there first, or it is not ours: nothing to do
                }
            });
        } catch (java.io.IOException | RuntimeException e) {
            // already removed
        }
    }
}
