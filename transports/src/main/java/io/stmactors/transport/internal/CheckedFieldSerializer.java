package io.stmactors.transport.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.FieldSerializer;

import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;

/**
 * Kryo's {@link FieldSerializer}, plus a check that every object field holds an instance of its declared type.
 * <p>
 * Where {@code sun.misc.Unsafe} is available, Kryo sets fields with {@code Unsafe.putObject}, which checks
 * nothing. A field whose declared type is not final is read as "a class id, then that class's object", so forged
 * input could put any registered class into it (a {@code String} into a field declared {@code TRef[]}), and the
 * first use of that field would read memory as the wrong layout and crash the JVM. Each field is checked as soon
 * as it is set, by reading it back through reflection, which never trusts the type; a mismatch is a
 * {@link KryoException} (the codec reports it as malformed input), and the half-built object is dropped.
 * <p>
 * Thread-safety: like every Kryo serializer, an instance belongs to one {@link Kryo} and is used by one thread at
 * a time.
 *
 * @param <T> the serialized class.
 */
public final class CheckedFieldSerializer<T> extends FieldSerializer<T>
{
    private CachedField[] checkedFor;
    /** Per entry of {@link #checkedFor}: the field to check after reading it, or null. */
    private Field[] checks = new Field[0];

    /**
     * @param kryo the owning Kryo.
     * @param type the class to serialize field by field.
     */
    public CheckedFieldSerializer(final Kryo kryo, final Class<T> type)
    {
        super(kryo, type);
    }

    /**
     * {@link FieldSerializer#read}, checking each field as soon as it is set, before the next one is read: with
     * references on, a later field can hold the half-built object (a set containing it calls its
     * {@code hashCode}), so a forged field must not survive until the end.
     */
    @Override
    public T read(final Kryo kryo, final Input input, final Class<? extends T> type)
    {
        final int pop = pushTypeVariables();
        final T object = create(kryo, input, type);
        kryo.reference(object);
        final CachedField[] fields = getFields();
        final Field[] checks = checksFor(fields);
        for (int i = 0, n = fields.length; i < n; i++)
        {
            try
            {
                fields[i].read(input, object);
            }
            catch (final KryoException ex)
            {
                throw ex;
            }
            catch (final RuntimeException ex)
            {
                throw new KryoException("Error reading " + fields[i] + " at position " + input.position(), ex);
            }
            if (null != checks[i])
            {
                check(checks[i], object);
            }
        }
        popTypeVariables(pop);
        return object;
    }

    private static void check(final Field field, final Object object)
    {
        final Object value;
        try
        {
            value = field.get(object);
        }
        catch (final IllegalAccessException ex)
        {
            throw new KryoException("Cannot check field " + field, ex);
        }
        if (null != value && !field.getType().isInstance(value))
        {
            throw new KryoException("Malformed input: field " + field.getDeclaringClass().getName() + "." +
                field.getName() + " (" + field.getType().getName() + ") would hold a " + value.getClass().getName());
        }
    }

    /** For each field, itself if its declared type is narrower than {@code Object} (and not primitive), else null. */
    private Field[] checksFor(final CachedField[] fields)
    {
        if (fields != checkedFor)
        {
            final Field[] result = new Field[fields.length];
            for (int i = 0; i < fields.length; i++)
            {
                final Field field = fields[i].getField();
                final Class<?> declared = field.getType();
                if (declared.isPrimitive() || declared == Object.class)
                {
                    continue;
                }
                try
                {
                    field.setAccessible(true); // Kryo opened it already to register the class
                }
                catch (final InaccessibleObjectException | SecurityException ex)
                {
                    throw new KryoException("Cannot check field " + field + " of a decoded " + getType().getName() +
                        ": " + ex.getMessage(), ex);
                }
                result[i] = field;
            }
            checks = result;
            checkedFor = fields;
        }
        return checks;
    }
}
