package io.stmactors.transport.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import static io.stmactors.transport.internal.SafeArraySerializers.bounded;

/**
 * Serializable lambdas whose capturing class travels by <em>name</em>, so that the classes that
 * declare behaviors need not be registered (their captured values still must be).
 * <p>
 * On decode the name is resolved without initializing the class, and accepted only if the class
 * declares the compiler-generated {@code private static $deserializeLambda$(SerializedLambda)}:
 * that is, only classes that themselves contain serializable lambdas, and the method recreates
 * only lambdas that class declares, so forged strings cannot reach arbitrary methods or classes
 * without lambdas. Captured-argument counts are charged against the input before allocation.
 * <p>
 * Thread-safety: stateless apart from a small cache of resolved methods; safe to share.
 */
public final class NamedCapturingClosureSerializer extends Serializer<Object>
{
    private static final String DESERIALIZE = "$deserializeLambda$";
    private final ClassValue<Method> deserializers = new ClassValue<>()
    {
        protected Method computeValue(final Class<?> type)
        {
            try
            {
                final Method m = type.getDeclaredMethod(DESERIALIZE, SerializedLambda.class);
                if (!Modifier.isStatic(m.getModifiers()))
                {
                    return null;
                }
                m.setAccessible(true);
                return m;
            }
            catch (final NoSuchMethodException | RuntimeException ex)
            {
                return null;
            }
        }
    };

    /** {@inheritDoc} */
    public void write(final Kryo kryo, final Output output, final Object object)
    {
        final SerializedLambda lambda = toSerializedLambda(object);
        final int count = lambda.getCapturedArgCount();
        output.writeVarInt(count, true);
        for (int i = 0; i < count; i++)
        {
            kryo.writeClassAndObject(output, lambda.getCapturedArg(i));
        }
        output.writeString(lambda.getCapturingClass().replace('/', '.'));
        output.writeString(lambda.getFunctionalInterfaceClass());
        output.writeString(lambda.getFunctionalInterfaceMethodName());
        output.writeString(lambda.getFunctionalInterfaceMethodSignature());
        output.writeVarInt(lambda.getImplMethodKind(), true);
        output.writeString(lambda.getImplClass());
        output.writeString(lambda.getImplMethodName());
        output.writeString(lambda.getImplMethodSignature());
        output.writeString(lambda.getInstantiatedMethodType());
    }

    /** {@inheritDoc} */
    @SuppressWarnings("rawtypes")
    public Object read(final Kryo kryo, final Input input, final Class type)
    {
        final BoundedInput in = bounded(input);
        final int count = in.readVarInt(true);
        in.chargeElements(count, 1, "lambda captured arguments");
        final Object[] captured = new Object[count];
        for (int i = 0; i < count; i++)
        {
            captured[i] = kryo.readClassAndObject(in);
        }
        final String capturingName = in.readString();
        final Class<?> capturing;
        try
        {
            capturing = Class.forName(capturingName, false, loader());
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            throw new KryoException("Malformed lambda: unknown capturing class " + capturingName);
        }
        final Method deserialize = deserializers.get(capturing);
        if (null == deserialize)
        {
            throw new KryoException("Malformed lambda: " + capturingName + " declares no serializable lambdas");
        }
        final SerializedLambda lambda = new SerializedLambda(capturing, in.readString(), in.readString(),
            in.readString(), in.readVarInt(true), in.readString(), in.readString(), in.readString(), in.readString(),
            captured);
        try
        {
            return deserialize.invoke(null, lambda);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            throw new KryoException("Malformed lambda of " + capturingName + ": " + ex, ex);
        }
    }

    private static ClassLoader loader()
    {
        final ClassLoader context = Thread.currentThread().getContextClassLoader();
        return null != context ? context : NamedCapturingClosureSerializer.class.getClassLoader();
    }

    private static SerializedLambda toSerializedLambda(final Object object)
    {
        try
        {
            final Method writeReplace = object.getClass().getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            final Object replacement = writeReplace.invoke(object);
            if (replacement instanceof SerializedLambda)
            {
                return (SerializedLambda)replacement;
            }
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            throw new KryoException("Cannot serialize " + object.getClass().getName() + ": it is not a " +
                "serializable lambda (" + ex + ")", ex);
        }
        throw new KryoException("Cannot serialize " + object.getClass().getName() + ": not a serializable lambda");
    }

    /** The marker class Kryo uses for every lambda. */
    public static Class<?> closureClass()
    {
        return ClosureSerializer.Closure.class;
    }
}
