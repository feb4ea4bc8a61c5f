package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorSystem;
import io.stmactors.transport.KryoCodec;

/**
 * Benchmark access to the isolated mode's own codec ({@link Wire#codec}, package-private in the
 * runtime). This class lives in the {@code bench} module but in the runtime's package (a split
 * package, which the plain class path of the benchmark JVMs allows), so the benchmark drives exactly
 * the codec, serializers and wire context an {@link IsolatedActorSystem} uses, without a public
 * accessor in the runtime and without changing it. Only for measurements.
 *
 * <p>A message crossing to another process is encoded once (the payload, wrapped as
 * {@link Boxed}), carried inside a frame ({@link Frames.Tell} from the coordinator to a worker; a
 * worker's sends ride in its {@link Frames.Commit}), and decoded once at the receiver. The methods
 * here do one coordinator → worker delivery's codec work in the coordinator's wire context
 * ({@code TRef}/{@code TLong} by id, actor addresses by name).
 */
public final class BenchWire {
    private final IsolatedActorSystem system;
    private final KryoCodec codec;

    /** The codec of {@code system}, which must be an {@code ISOLATED_PROCESSES} system. */
    public BenchWire(ActorSystem system) {
        if (!(system instanceof IsolatedActorSystem iso)) {
            throw new IllegalArgumentException("not an isolated-mode system: " + system);
        }
        this.system = iso;
        this.codec = iso.codec();
    }

    /** The message's payload bytes, as {@code tell} encodes them. */
    public byte[] encodePayload(Object message) {
        return system.encode(message);
    }

    /** The frame that delivers {@code message} to actor {@code target}: payload, then frame. */
    public byte[] encodeTell(String target, Object message) {
        byte[] payload = system.encode(message);
        return Wire.with(system, () -> codec.encode(new Frames.Tell(target, payload)));
    }

    /** The message a {@link #encodeTell} frame carries: frame, then payload. */
    public Object decodeTell(byte[] frame) {
        Frames.Tell tell = (Frames.Tell) Wire.with(system, () -> codec.decode(frame));
        return system.decode(tell.message());
    }
}
