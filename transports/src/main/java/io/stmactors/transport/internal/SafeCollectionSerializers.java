package io.stmactors.transport.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import static io.stmactors.transport.internal.SafeArraySerializers.bounded;

/**
 * Collection and map serializers that replace Kryo's {@code CollectionSerializer}, {@code MapSerializer} and
 * {@code ImmutableCollectionsSerializers} in this codec.
 * <p>
 * Kryo's versions size the new collection by the declared count before reading any element, and let the writer
 * choose (through a flag in the stream) to omit per-element markers so an element may take zero bytes. Both turn
 * a forged count into an {@link OutOfMemoryError}. The format here is deliberately plain: a varint count, then
 * every element (and for maps every key and every value) written with {@link Kryo#writeClassAndObject}, so each
 * one is at least one byte and the count can be charged against {@link BoundedInput} before allocating. The price
 * is one class-id byte per element that Kryo's "same type" optimisation would have saved.
 * <p>
 * Hashed collections read all their keys first and pass them to {@link HashCollisionGuard}, so keys forged to share
 * one hash code are refused before inserting them would cost quadratic time.
 * <p>
 * Thread-safety: like every Kryo serializer, an instance belongs to one {@link Kryo} and is used by one thread at a
 * time.
 */
public final class SafeCollectionSerializers
{
    private SafeCollectionSerializers()
    {
    }

    /**
     * Containers may not be nested more than this many levels inside map keys or set elements. Inserting a key
     * compares it with colliding keys, and {@code AbstractMap.equals} of maps with null values looks each key up
     * twice, so {@code singletonMap(singletonMap(..., null), null)} keys of depth d cost 2<sup>d</sup> steps:
     * 166 forged bytes could keep a decoder busy for hours (found by fuzzing). Real keys are rarely containers at
     * all, let alone four levels deep.
     */
    public static final int MAX_KEY_NESTING = 4;

    /** Reads a map key or set element, counting how deep the decoder is inside keys. */
    static Object readKey(final Kryo kryo, final BoundedInput in)
    {
        in.keyDepth++;
        try
        {
            return kryo.readClassAndObject(in);
        }
        finally
        {
            in.keyDepth--;
        }
    }

    /** Refuses a container that would be nested too deeply inside keys (see {@link #MAX_KEY_NESTING}). */
    static void checkKeyNesting(final BoundedInput in, final String what)
    {
        if (in.keyDepth > MAX_KEY_NESTING)
        {
            throw new KryoException("Malformed input: " + what + " nested more than " + MAX_KEY_NESTING +
                " levels deep inside map keys or set elements");
        }
    }

    /**
     * Mutable collections: {@link ArrayList}, {@link java.util.LinkedList}, {@link ArrayDeque}, {@link HashSet},
     * {@link LinkedHashSet}, and registered user subclasses of {@link Collection} with a no-arg constructor.
     */
    public static final class MutableCollection extends Serializer<Collection<Object>>
    {
        /** {@inheritDoc} */
        public void write(final Kryo kryo, final Output output, final Collection<Object> collection)
        {
            writeElements(kryo, output, collection);
        }

        /** {@inheritDoc} */
        public Collection<Object> read(final Kryo kryo, final Input input, final Class<? extends Collection<Object>> type)
        {
            final BoundedInput in = bounded(input);
            checkKeyNesting(in, type.getSimpleName());
            final int size = in.readVarInt(true);
            in.chargeElements(size, 1, type.getSimpleName());

            final Collection<Object> collection = create(kryo, type, size);
            kryo.reference(collection);
            if (!(collection instanceof Set))
            {
                for (int i = 0; i < size; i++)
                {
                    collection.add(kryo.readClassAndObject(in));
                }
                return collection;
            }

            final Object[] elements = new Object[size];
            for (int i = 0; i < size; i++)
            {
                elements[i] = readKey(kryo, in);
            }
            if (!(collection instanceof java.util.SortedSet))
            {
                HashCollisionGuard.check(elements, type.getSimpleName(), collection instanceof HashSet);
            }
            for (final Object element : elements)
            {
                collection.add(element);
            }

            return collection;
        }

