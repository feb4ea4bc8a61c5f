package io.stmactors.transport.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Month;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The fixed, ordered list of types every codec registers before the runtime and user types.
 * <p>
 * <b>WARNING</b>: ids are assigned in the order of {@link #registerBuiltIns(Kryo)}. Changing that order, adding a
 * type in the middle, or swapping a serializer changes the wire format; {@code KryoCodec.fingerprint()} changes
 * with it, so processes built from different versions refuse each other instead of misreading bytes. Append new
 * types at the end.
 * <p>
 * Thread-safety: stateless.
 */
public final class CodecRegistrations
{
    private CodecRegistrations()
    {
    }

    /**
     * Install the safe default serializers and register the built-in types, in a fixed order, after Kryo's own
     * ids 0-8 ({@code int, String, float, boolean, byte, char, short, long, double}; each primitive registration
     * also covers its wrapper).
     *
     * @param kryo a freshly constructed codec Kryo.
     */
    public static void registerBuiltIns(final Kryo kryo)
    {
        // Defaults for types registered later (runtime and user types): these win over Kryo's own defaults.
        kryo.addDefaultSerializer(Object[].class, new SafeArraySerializers.ObjectArray());
        kryo.addDefaultSerializer(TreeSet.class, SafeCollectionSerializers.SortedSet.class);
        kryo.addDefaultSerializer(TreeMap.class, SafeCollectionSerializers.SortedMap.class);
        kryo.addDefaultSerializer(Collection.class, SafeCollectionSerializers.MutableCollection.class);
        kryo.addDefaultSerializer(Map.class, SafeCollectionSerializers.MutableMap.class);

        register(kryo, byte[].class, new DefaultArraySerializers.ByteArraySerializer(), 1);
        register(kryo, char[].class, new DefaultArraySerializers.CharArraySerializer(), 2);
        register(kryo, short[].class, new DefaultArraySerializers.ShortArraySerializer(), 2);
        register(kryo, int[].class, new DefaultArraySerializers.IntArraySerializer(), 1);
        register(kryo, long[].class, new DefaultArraySerializers.LongArraySerializer(), 1);
        register(kryo, float[].class, new DefaultArraySerializers.FloatArraySerializer(), 4);
        register(kryo, double[].class, new DefaultArraySerializers.DoubleArraySerializer(), 8);
        register(kryo, boolean[].class, new DefaultArraySerializers.BooleanArraySerializer(), 1);
        kryo.register(Object[].class);
        kryo.register(String[].class);

        kryo.register(ArrayList.class);
        kryo.register(LinkedList.class);
        kryo.register(ArrayDeque.class);
        kryo.register(HashSet.class);
        kryo.register(LinkedHashSet.class);
        kryo.register(TreeSet.class);
        kryo.register(HashMap.class);
        kryo.register(LinkedHashMap.class);
        kryo.register(TreeMap.class);

        final Serializer<?> immutableList = new SafeCollectionSerializers.ImmutableList();
        kryo.register(List.of().getClass(), immutableList);
        kryo.register(List.of(1).getClass(), immutableList);
        kryo.register(List.of(1, 2, 3).getClass(), immutableList);
        kryo.register(List.of(1, 2, 3, 4).subList(0, 2).getClass(), immutableList);
        final Serializer<?> immutableSet = new SafeCollectionSerializers.ImmutableSet();
        kryo.register(Set.of(1).getClass(), immutableSet);
        kryo.register(Set.of(1, 2, 3).getClass(), immutableSet);
        final Serializer<?> immutableMap = new SafeCollectionSerializers.ImmutableMap();
        kryo.register(Map.of(1, 2).getClass(), immutableMap);
        kryo.register(Map.of(1, 2, 3, 4).getClass(), immutableMap);

        kryo.register(Collections.emptyList().getClass(), new DefaultSerializers.CollectionsEmptyListSerializer());
        kryo.register(Collections.emptyMap().getClass(), new DefaultSerializers.CollectionsEmptyMapSerializer());
        kryo.register(Collections.emptySet().getClass(), new DefaultSerializers.CollectionsEmptySetSerializer());
        kryo.register(Collections.singletonList(1).getClass(), new SafeCollectionSerializers.SingletonList());
        kryo.register(Collections.singletonMap(1, 1).getClass(),
            new SafeCollectionSerializers.SingletonMap());
        kryo.register(Collections.singleton(1).getClass(), new SafeCollectionSerializers.SingletonSet());
        kryo.register(EnumSet.class, new DefaultSerializers.EnumSetSerializer());

        kryo.register(Optional.class);
        kryo.register(OptionalInt.class);
        kryo.register(OptionalLong.class);
        kryo.register(OptionalDouble.class);
        kryo.register(UUID.class, new DefaultSerializers.UUIDSerializer());
        kryo.register(BigInteger.class);
        kryo.register(BigDecimal.class);

        kryo.register(Duration.class);
        kryo.register(Instant.class);
        kryo.register(LocalDate.class);
        kryo.register(LocalTime.class);
        kryo.register(LocalDateTime.class);
        kryo.register(ZoneOffset.class);
        kryo.register(ZoneId.of("Europe/Paris").getClass());
        kryo.register(OffsetTime.class);
        kryo.register(OffsetDateTime.class);
        kryo.register(ZonedDateTime.class);
        kryo.register(Year.class);
        kryo.register(YearMonth.class);
        kryo.register(MonthDay.class);
        kryo.register(Period.class);
        kryo.register(DayOfWeek.class);
        kryo.register(Month.class);
        kryo.register(ChronoUnit.class);
        kryo.register(TimeUnit.class);

        kryo.register(ClosureSerializer.Closure.class, new SafeClosureSerializer());
    }

    /**
     * Describe every registration in id order, one line each: {@code id class serializer}.
     *
     * @param kryo a fully registered codec Kryo.
     * @return the lines, in id order.
     */
    public static List<String> describe(final Kryo kryo)
    {
        final List<String> lines = new ArrayList<>();
        for (int id = 0, next = kryo.getNextRegistrationId(); id < next; id++)
        {
            final Registration registration = kryo.getRegistration(id);
            if (null != registration)
            {
                final Serializer<?> serializer = registration.getSerializer();
                final String serializerName = serializer instanceof SafeArraySerializers.LengthChecked ?
                    ((SafeArraySerializers.LengthChecked<?>)serializer).delegateName() :
                    serializer.getClass().getName();
                lines.add(id + " " + registration.getType().getName() + " " + serializerName);
            }
        }

        return lines;
    }

    private static <T> void register(
        final Kryo kryo, final Class<T> type, final Serializer<T> kryoSerializer, final int minimumBytesPerElement)
    {
        kryo.register(type, new SafeArraySerializers.LengthChecked<>(
            kryoSerializer, minimumBytesPerElement, type.getSimpleName()));
    }
}
