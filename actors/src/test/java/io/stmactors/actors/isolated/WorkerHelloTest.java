package io.stmactors.actors.isolated;

import io.stmactors.transport.FrameHandler;
import io.stmactors.transport.KryoCodec;
import io.stmactors.transport.Transport;
import io.stmactors.transport.TransportCounters;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
    /** A coordinator that never answers: records what the worker sends, and can tell it to shut down. */
    static final class SilentCoordinator implements Transport {
        final KryoCodec codec = Wire.codec(List.of());
        final List<Object> received = new CopyOnWriteArrayList<>();
        volatile boolean shutdown;
        volatile boolean shutdownSent;

        @Override
        public int localId() {
            return 1;
        }

        @Override
        public void send(int destinationId, int messageType, DirectBuffer payload, int offset, int length) {
            received.add(codec.decode(payload, offset, length));
        }

        @Override
        public int poll(FrameHandler handler, int limit) {
            if (shutdown && !shutdownSent) {
                shutdownSent = true;
                byte[] bytes = codec.encode(new Frames.Shutdown());
                handler.onFrame(0, Frames.TYPE, new UnsafeBuffer(bytes), 0, bytes.length);
                return 1;
            }
            return 0;
        }

        @Override
        public boolean isReachable(int destinationId) {
            return true;
        }

        @Override
        public int maxMessageSize() {
            return 1 << 20;
        }

        @Override
        public TransportCounters counters() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }

        long hellos() {
            return received.stream().filter(f -> f instanceof Frames.Hello).count();
        }
    }

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