        @SuppressWarnings("unchecked")
        private static Collection<Object> create(
            final Kryo kryo, final Class<? extends Collection<Object>> collectionType, final int size)
        {
            final Class<?> type = collectionType;
            if (type == ArrayList.class)
            {
                return new ArrayList<>(size);
            }
            if (type == HashSet.class)
            {
                return new HashSet<>(hashCapacity(size));
            }
            if (type == LinkedHashSet.class)
            {
                return new LinkedHashSet<>(hashCapacity(size));
            }
            if (type == ArrayDeque.class)
            {
                return new ArrayDeque<>(size);
            }

            return (Collection<Object>)kryo.newInstance(collectionType);
        }
    }

    /**
     * {@link TreeSet}: the comparator (or null for natural ordering) then the elements.
     */
    public static final class SortedSet extends Serializer<TreeSet<Object>>
    {
        /** {@inheritDoc} */
        public void write(final Kryo kryo, final Output output, final TreeSet<Object> set)
        {
            kryo.writeClassAndObject(output, set.comparator());
            writeElements(kryo, output, set);
        }

        /** {@inheritDoc} */
        public TreeSet<Object> read(final Kryo kryo, final Input input, final Class<? extends TreeSet<Object>> type)
        {
            final BoundedInput in = bounded(input);
            final TreeSet<Object> set = new TreeSet<>(readComparator(kryo, in));
            kryo.reference(set);
            final int size = in.readVarInt(true);
            checkKeyNesting(in, "TreeSet");
            in.chargeElements(size, 1, "TreeSet");
            for (int i = 0; i < size; i++)
            {
                set.add(readKey(kryo, in));
            }

            return set;
        }
    }

    /**
     * Mutable maps: {@link HashMap}, {@link LinkedHashMap}, and registered user subclasses of {@link Map} with a
     * no-arg constructor.
     */
    public static final class MutableMap extends Serializer<Map<Object, Object>>
    {
        /** {@inheritDoc} */
        public void write(final Kryo kryo, final Output output, final Map<Object, Object> map)
        {
            writeEntries(kryo, output, map);
        }

        /** {@inheritDoc} */
        @SuppressWarnings("unchecked")
        public Map<Object, Object> read(final Kryo kryo, final Input input, final Class<? extends Map<Object, Object>> type)
        {
            final BoundedInput in = bounded(input);
            final int size = in.readVarInt(true);
            checkKeyNesting(in, type.getSimpleName());
            in.chargeElements(2L * size, 1, type.getSimpleName());

            final Map<Object, Object> map;
            final Class<?> mapType = type;
            if (mapType == HashMap.class)
            {
                map = new HashMap<>(hashCapacity(size));
            }
            else if (mapType == LinkedHashMap.class)
            {
                map = new LinkedHashMap<>(hashCapacity(size));
            }
            else
            {
                map = (Map<Object, Object>)kryo.newInstance(type);
            }
            kryo.reference(map);
            final Object[] keys = new Object[size];
            final Object[] values = new Object[size];
            for (int i = 0; i < size; i++)
            {
                keys[i] = readKey(kryo, in);
                values[i] = kryo.readClassAndObject(in);
            }
            if (!(map instanceof java.util.SortedMap))
            {
                HashCollisionGuard.check(keys, type.getSimpleName(),
                    map instanceof HashMap || map instanceof ConcurrentHashMap);
            }
            for (int i = 0; i < size; i++)
            {
                map.put(keys[i], values[i]);
            }

            return map;
        }
    }

    /**
     * {@link TreeMap}: the comparator (or null for natural ordering) then the entries.
     */
    public static final class SortedMap extends Serializer<TreeMap<Object, Object>>
    {
        /** {@inheritDoc} */
        public void write(final Kryo kryo, final Output output, final TreeMap<Object, Object> map)
        {
            kryo.writeClassAndObject(output, map.comparator());
            writeEntries(kryo, output, map);
        }

        /** {@inheritDoc} */
        public TreeMap<Object, Object> read(
            final Kryo kryo, final Input input, final Class<? extends TreeMap<Object, Object>> type)
        {
            final BoundedInput in = bounded(input);
            final TreeMap<Object, Object> map = new TreeMap<>(readComparator(kryo, in));
            kryo.reference(map);
            final int size = in.readVarInt(true);
            checkKeyNesting(in, "TreeMap");
            in.chargeElements(2L * size, 1, "TreeMap");
            for (int i = 0; i < size; i++)
            {
                final Object key = readKey(kryo, in);
                map.put(key, kryo.readClassAndObject(in));
            }

            return map;
        }
    }

