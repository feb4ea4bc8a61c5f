package io.stmactors.transport;

import io.stmactors.transport.CodecTestTypes.Empty;
import io.stmactors.transport.CodecTestTypes.Holder;
import io.stmactors.transport.CodecTestTypes.Line;
import io.stmactors.transport.CodecTestTypes.Node;
import io.stmactors.transport.CodecTestTypes.Order;
import io.stmactors.transport.CodecTestTypes.Status;
import io.stmactors.transport.CodecTestTypes.Unregistered;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
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
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KryoCodecTest
{
    private static final KryoCodec CODEC = KryoCodec.builder().userTypes(CodecTestTypes.userTypes()).build();

    static Stream<Object> preRegisteredValues()
    {
        final ArrayDeque<Object> deque = new ArrayDeque<>(List.of(1, "two", 3L));
        final TreeMap<String, Integer> reversed = new TreeMap<>(CodecTestTypes.reverseOrder());
        reversed.put("a", 1);
        reversed.put("b", 2);
        return Stream.of(
            7, -1L, 3.5f, 2.25d, true, (byte)-3, (short)300, 'x', "héllo wörld ✓", "",
            new byte[]{1, 2, 3}, new char[]{'a', 'b'}, new short[]{1, -2}, new int[]{0, -1, Integer.MAX_VALUE},
            new long[]{Long.MIN_VALUE, 5}, new float[]{1.5f}, new double[]{Math.PI}, new boolean[]{true, false},
            new Object[]{1, "a", null, List.of(2)}, new String[]{"a", null, "c"},
            new ArrayList<>(List.of(1, 2, 3)), new LinkedList<>(List.of("a", "b")), deque,
            new HashSet<>(Set.of(1, 2, 3)), new LinkedHashSet<>(List.of("z", "a")), new TreeSet<>(Set.of(3, 1, 2)),
            new HashMap<>(Map.of("a", 1, "b", 2)), new LinkedHashMap<>(Map.of(1, "x")), new TreeMap<>(Map.of(2, "b", 1, "a")),
            reversed,
            List.of(), List.of(1), List.of(1, 2), List.of(1, 2, 3, 4), List.of(1, 2, 3, 4).subList(1, 3),
            Stream.of("a", null).toList(), Set.of(), Set.of(1), Set.of(1, 2, 3), Map.of(), Map.of("k", 1),
            Map.of("a", 1, "b", 2, "c", 3),
            Collections.emptyList(), Collections.emptySet(), Collections.emptyMap(), Collections.singletonList(1),
            Collections.singleton("s"), Collections.singletonMap("k", "v"),
            EnumSet.of(Status.NEW, Status.SHIPPED), EnumSet.noneOf(DayOfWeek.class),
            Optional.empty(), Optional.of("x"), OptionalInt.of(3), OptionalLong.empty(), OptionalDouble.of(1.5),
            UUID.randomUUID(), new BigInteger("123456789012345678901234567890"), new BigDecimal("-3.14159265358979"),
            Duration.ofMillis(1500), Instant.ofEpochSecond(1_700_000_000L, 123), LocalDate.of(2024, 2, 29),
            LocalTime.of(23, 59, 1), LocalDateTime.of(2024, 1, 1, 12, 0), ZoneOffset.ofHours(2),
            ZoneId.of("Europe/Paris"), OffsetTime.of(LocalTime.NOON, ZoneOffset.UTC),
            OffsetDateTime.of(2024, 5, 6, 7, 8, 9, 0, ZoneOffset.ofHours(-5)),
            ZonedDateTime.of(2024, 3, 31, 2, 30, 0, 0, ZoneId.of("Europe/Paris")), Year.of(1999), YearMonth.of(2000, 1),
            MonthDay.of(12, 25), Period.of(1, 2, 3), DayOfWeek.FRIDAY, Month.MARCH, ChronoUnit.MILLIS, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @MethodSource("preRegisteredValues")
    void shouldRoundTripEveryPreRegisteredType(final Object value)
    {
        final Object decoded = CODEC.decode(CODEC.encode(value));

        if (value instanceof ArrayDeque<?> deque)
        {
            assertEquals(List.copyOf(deque), List.copyOf((ArrayDeque<?>)decoded));
        }
        else
        {
            assertTrue(Objects.deepEquals(value, decoded), () -> value + " decoded as " + decoded);
        }
        if (value instanceof Map<?, ?> && !(value instanceof TreeMap<?, ?>) || value instanceof Collection<?>)
        {
            assertEquals(value.getClass().getSimpleName(), decoded.getClass().getSimpleName());
        }
        if (value instanceof TreeMap<?, ?> map)
        {
            assertEquals(List.copyOf(map.keySet()), List.copyOf(((TreeMap<?, ?>)decoded).keySet()));
        }
    }

    private interface Collection<E> extends java.util.Collection<E>
    {
    }

    @Test
    void shouldRoundTripUserRecordsEnumsAndNestedCollections()
    {
        final Order order = new Order(UUID.randomUUID(), "ada",
            List.of(new Line("A-1", 2, 999), new Line("B-2", 1, 12_50)),
            new HashMap<>(Map.of("vip", new ArrayList<>(List.of(1, 2)), "gift", List.of())),
            Status.PAID, Optional.of(Instant.ofEpochMilli(42)), new int[]{7, 8});

        assertEquals(order, CODEC.decode(CODEC.encode(order)));
        assertEquals(new Empty(), CODEC.decode(CODEC.encode(new Empty())));
        assertSame(Status.SHIPPED, CODEC.decode(CODEC.encode(Status.SHIPPED)));
        final int[][] matrix = {{1}, {2, 3}, null};
        assertTrue(Arrays.deepEquals(matrix, (int[][])CODEC.decode(CODEC.encode(matrix))));
        final Line[] lines = {new Line("x", 1, 1), null};
        assertArrayEquals(lines, (Line[])CODEC.decode(CODEC.encode(lines)));
        final List<List<Map<String, Set<Integer>>>> nested = List.of(List.of(Map.of("s", Set.of(1, 2))), List.of());
        assertEquals(nested, CODEC.decode(CODEC.encode(nested)));
    }

    @Test
    void shouldRoundTripSerializableLambdaWithCapturedArgument() throws Exception
    {
        final CodecTestTypes.SerializableFunction<Integer, Integer> add5 = CodecTestTypes.adder(5);

        @SuppressWarnings("unchecked")
        final CodecTestTypes.SerializableFunction<Integer, Integer> decoded =
            (CodecTestTypes.SerializableFunction<Integer, Integer>)CODEC.decode(CODEC.encode(add5));
        final Holder holder = (Holder)CODEC.decode(CODEC.encode(new Holder(add5)));

        assertEquals(15, decoded.apply(10));
        assertEquals(6, ((java.util.function.Function<?, ?>)holder.payload()).getClass()
            .getMethod("apply", Object.class).invoke(holder.payload(), 1));
        assertThrows(CodecException.class, () -> CODEC.encode((java.util.function.Supplier<String>)() -> "x"));
    }

    @Test
    void shouldRoundTripCyclesOnlyWithReferencesEnabled()
    {
        final Node a = new Node("a");
        final Node b = new Node("b");
        a.next = b;
        b.next = a;

        final CodecException noRefs = assertThrows(CodecException.class, () -> CODEC.encode(a));
        assertTrue(noRefs.getMessage().contains("references(true)"), noRefs.getMessage());

        final KryoCodec withRefs = KryoCodec.builder().userTypes(CodecTestTypes.userTypes()).references(true).build();
        final Node decoded = (Node)withRefs.decode(withRefs.encode(a));
        assertEquals("a", decoded.name);
        assertEquals("b", decoded.next.name);
        assertSame(decoded, decoded.next.next);
        assertNotEquals(CODEC.fingerprint(), withRefs.fingerprint());
    }

    @Test
    void shouldEncodeIntoDirectBuffersAtOffsetAndDecodeFromOffHeap()
    {
        final Order order = new Order(UUID.randomUUID(), "bob", List.of(), Map.of(), Status.NEW, Optional.empty(),
            new int[0]);
        final ExpandableDirectByteBuffer offHeap = new ExpandableDirectByteBuffer(8);
        final int length = CODEC.encode(order, offHeap, 13);
        assertEquals(CODEC.encode(order).length, length);
        assertEquals(order, CODEC.decode(offHeap, 13, length));

        final ExpandableArrayBuffer onHeap = new ExpandableArrayBuffer(4);
        final int length2 = CODEC.encode(order, onHeap, 5);
        assertEquals(order, CODEC.decode(new UnsafeBuffer(onHeap.byteArray(), 5, length2), 0, length2));
    }

    @Test
    void shouldRejectTooSmallFixedDestinationWithoutWriting()
    {
        final UnsafeBuffer small = new UnsafeBuffer(ByteBuffer.allocateDirect(16));
        small.setMemory(0, 16, (byte)0x5A);

        final CodecException ex = assertThrows(CodecException.class, () -> CODEC.encode("x".repeat(100), small, 4));

        assertTrue(ex.getMessage().contains("only 12 bytes from offset 4"), ex.getMessage());
        for (int i = 0; i < 16; i++)
        {
            assertEquals((byte)0x5A, small.getByte(i));
        }
    }

    @Test
    void shouldNameUnregisteredClassAndLeaveDestinationUntouched()
    {
        final ExpandableArrayBuffer destination = new ExpandableArrayBuffer(64);
        destination.setMemory(0, 64, (byte)0x33);
        final Holder nested = new Holder(List.of(new Unregistered(1)));

        final UnregisteredClassException ex = assertThrows(
            UnregisteredClassException.class, () -> CODEC.encode(nested, destination, 8));

        assertSame(Unregistered.class, ex.unregisteredClass());
        assertTrue(ex.getMessage().contains(Unregistered.class.getName()), ex.getMessage());
        assertTrue(ex.getMessage().contains("ActorSystemConfig.builder().register(Unregistered.class)"),
            ex.getMessage());
        assertEquals(64, destination.capacity());
        for (int i = 0; i < 64; i++)
        {
            assertEquals((byte)0x33, destination.getByte(i), "byte " + i);
        }

        final UnregisteredClassException root = assertThrows(
            UnregisteredClassException.class, () -> CODEC.encode(new Unregistered(2)));
        assertSame(Unregistered.class, root.unregisteredClass());
    }

    @Test
    void shouldTellHowToSendAnAnonymousClassAndALambda()
    {
        final Object anonymous = new Object()
        {
        };
        final UnregisteredClassException ex = assertThrows(UnregisteredClassException.class,
            () -> CODEC.encode(anonymous));
        assertTrue(ex.getMessage().contains("an anonymous class must be registered like any other"), ex.getMessage());
        assertFalse(ex.getMessage().contains("their declaring (capturing) class must be registered"), ex.getMessage());

        final Runnable plain = () -> { };
        final CodecException lambda = assertThrows(CodecException.class, () -> CODEC.encode(plain));
        assertTrue(lambda.getMessage().contains("must implement java.io.Serializable"), lambda.getMessage());
    }

    @Test
    void shouldAgreeOnFingerprintOnlyForTheSameOrderedList()
    {
        final KryoCodec same = KryoCodec.builder().userTypes(CodecTestTypes.userTypes()).build();
        final List<Class<?>> reordered = new ArrayList<>(CodecTestTypes.userTypes());
        Collections.swap(reordered, 0, 1);
        final KryoCodec swapped = KryoCodec.builder().userTypes(reordered).build();
        final KryoCodec runtimeFirst = KryoCodec.builder().runtimeTypes(Line.class)
            .userTypes(List.of(Status.class)).build();
        final KryoCodec userOnly = KryoCodec.builder().userTypes(Line.class, Status.class).build();

        assertEquals(CODEC.fingerprint(), same.fingerprint());
        assertEquals(CODEC.registrationList(), same.registrationList());
        assertNotEquals(CODEC.fingerprint(), swapped.fingerprint());
        assertEquals(runtimeFirst.fingerprint(), userOnly.fingerprint(), "runtime types come before user types");
        assertThrows(IllegalArgumentException.class, () -> KryoCodec.builder().userTypes(Line.class, Line.class));
    }

    @Test
    void shouldRejectMessageLargerThanLimit()
    {
        final KryoCodec small = KryoCodec.builder().maxMessageSize(1024).build();
        final CodecException ex = assertThrows(CodecException.class, () -> small.encode(new byte[2000]));
        assertTrue(ex.getMessage().contains("1024"), ex.getMessage());
        final byte[] big = CODEC.encode(new byte[2000]);
        assertThrows(CodecException.class, () -> small.decode(big));
    }

    @Test
    void shouldEncodeConcurrentlyFromManyThreads() throws Exception
    {
        final int threads = 4;
        final List<Thread> workers = new ArrayList<>();
        final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++)
        {
            final int id = t;
            final Thread worker = new Thread(() ->
            {
                try
                {
                    final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(128);
                    for (int i = 0; i < 5_000; i++)
                    {
                        final Line line = new Line("t" + id, i, (long)id * i);
                        final int length = CODEC.encode(line, buffer, 0);
                        assertEquals(line, CODEC.decode(buffer, 0, length));
                    }
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            });
            workers.add(worker);
            worker.start();
        }
        for (final Thread worker : workers)
        {
            worker.join(60_000);
        }
        assertEquals(List.of(), failures);
        assertEquals(Arrays.asList(false, false, false, false),
            workers.stream().map(Thread::isAlive).toList());
    }
}
