package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Mode;
import io.stmactors.transport.Transport;
import io.stmactors.transport.TransportException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * An isolated-mode system whose coordinator cannot open its transport (here: its Pekko port is taken) fails
 * to start, and leaves nothing behind: before, its private temporary directory stayed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransportOpenFailureTest {

    private static Set<Path> privateDirectories() throws IOException {
        try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return all.filter(p -> p.getFileName().toString().startsWith("stm-actors-")).collect(Collectors.toSet());
        }
    }

    @Test
    void aCoordinatorThatCannotOpenItsTransportLeavesNoDirectory() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Set<Path> before = privateDirectories();
            ActorSystemConfig config = ActorSystemConfig.builder().mode(Mode.ISOLATED_PROCESSES).workers(1)
                    .transport(Transport.pekko().toBuilder().hostname("127.0.0.1").port(taken.getLocalPort()).build())
                    .build();
            TransportException failure = assertThrows(TransportException.class, () -> ActorSystem.create(config).close());
            Set<Path> left = new HashSet<>(privateDirectories());
            left.removeAll(before);
            assertEquals(Set.of(), left, "directories left by a system that failed to start (" + failure + ")");
        }
    }
}
