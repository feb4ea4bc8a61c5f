package io.stmactors.transport.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.FieldSerializer;

import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.util.ArrayList;
import java.util.List;

/**
 * Kryo's {@link FieldSerializer}, plus a check that every object field holds an instance of its declared type.
 * <p>
 * Where {@code sun.misc.Unsafe} is available, Kryo sets fields with {@code Unsafe.putObject}, which checks
 * nothing. A field whose declared type is not final is read as "a class id, then that class's object", so forged
 * input could put any registered class into it (a {@code String} into a field declared {@code TRef[]}), and the
 * first use of that field would read memory as the wrong layout and crash the JVM. The check runs after the
 * fields are set and before the object is returned, reading each field back through reflection, which never
 * trusts the type; a mismatch is a {@link KryoException} (the codec reports it as malformed input), and the
 * half-built object is dropped.
 * <p>
 * Thread-safety: like every Kryo serializer, an instance belongs to one {@link Kryo} and is used by one thread at
 * a time.
 *
 * @param <T> the serialized class.
 */
public final class CheckedFieldSerializer<T> extends FieldSerializer<T>
{
    private CachedField[] checkedFor;
    private Field[] checked = new Field[0];

    /**
     * @param kryo the owning Kryo.
     * @param type the class to serialize field by field.
     */
    public CheckedFieldSerializer(final Kryo kryo, final Class<T> type)
    {
        super(kryo, type);
    }

    @Override
    public T read(final Kryo kryo, final Input input, final Class<? extends T> type)
    {
        final T object = super.read(kryo, input, type);
        if (null != object)
        {
            for (final Field field : checkedFields())
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
                        field.getName() + " (" + field.getType().getName() + ") would hold a " +
                        value.getClass().getName());
                }
            }
        }
        return object;
    }

    /** The object fields whose declared type is narrower than {@code Object}, for the current field list. */
    private Field[] checkedFields()
    {
        final CachedField[] fields = getFields();
        if (fields != checkedFor)
        {
            final List<Field> list = new ArrayList<>();
            for (final CachedField cached : fields)
            {
                final Field field = cached.getField();
                final Class<?> declared = field.getType();
                if (declared.isPrimitive() || declared == Object.class)
                {
                    continue;
                }
                try
                {
                    field.setAccessible(true);
                }
                catch (final InaccessibleObjectException | SecurityException ex)
                {
                    if (getKryo().isFinal(declared))
                    {
                        continue; // read as exactly its declared class (a JDK class's field the module system hides)
                    }
                    throw new KryoException("Cannot check field " + field + " of a decoded " + getType().getName() +
                        ": " + ex.getMessage(), ex);
                }
                list.add(field);
            }
            checked = list.toArray(new Field[0]);
            checkedFor = fields;
        }
        return checked;
    }
}
