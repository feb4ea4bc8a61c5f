package io.stmactors.transport.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import java.lang.reflect.Array;

/**
 * Array serializers that check a declared length against the bytes left before allocating.
 * <p>
 * Thread-safety: like every Kryo serializer, an instance belongs to one {@link Kryo} and is used by one thread at a
 * time.
 */
public final class SafeArraySerializers
{
    private SafeArraySerializers()
    {
    }

    /**
     * Cast to the bounded input this codec always decodes from.
     *
     * @param input handed to a serializer.
     * @return the same input.
     * @throws IllegalStateException if the serializer is used outside the codec.
     */
    static BoundedInput bounded(final Input input)
    {
        if (input instanceof BoundedInput)
        {
            return (BoundedInput)input;
        }
        throw new IllegalStateException("stm-actors safe serializers must read from a BoundedInput");
    }

    /**
     * Wraps one of Kryo's primitive array serializers, whose format is a varint {@code length + 1} (0 = null)
     * followed by the elements: peek the length, charge it, rewind, delegate.
     *
     * @param <T> the primitive array type.
     */
    public static final class LengthChecked<T> extends Serializer<T>
    {
        private final Serializer<T> delegate;
        private final int minimumBytesPerElement;
        private final String name;

        /**
         * @param delegate               Kryo's serializer for the array type.
         * @param minimumBytesPerElement fewest bytes one element takes in the delegate's format.
         * @param name                   used in error messages, e.g. {@code "int[]"}.
         */
        public LengthChecked(final Serializer<T> delegate, final int minimumBytesPerElement, final String name)
        {
            super(delegate.getAcceptsNull(), delegate.isImmutable());
            this.delegate = delegate;
            this.minimumBytesPerElement = minimumBytesPerElement;
            this.name = name;
        }

        /**
         * @return the class name of the wrapped Kryo serializer, for the registration description.
         */
        public String delegateName()
        {
            return delegate.getClass().getName();
        }

        /** {@inheritDoc} */
        public void write(final Kryo kryo, final Output output, final T object)
        {
            delegate.write(kryo, output, object);
        }

        /** {@inheritDoc} */
        public T read(final Kryo kryo, final Input input, final Class<? extends T> type)
        {
            final BoundedInput in = bounded(input);
            final int start = in.position();
            final int lengthPlusOne = in.readVarInt(true);
            if (lengthPlusOne < 0)
            {
                throw new KryoException("Malformed input: " + name + " has a negative length");
            }
            if (lengthPlusOne > 1)
            {
                in.chargeElements(lengthPlusOne - 1L, minimumBytesPerElement, name);
            }
            in.setPosition(start);

            return delegate.read(kryo, in, type);
        }
    }

    /**
     * Any array of references ({@code Object[]}, {@code String[]}, {@code Foo[]}, {@code int[][]}): a varint
     * length, then each element with its class id ({@link Kryo#writeClassAndObject}), so every element is at
     * least one byte on the wire.
     */
    public static final class ObjectArray extends Serializer<Object[]>
    {
        /**
         * Create the serializer; it is stateless apart from Kryo's reference bookkeeping.
         */
        public ObjectArray()
        {
            super(false, false);
        }

        /** {@inheritDoc} */
        public void write(final Kryo kryo, final Output output, final Object[] array)
        {
            output.writeVarInt(array.length, true);
            for (final Object element : array)
            {
                kryo.writeClassAndObject(output, element);
            }
        }

        /** {@inheritDoc} */
        public Object[] read(final Kryo kryo, final Input input, final Class<? extends Object[]> type)
        {
            final BoundedInput in = bounded(input);
            final int length = in.readVarInt(true);
            in.chargeElements(length, 1, type.getSimpleName());

            final Class<?> componentType = type.getComponentType();
            final Object[] array = (Object[])Array.newInstance(componentType, length);
            kryo.reference(array);
            for (int i = 0; i < length; i++)
            {
                final Object element = kryo.readClassAndObject(in);
                if (null != element && !componentType.isInstance(element))
                {
                    throw new KryoException("Malformed input: element " + i + " of " + type.getSimpleName() +
                        " is a " + element.getClass().getName());
                }
                array[i] = element;
            }

            return array;
        }
    }
}
