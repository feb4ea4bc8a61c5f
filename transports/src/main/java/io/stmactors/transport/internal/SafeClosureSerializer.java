package io.stmactors.transport.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;

import static io.stmactors.transport.internal.SafeArraySerializers.bounded;

/**
 * Kryo's {@link ClosureSerializer} for serializable lambdas, with the captured-argument count checked before Kryo
 * allocates an array for it.
 * <p>
 * The wire format is Kryo's: captured arguments (each with its class id), the capturing class (by registration id,
 * so it must be registered), then the {@link java.lang.invoke.SerializedLambda} strings. Decoding ends in the
 * capturing class's generated {@code $deserializeLambda$}, which only recreates lambdas that class itself
 * declares, so forged strings cannot reach arbitrary methods.
 * <p>
 * Thread-safety: one instance per {@link Kryo}, used by one thread at a time.
 */
public final class SafeClosureSerializer extends ClosureSerializer
{
    /** {@inheritDoc} */
    @SuppressWarnings("rawtypes")
    public Object read(final Kryo kryo, final Input input, final Class type)
    {
        final BoundedInput in = bounded(input);
        final int start = in.position();
        final int capturedArgs = in.readVarInt(true);
        in.chargeElements(capturedArgs, 1, "lambda captured arguments");
        in.setPosition(start);

        return super.read(kryo, in, type);
    }
}
