package io.stmactors.transport;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.stmactors.transport.CodecTestTypes.Line;
import io.stmactors.transport.CodecTestTypes.Order;
import io.stmactors.transport.CodecTestTypes.Status;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Malformed, truncated and forged input must end in a {@link CodecException}: never another exception type, never an
 * {@link OutOfMemoryError}, never a {@link StackOverflowError}, never a loaded or instantiated unregistered class.
 * Random inputs come from fixed seeds, so a failure reproduces.
 */
class KryoCodecHostileInputTest
{
    private static final KryoCodec CODEC = KryoCodec.builder().userTypes(CodecTestTypes.userTypes()).build();

    static volatile boolean tripwireInitialised;

    /** Must never be initialised by a decode: its name is forged onto the wire below. */
    static final class Tripwire
    {
        static
        {
            tripwireInitialised = true;
        }
    }

    @Test
    void shouldRejectForgedCollectionCountsBeforeAllocating()
    {
        for (final String type : List.of("java.util.ArrayList", "java.util.HashSet", "java.util.HashMap",
            "java.util.LinkedList", "java.util.TreeMap", "java.lang.Object[]", "java.lang.String[]",
            "java.util.ImmutableCollections$ListN", "java.util.ImmutableCollections$MapN"))
        {
            final Output out = new Output(64);
            out.writeVarInt(classId(type), true);
            if (type.startsWith("java.util.TreeMap"))
            {
                out.writeByte(0); // null comparator
            }
            out.writeVarInt(Integer.MAX_VALUE, true);
            out.writeBytes(new byte[16]);

            assertMalformed(out.toBytes(), "declares");
        }
    }

    @Test
    void shouldRejectForgedArrayAndStringLengthsBeforeAllocating()
    {
        for (final String type : List.of("byte[]", "char[]", "short[]", "int[]", "long[]", "float[]", "double[]",
            "boolean[]", "java.math.BigInteger"))
        {
            final Output out = new Output(64);
            out.writeVarInt(classId(type), true);
            out.writeVarInt(Integer.MAX_VALUE, true);
            out.writeBytes(new byte[8]);
            assertMalformed(out.toBytes(), null);
        }

        final Output string = new Output(64);
        string.writeVarInt(classId("java.lang.String"), true);
        string.writeVarIntFlag(true, Integer.MAX_VALUE, true);
        string.writeBytes(new byte[8]);
        assertMalformed(string.toBytes(), "string");

        final Output lambda = new Output(64);
        lambda.writeVarInt(classId("com.esotericsoftware.kryo.serializers.ClosureSerializer$Closure"), true);
        lambda.writeVarInt(Integer.MAX_VALUE, true);
        assertMalformed(lambda.toBytes(), "captured");
    }

    /**
     * Each level is an Object[] that claims all the bytes left; without the per-decode element budget every
     * level would allocate about 4 MiB before reading a single element (200 levels: 800 MiB).
     */
    @Test
    void shouldRejectNestedContainersThatEachClaimTheRestOfTheMessage()
    {
        final int total = 1024 * 1024;
        final Output out = new Output(total);
        final int objectArray = classId("java.lang.Object[]");
        for (int level = 0; level < 200; level++)
        {
            out.writeVarInt(objectArray, true);
            out.writeVarInt(total - out.position() - 8, true);
        }
        out.writeBytes(new byte[total - out.position()]);

        assertMalformed(out.toBytes(), "element bytes left");
    }

    @Test
    void shouldRejectDeepNestingWithoutStackOverflow()
    {
        final Output out = new Output(1024, -1);
        final int objectArray = classId("java.lang.Object[]");
        for (int level = 0; level < 100_000; level++)
        {
            out.writeVarInt(objectArray, true);
            out.writeVarInt(1, true);
        }
        out.writeByte(0);

        assertMalformed(out.toBytes(), "depth");

        final Object[] ok = nest(KryoCodec.DEFAULT_MAX_DEPTH - 2);
        assertTrue(Arrays.deepEquals(ok, (Object[])CODEC.decode(CODEC.encode(ok))));
        assertThrows(CodecException.class, () -> CODEC.encode(nest(KryoCodec.DEFAULT_MAX_DEPTH + 1)));
    }

    @Test
    void shouldNeverLoadOrCreateClassesNamedOnTheWire()
    {
        final Output out = new Output(256);
        out.writeVarInt(1, true); // Kryo's "class name follows" marker
        out.writeVarInt(0, true);
        out.writeString(Tripwire.class.getName());
        out.writeVarInt(0, true);

        assertMalformed(out.toBytes(), "class name");
        assertFalse(tripwireInitialised);

        final Output unknown = new Output(16);
        unknown.writeVarInt(100_000, true);
        assertMalformed(unknown.toBytes(), "unregistered class ID");
    }