    /**
     * {@code List.of(...)}, {@code List.copyOf}, {@code Stream.toList()} and their sub-lists. Decodes to an
     * unmodifiable list equal to the original; a list holding nulls (only {@code Stream.toList()} makes those)
     * decodes through {@code Stream.toList()} again because {@code List.of} rejects nulls.
     */
    public static final class ImmutableList extends Serializer<List<Object>>
    {
        /**
         * Immutable: Kryo may share instances instead of copying them.
         */
        public ImmutableList()
        {
            super(false, true);
        }

        /** {@inheritDoc} */
        public void write(final Kryo kryo, final Output output, final List<Object> list)
        {
            writeElements(kryo, output, list);
        }

        /** {@inheritDoc} */
        public List<Object> read(final Kryo kryo, final Input input, final Class<? extends List<Object>> type)
        {
            final BoundedInput in = bounded(input);
            checkKeyNesting(in, "immutable List");
            final Object[] elements = readElementArray(kryo, in, "immutable List");
            for (final Object element : elements)
            {
                if (null == element)
                {
                    return Arrays.stream(elements).toList();
                }
            }

            return List.of(elements);
        }
    }

    /**
     * {@code Set.of(...)} and {@code Set.copyOf}. Duplicates or nulls in the input are malformed.
     */
    public static final class ImmutableSet extends Serializer<Set<Object>>
    {
        /**
         * Immutable: Kryo may share instances instead of copying them.
         */
        public ImmutableSet()
        {
            super(false, true);
        }

        /** {@inheritDoc} */
        public void write(final Kryo kryo, final Output output, final Set<Object> set)
        {
            writeElements(kryo, output, set);
        }

        /** {@inheritDoc} */
        public Set<Object> read(final Kryo kryo, final Input input, final Class<? extends Set<Object>> type)
        {
            final BoundedInput in = bounded(input);
            checkKeyNesting(in, "immutable Set");
            in.keyDepth++;
            try
            {
                final Object[] elements = readElementArray(kryo, in, "immutable Set");
                HashCollisionGuard.check(elements, "immutable Set");
                return Set.of(elements);
            }
            finally
            {
                in.keyDepth--;
            }
        }
    }

    /**
     * {@code Map.of(...)}, {@code Map.ofEntries} and {@code Map.copyOf}. Duplicate keys or nulls are malformed.
     */
    public static final class ImmutableMap extends Serializer<Map<Object, Object>>
    {
        /**
         * Immutable: Kryo may share instances instead of copying them.
         */
        public ImmutableMap()
        {
            super(false, true);
        }

        /** {@inheritDoc} */
        public void write(final Kryo kryo, final Output output, final Map<Object, Object> map)
        {
            writeEntries(kryo, output, map);
        }

        /** {@inheritDoc} */
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Map<Object, Object> read(final Kryo kryo, final Input input, final Class<? extends Map<Object, Object>> type)
        {
            final BoundedInput in = bounded(input);
            final int size = in.readVarInt(true);
            checkKeyNesting(in, "immutable Map");
            in.chargeElements(2L * size, 1, "immutable Map");
            final Map.Entry<Object, Object>[] entries = new Map.Entry[size];
            final Object[] keys = new Object[size];
            for (int i = 0; i < size; i++)
            {
                keys[i] = readKey(kryo, in);
                entries[i] = new AbstractMap.SimpleImmutableEntry<>(keys[i], kryo.readClassAndObject(in));
            }
            HashCollisionGuard.check(keys, "immutable Map");

            return Map.ofEntries(entries);
        }
    }

    private static void writeElements(final Kryo kryo, final Output output, final Collection<Object> collection)
    {
        final int size = collection.size();
        output.writeVarInt(size, true);
        int written = 0;
        for (final Object element : collection)
        {
            kryo.writeClassAndObject(output, element);
            written++;
        }
        if (written != size)
        {
            throw new KryoException("Collection changed while it was being encoded (" + size + " -> " + written +
                " elements); messages must not be mutated concurrently");
        }
    }

