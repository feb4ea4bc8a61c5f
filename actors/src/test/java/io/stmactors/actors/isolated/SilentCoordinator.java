package io.stmactors.actors.isolated;

import io.stmactors.transport.FrameHandler;
import io.stmactors.transport.KryoCodec;
import io.stmactors.transport.Transport;
import io.stmactors.transport.TransportCounters;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A coordinator that never answers: records what the worker sends, and can tell it to shut down. */
final class SilentCoordinator implements Transport {
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
