package io.stmactors.actors.isolated;

import io.stmactors.transport.FrameHandler;
import io.stmactors.transport.KryoCodec;
import io.stmactors.transport.Transport;
import io.stmactors.transport.TransportCounters;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A coordinator played by the test, for a {@link WorkerRuntime} running in the test's JVM: it records every
 * frame the worker sends, hands each to {@link #onFrame} (on the worker's sending thread, so that an answer
 * can be queued at once, in the order the owner would send it), and delivers the frames the test queues with
 * {@link #deliver}, in order, to the worker's poll thread. The worker's first frames use its runtime codec,
 * whose registrations are the first of the full codec's, so one codec (the user's classes registered) reads
 * and writes everything.
 */
final class ScriptedCoordinator implements Transport {
    final KryoCodec codec;
    private final List<Class<?>> registeredClasses;
    final List<Object> received = new CopyOnWriteArrayList<>();
    private final Queue<byte[]> inbox = new ConcurrentLinkedQueue<>();
    /** What the test does with each frame the worker sends (answers a fetch, a commit...). */
    volatile Consumer<Object> onFrame = frame -> { };

    ScriptedCoordinator(List<Class<?>> registeredClasses) {
        this.codec = Wire.codec(registeredClasses);
        this.registeredClasses = registeredClasses;
    }

    /**
     * The coordinator's side of a worker's start: waits for its hello, configures it as system {@code name} with
     * {@code threadsPerWorker} handler threads, and waits until it is ready (at most {@code seconds} each).
     */
    void configure(String name, int threadsPerWorker, long seconds) throws InterruptedException {
        if (await(Frames.Hello.class, seconds) == null) {
            throw new AssertionError("the worker did not say hello");
        }
        deliver(new Frames.Configure(registeredClasses.stream().map(Class::getName).toList(), name, 5,
                threadsPerWorker, 0, 0));
        if (await(Frames.Ready.class, seconds) == null) {
            throw new AssertionError("the worker was not configured");
        }
    }

    /** Queues a frame for the worker (endpoint 0 is the coordinator). */
    void deliver(Object frame) {
        inbox.add(codec.encode(frame));
    }

    /** A value as the coordinator ships it in a {@link Frames.RefValue} (no references in it). */
    byte[] encodeValue(Object value) {
        return codec.encode(new Boxed(value));
    }

    Object decodeValue(byte[] bytes) {
        return Wire.unbox(codec.decode(bytes));
    }

    /** The first frame of this type the worker sent, waiting for it at most {@code seconds}; null if none came. */
    <T> T await(Class<T> type, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        do {
            for (Object frame : received) {
                if (type.isInstance(frame)) {
                    return type.cast(frame);
                }
            }
            Thread.sleep(5);
        } while (System.nanoTime() < deadline);
        return null;
    }

    @Override
    public int localId() {
        return 1;
    }

    @Override
    public void send(int destinationId, int messageType, DirectBuffer payload, int offset, int length) {
        Object frame = codec.decode(payload, offset, length);
        received.add(frame);
        onFrame.accept(frame);
    }

    @Override
    public int poll(FrameHandler handler, int limit) {
        int n = 0;
        byte[] bytes;
        while (n < limit && (bytes = inbox.poll()) != null) {
            handler.onFrame(0, Frames.TYPE, new UnsafeBuffer(bytes), 0, bytes.length);
            n++;
        }
        return n;
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
}
