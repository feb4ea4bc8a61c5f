package io.stmactors.actors.isolated;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * I8. A worker said hello once. If the coordinator's answer ({@code Configure}) was lost, the worker waited
 * forever, unconfigured, and its actors were never re-created: over a Pekko cluster a restarted worker's
 * hello can arrive while its dead predecessor, with the same endpoint id, is still being removed, and the
 * answer goes to the predecessor ({@code IsolatedPekkoTest} failed so: "Could not configure worker 1:
 * EndpointClosedException ... it was downed"). A worker now says hello again until it is configured.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkerHelloTest {
    @Test
    void anUnconfiguredWorkerSaysHelloAgain() throws Exception {
        SilentCoordinator coordinator = new SilentCoordinator();
        Thread worker = new Thread(() -> new WorkerRuntime(1, coordinator).run(), "worker-under-test");
        worker.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (coordinator.hellos() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        coordinator.shutdown = true;
        worker.join(10_000);
        assertFalse(worker.isAlive(), "the worker stops when told to");
        assertTrue(coordinator.hellos() >= 2, "the worker said hello " + coordinator.hellos()
                + " time(s) in 10 s without an answer");
    }
}