    private static void writeEntries(final Kryo kryo, final Output output, final Map<Object, Object> map)
    {
        final int size = map.size();
        output.writeVarInt(size, true);
        int written = 0;
        for (final Map.Entry<Object, Object> entry : map.entrySet())
        {
            kryo.writeClassAndObject(output, entry.getKey());
            kryo.writeClassAndObject(output, entry.getValue());
            written++;
        }
        if (written != size)
        {
            throw new KryoException("Map changed while it was being encoded (" + size + " -> " + written +
                " entries); messages must not be mutated concurrently");
        }
    }

    /** {@code Collections.singletonList}: Kryo's format, with the key-nesting check. */
    public static final class SingletonList extends Serializer<List<Object>>
    {
        /** Immutable: Kryo may share instances instead of copying them. */
        public SingletonList()
        {
            super(false, true);
        }

        /** {@inheritDoc} */
        public void write(final Kryo kryo, final Output output, final List<Object> list)
        {
            kryo.writeClassAndObject(output, list.get(0));
        }

        /** {@inheritDoc} */
        public List<Object> read(final Kryo kryo, final Input input, final Class<? extends List<Object>> type)
        {
            final BoundedInput in = bounded(input);
            checkKeyNesting(in, "singletonList");
            return java.util.Collections.singletonList(kryo.readClassAndObject(in));
        }
    }

    /** {@code Collections.singleton}: Kryo's format; its element is a key. */
    public static final class SingletonSet extends Serializer<Set<Object>>
    {
        /** Immutable: Kryo may share instances instead of copying them. */
        public SingletonSet()
        {
            super(false, true);
        }

        /** {@inheritDoc} */
        public void write(final Kryo kryo, final Output output, final Set<Object> set)
        {
            kryo.writeClassAndObject(output, set.iterator().next());
        }

        /** {@inheritDoc} */
        public Set<Object> read(final Kryo kryo, final Input input, final Class<? extends Set<Object>> type)
        {
            final BoundedInput in = bounded(input);
            checkKeyNesting(in, "singleton set");
            return java.util.Collections.singleton(readKey(kryo, in));
        }
    }

    /** {@code Collections.singletonMap}: Kryo's format; its key is a key. */
    public static final class SingletonMap extends Serializer<Map<Object, Object>>
    {
        /** Immutable: Kryo may share instances instead of copying them. */
        public SingletonMap()
        {
            super(false, true);
        }

        /** {@inheritDoc} */
        public void write(final Kryo kryo, final Output output, final Map<Object, Object> map)
        {
            final Map.Entry<Object, Object> entry = map.entrySet().iterator().next();
            kryo.writeClassAndObject(output, entry.getKey());
            kryo.writeClassAndObject(output, entry.getValue());
        }

        /** {@inheritDoc} */
        public Map<Object, Object> read(final Kryo kryo, final Input input, final Class<? extends Map<Object, Object>> type)
        {
            final BoundedInput in = bounded(input);
            checkKeyNesting(in, "singletonMap");
            final Object key = readKey(kryo, in);
            return java.util.Collections.singletonMap(key, kryo.readClassAndObject(in));
        }
    }

    private static Object[] readElementArray(final Kryo kryo, final BoundedInput in, final String what)
    {
        final int size = in.readVarInt(true);
        in.chargeElements(size, 1, what);
        final Object[] elements = new Object[size];
        for (int i = 0; i < size; i++)
        {
            elements[i] = kryo.readClassAndObject(in);
        }

        return elements;
    }

    @SuppressWarnings("unchecked")
    private static Comparator<Object> readComparator(final Kryo kryo, final BoundedInput in)
    {
        final Object comparator = kryo.readClassAndObject(in);
        if (null != comparator && !(comparator instanceof Comparator))
        {
            throw new KryoException("Malformed input: sorted collection comparator is a " +
                comparator.getClass().getName());
        }

        return (Comparator<Object>)comparator;
    }

    private static int hashCapacity(final int size)
    {
        return (int)Math.min(1 << 30, Math.max(16L, (long)(size / 0.75f) + 1));
    }
}