    @Test
    void shouldRejectTrailingBytesNullAndEmpty()
    {
        final byte[] valid = CODEC.encode("hello");
        assertMalformed(Arrays.copyOf(valid, valid.length + 1), "trailing");
        assertMalformed(new byte[]{0}, "null");
        assertMalformed(new byte[0], "empty");
    }

    @Test
    void shouldRejectEveryTruncationOfAValidMessage()
    {
        final byte[] valid = CODEC.encode(sampleOrder());
        for (int length = 1; length < valid.length; length++)
        {
            assertMalformed(Arrays.copyOf(valid, length), null);
        }
    }

    @Test
    void shouldSurviveRandomGarbage()
    {
        final Random random = new Random(0x5EED_0001L);
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] garbage = new byte[1 + random.nextInt(96)];
            random.nextBytes(garbage);
            decodeOrCodecException(garbage);
        }
    }

    @Test
    void shouldSurviveMutationsOfValidMessages()
    {
        final List<byte[]> corpus = new ArrayList<>();
        corpus.add(CODEC.encode(sampleOrder()));
        corpus.add(CODEC.encode(new HashMap<>(Map.of("a", List.of(1, 2), "b", new int[]{3}))));
        corpus.add(CODEC.encode(new TreeMap<>(Map.of(1, "x", 2, "y"))));
        corpus.add(CODEC.encode(new Object[]{"s", 1L, Optional.of(UUID.randomUUID()), Status.NEW}));
        corpus.add(CODEC.encode(CodecTestTypes.adder(3)));
        final byte[] forgedLength = {(byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF, 0x07};

        final Random random = new Random(0x5EED_0002L);
        for (int i = 0; i < 30_000; i++)
        {
            final byte[] original = corpus.get(random.nextInt(corpus.size()));
            byte[] mutated = original.clone();
            switch (random.nextInt(3))
            {
                case 0 -> mutated[random.nextInt(mutated.length)] = (byte)random.nextInt(256);
                case 1 ->
                {
                    final int at = random.nextInt(mutated.length);
                    final byte[] grown = new byte[mutated.length + forgedLength.length];
                    System.arraycopy(mutated, 0, grown, 0, at);
                    System.arraycopy(forgedLength, 0, grown, at, forgedLength.length);
                    System.arraycopy(mutated, at, grown, at + forgedLength.length, mutated.length - at);
                    mutated = grown;
                }
                default ->
                {
                    for (int flips = 1 + random.nextInt(4); flips > 0; flips--)
                    {
                        mutated[random.nextInt(mutated.length)] ^= (byte)(1 << random.nextInt(8));
                    }
                }
            }
            decodeOrCodecException(mutated);
        }

        assertEquals(sampleOrder().customer(), ((Order)CODEC.decode(corpus.get(0))).customer(),
            "the codec is still usable after 30k bad inputs");
    }

    private static Order sampleOrder()
    {
        return new Order(new UUID(1, 2), "mallory", List.of(new Line("X", 1, 2), new Line("Y", 3, 4)),
            new HashMap<>(Map.of("k", List.of(1, 2, 3))), Status.SHIPPED, Optional.of(Instant.ofEpochSecond(9)),
            new int[]{1, 2, 3});
    }

    private static Object[] nest(final int depth)
    {
        Object[] current = {"leaf"};
        for (int i = 1; i < depth; i++)
        {
            current = new Object[]{current};
        }
        return current;
    }

    private static void decodeOrCodecException(final byte[] bytes)
    {
        try
        {
            CODEC.decode(bytes);
        }
        catch (final CodecException expected)
        {
            // the only acceptable failure
        }
        catch (final Throwable t)
        {
            fail("decode threw " + t + " for input " + Arrays.toString(bytes), t);
        }
    }

    /** A class read field by field, whose fields' declared types are neither final nor {@code Object}. */
    static final class Job
    {
        Runnable task;
        CharSequence label;
        Number[] weights;
    }

    @Test
    void shouldRejectAFieldForgedToHoldAnObjectOfTheWrongClass()
    {
        // Kryo reads a field of a non-final type as "class id, object" and, where Unsafe is available, sets it
        // unchecked: a String in a Runnable field, or a byte[] in a Number[] field, crashed the JVM at first use.
        final KryoCodec codec = KryoCodec.builder().userTypes(List.of(Job.class, Number[].class)).build();
        final Job job = new Job();
        job.label = "label";
        job.weights = new Number[] {1, 2.5};
        final Job copy = (Job)codec.decode(codec.encode(job));
        assertEquals("label", copy.label);
        assertEquals(2.5, copy.weights[1]);

        for (final String field : List.of("label", "task", "weights"))
        {
            final Output out = new Output(64);
            out.writeVarInt(classId(codec, Job.class.getName()), true);
            // fields in name order: label, task, weights; the forged one gets a String (or a byte[] for the array)
            for (final String name : List.of("label", "task", "weights"))
            {
                if (!name.equals(field))
                {
                    out.writeVarInt(0, true); // null
                }
                else if (name.equals("weights"))
                {
                    out.writeVarInt(classId(codec, "byte[]"), true);
                    out.writeVarInt(4, true); // length + 1
                    out.writeBytes(new byte[] {1, 2, 3});
                }
                else
                {
                    out.writeVarInt(classId(codec, "java.lang.String"), true);
                    out.writeString("java/util/forged");
                }
            }
            final byte[] bytes = out.toBytes();
            if (field.equals("label"))
            {
                // a String is a CharSequence: that one is well-formed and must decode
                assertEquals("java/util/forged", ((Job)codec.decode(bytes)).label);
                continue;
            }
            final CodecException ex = assertThrows(CodecException.class, () -> codec.decode(bytes), field);
            assertTrue(ex.getMessage().contains("Job." + field), ex.getMessage());
        }
    }

    @Test
    void shouldReadEveryClassWithoutASerializerOfItsOwnThroughTheCheckedFieldSerializer()
    {
        for (final String line : CODEC.registrationList())
        {
            assertFalse(line.endsWith(" " + com.esotericsoftware.kryo.serializers.FieldSerializer.class.getName()),
                "unchecked field serializer: " + line);
        }
        assertTrue(CODEC.registrationList().stream().anyMatch(line -> line.endsWith("CheckedFieldSerializer")),
            CODEC.registrationList().toString());
    }

    /**
     * Set.of and Map.ofEntries place elements by linear probing, and HashSet and HashMap compare non-Comparable keys
     * of one hash code one by one, so n elements sharing one hash code cost n<sup>2</sup>/2 comparisons: before the
     * guard, the 2 MB set below decoded for tens of seconds. Every {@code ((long)i << 32) | (i ^ C)} has the hash
     * code C.
     */
    @Test
    void shouldRejectHashedCollectionsWhoseElementsShareOneHashCodeQuickly()
    {
        final int n = 200_000;
        final List<Object> longs = new ArrayList<>(n);
        final List<Object> lists = new ArrayList<>(n);
        final List<Object> entries = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++)
        {
            final Long key = collidingLong(i, 0x5EED);
            longs.add(key);
            lists.add(List.of(key)); // a List is not Comparable: HashMap's tree bins cannot order these
            entries.add(List.of(key));
            entries.add(i);
        }

        assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
        {
            assertMalformed(reframe(longs, "java.util.ImmutableCollections$SetN", n), "immutable Set");
            assertMalformed(reframe(lists, "java.util.HashSet", n), "HashSet");
            assertMalformed(reframe(lists, "java.util.LinkedHashSet", n), "LinkedHashSet");
            assertMalformed(reframe(entries, "java.util.ImmutableCollections$MapN", n), "immutable Map");
            assertMalformed(reframe(entries, "java.util.HashMap", n), "HashMap");
        });
    }

    /**
     * Groups of 1,000 elements per hash code stay under the bound on one hash code, but 200 of them still cost
     * 10<sup>8</sup> comparisons; the guard also bounds the colliding pairs in proportion to the element count.
     */
    @Test
    void shouldRejectHashedCollectionsMadeOfManyCollidingGroups()
    {
        final List<Object> longs = new ArrayList<>();
        for (int group = 0; group < 200; group++)
        {
            for (int i = 0; i < 1_000; i++)
            {
                longs.add(collidingLong(i, group * 0x9E3779B1));
            }
        }

        assertTimeoutPreemptively(Duration.ofSeconds(10),
            () -> assertMalformed(reframe(longs, "java.util.ImmutableCollections$SetN", longs.size()), "hash code"));
    }

    @Test
    void shouldStillDecodeHashedCollectionsWithSomeEqualHashCodes()
    {
        final List<String> strings = new ArrayList<>();
        for (int bits = 0; bits < 128 && strings.size() < 100; bits++)
        {
            final StringBuilder text = new StringBuilder();
            for (int b = 0; b < 7; b++)
            {
                text.append(0 == (bits & (1 << b)) ? "Aa" : "BB"); // "Aa" and "BB" have one hash code
            }
            strings.add(text.toString());
        }
        assertEquals(1, strings.stream().mapToInt(String::hashCode).distinct().count());

        final Set<String> set = Set.copyOf(strings);
        final Map<String, Integer> map = new HashMap<>();
        strings.forEach(key -> map.put(key, key.length()));
        final Map<String, Integer> immutableMap = Map.copyOf(map);
        final Set<List<Long>> lists = new HashSet<>();
        for (int i = 0; i < 1_000; i++)
        {
            lists.add(List.of(collidingLong(i, 7)));
        }

        assertEquals(set, CODEC.decode(CODEC.encode(set)));
        assertEquals(map, CODEC.decode(CODEC.encode(map)));
        assertEquals(immutableMap, CODEC.decode(CODEC.encode(immutableMap)));
        assertEquals(new HashSet<>(set), CODEC.decode(CODEC.encode(new HashSet<>(set))));
        assertEquals(lists, CODEC.decode(CODEC.encode(lists)));
    }

    /**
     * A HashSet or HashMap orders the keys of one bin by {@link Comparable} when they are all of one class comparable
     * to itself, so colliding keys cost no pairwise comparisons there: the guard lets them through. Long keys packing
     * two grid coordinates, {@code (x << 32) | y}, have hash codes {@code x ^ y}: 256 keys on each of 256 codes.
     */
    @Test
    void shouldDecodeHashSetsAndMapsOfSelfComparableKeysWhoseHashCodesCollide()
    {
        final Set<Long> grid = new HashSet<>();
        final Map<Long, Integer> cells = new HashMap<>();
        for (long x = 0; x < 256; x++)
        {
            for (long y = 0; y < 256; y++)
            {
                grid.add((x << 32) | y);
                cells.put((x << 32) | y, (int)(x + y));
            }
        }
        assertEquals(256, grid.stream().mapToInt(Object::hashCode).distinct().count());
        final Set<Long> forged = new HashSet<>();
        for (int i = 0; i < 200_000; i++)
        {
            forged.add(collidingLong(i, 0x5EED));
        }

        assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
        {
            assertEquals(grid, CODEC.decode(CODEC.encode(grid)));
            assertEquals(cells, CODEC.decode(CODEC.encode(cells)));
            assertEquals(forged, CODEC.decode(CODEC.encode(forged)), "one hash code, but a tree bin");
        });
    }

    /** A Long whose {@link Long#hashCode()} is {@code hash}, distinct for each {@code i >= 0}. */
    private static Long collidingLong(final int i, final int hash)
    {
        return ((long)i << 32) | ((i ^ hash) & 0xFFFF_FFFFL);
    }

    /**
     * Encode {@code elements} as a list (a count, then every element with its class), then give those bytes the
     * class id of {@code typeName} and the count {@code count}: sets and lists share that format, and a map's is
     * the same with keys and values alternating.
     */
    private static byte[] reframe(final List<Object> elements, final String typeName, final int count)
    {
        final Input list = new Input(CODEC.encode(List.copyOf(elements)));
        assertEquals(classId("java.util.ImmutableCollections$ListN"), list.readVarInt(true));
        assertEquals(elements.size(), list.readVarInt(true));
        final Output out = new Output(list.limit() + 16);
        out.writeVarInt(classId(typeName), true);
        out.writeVarInt(count, true);
        out.writeBytes(list.getBuffer(), list.position(), list.limit() - list.position());
        return out.toBytes();
    }

    private static void assertMalformed(final byte[] bytes, final String messageFragment)
    {
        try
        {
            final Object decoded = CODEC.decode(bytes);
            fail("decoded " + decoded + " from malformed input " + Arrays.toString(Arrays.copyOf(bytes, 32)));
        }
        catch (final CodecException ex)
        {
            if (null != messageFragment)
            {
                assertTrue(ex.getMessage().contains(messageFragment), ex.getMessage());
            }
        }
        catch (final Throwable t)
        {
            fail("expected CodecException, got " + t, t);
        }
    }

    /** The wire class id of a registered type: Kryo writes registration id + 2. */
    private static int classId(final String typeName)
    {
        return classId(CODEC, typeName);
    }

    private static int classId(final KryoCodec codec, final String typeName)
    {
        for (final String line : codec.registrationList())
        {
            final String[] parts = line.split(" ");
            final String name = parts[1].startsWith("[") ? arrayName(parts[1]) : parts[1];
            if (name.equals(typeName))
            {
                return Integer.parseInt(parts[0]) + 2;
            }
        }
        throw new AssertionError(typeName + " is not pre-registered: " + codec.registrationList());
    }

    private static String arrayName(final String binaryName)
    {
        return switch (binaryName)
        {
            case "[B" -> "byte[]";
            case "[C" -> "char[]";
            case "[S" -> "short[]";
            case "[I" -> "int[]";
            case "[J" -> "long[]";
            case "[F" -> "float[]";
            case "[D" -> "double[]";
            case "[Z" -> "boolean[]";
            default -> binaryName.substring(2, binaryName.length() - 1) + "[]";
        };
    }
}
