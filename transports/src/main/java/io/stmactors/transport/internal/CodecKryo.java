package io.stmactors.transport.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.MapReferenceResolver;
import io.stmactors.transport.UnregisteredClassException;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * The {@link Kryo} configuration every codec slot uses: registration required, class names never accepted from
 * the wire, generics optimisation off, a depth limit, and a distinct {@link UnregisteredClassException}.
 * <p>
 * Generics optimisation is off so that the safe serializers need not take part in Kryo's generic-type stack and
 * every container element carries its class id (which is what makes the element budget of {@link BoundedInput}
 * sound). Objects without a no-arg constructor are created through Objenesis, but only for registered classes.
 * Classes without a serializer of their own get a {@link CheckedFieldSerializer}: Kryo's field serializer sets
 * fields through {@code Unsafe}, unchecked, so forged input could otherwise put an object of the wrong class in a
 * field and crash the JVM on its first use.
 * <p>
 * Thread-safety: none, like {@link Kryo}; one instance per pooled slot.
 */
public final class CodecKryo extends Kryo
{
    /**
     * @param references whether to track shared and cyclic references (must match on both sides).
     * @param maxDepth   deepest object nesting accepted on encode and decode.
     */
    public CodecKryo(final boolean references, final int maxDepth)
    {
        super(new StrictClassResolver(), references ? new MapReferenceResolver() : null);
        setRegistrationRequired(true);
        setOptimizedGenerics(false);
        setMaxDepth(maxDepth);
        setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        // Classes without a serializer of their own are read field by field, each field type-checked.
        setDefaultSerializer(CheckedFieldSerializer.class);
    }

    /**
     * {@inheritDoc}
     *
     * @throws UnregisteredClassException if the class (or, for a lambda, its marker) has no registration.
     */
    @SuppressWarnings("rawtypes")
    public Registration getRegistration(final Class type)
    {
        final Registration registration = getClassResolver().getRegistration(type);
        if (null != registration)
        {
            return registration;
        }

        try
        {
            return super.getRegistration(type);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UnregisteredClassException(type, null);
        }
    }

    /**
     * Resolves class ids only. Kryo writes a class name instead of an id for implicitly registered classes; with
     * registration required that never happens on encode, so a name on the wire is forged and is refused before
     * any class is looked up or loaded.
     */
    static final class StrictClassResolver extends DefaultClassResolver
    {
        protected Registration readName(final Input input)
        {
            throw new KryoException("Malformed input: a class name was found where only registration ids are " +
                "accepted");
        }

        @SuppressWarnings("rawtypes")
        public Registration registerImplicit(final Class type)
        {
            throw new UnregisteredClassException(type, null);
        }
    }
}
