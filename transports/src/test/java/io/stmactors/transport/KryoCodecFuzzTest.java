package io.stmactors.transport;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes {@link KryoCodec#decode} with a registration list like an application's: records holding
 * collections, maps, enums, optionals and arrays, nested records, a recursive record type.
 * <ul>
 *     <li>{@link #decodeBytes}: arbitrary bytes.</li>
 *     <li>{@link #decodeMutated}: a valid message built from the fuzzer's choices, encoded, then damaged
 *     (bytes overwritten, inserted, cut), so the fuzzer starts deep inside the format.</li>
 * </ul>
 * The contract (KryoCodec's class comment): the result is a non-null object or a {@link CodecException};
 * never another exception, an {@link OutOfMemoryError} from a forged length, a hang, or an unregistered
 * class loaded or instantiated ({@link Tripwire} must stay uninitialised, and whatever decodes must encode
 * again, which fails for any unregistered class in the graph).
 */
@Tag("fuzz")
class KryoCodecFuzzTest
{
    enum Side
    {
        BUY, SELL
    }

    record Money(String currency, long cents)
    {
    }

    record Line(String sku, int quantity, Money price, Optional<String> note)
    {
    }

    record Order(UUID id, String customer, Side side, List<Line> lines, Map<String, List<Integer>> tags,
        Set<String> flags, Instant placed, Duration ttl, long[] checksums)
    {
    }

    record Tree(String label, List<Tree> children)
    {
    }

    record Envelope(int sequence, Object payload, TreeMap<Integer, String> headers)
    {
    }

    /** Set by {@link Tripwire}'s initialiser; read here, never through Tripwire (which would initialise it). */
    static volatile boolean tripwireInitialised;

    /** Never registered: a decode must never initialise it (its name is in the fuzzer's reach via String hooks). */
    static final class Tripwire
    {
        static
        {
            tripwireInitialised = true;
        }
    }

    static final KryoCodec CODEC = KryoCodec.builder()
        .userTypes(Side.class, Money.class, Line.class, Order.class, Tree.class, Envelope.class, Line[].class)
        .maxMessageSize(1 << 20)
        .maxDepth(64)
        .build();

    static final AtomicLong EXECUTIONS = new AtomicLong();
    static final AtomicLong DECODED = new AtomicLong();
    static final AtomicLong REJECTED = new AtomicLong();

    @AfterAll
    static void printFigures()
    {
        System.out.printf("RELIABILITY fuzz target=KryoCodecFuzzTest executions=%d decoded=%d rejected=%d%n",
            EXECUTIONS.get(), DECODED.get(), REJECTED.get());
    }

    @FuzzTest(maxDuration = "30m")
    void decodeBytes(final byte[] bytes)
    {
        check(bytes);
    }

    @FuzzTest(maxDuration = "30m")
    void decodeMutated(final FuzzedDataProvider data)
    {
        final Object message = message(data, 0);
        final byte[] valid = CODEC.encode(message);
        byte[] bytes = valid;
        for (int edits = data.consumeInt(0, 4); edits > 0 && data.remainingBytes() > 0; edits--)
        {
            final int at = data.consumeInt(0, Math.max(0, bytes.length - 1));
            switch (data.consumeInt(0, 2))
            {
                case 0 ->
                {
                    if (bytes.length > 0)
                    {
                        bytes = bytes.clone();
                        bytes[at] = data.consumeByte();
                    }
                }
                case 1 ->
                {
                    final byte[] inserted = data.consumeBytes(data.consumeInt(1, 8));
                    final byte[] grown = new byte[bytes.length + inserted.length];
                    System.arraycopy(bytes, 0, grown, 0, at);
                    System.arraycopy(inserted, 0, grown, at, inserted.length);
                    System.arraycopy(bytes, at, grown, at + inserted.length, bytes.length - at);
                    bytes = grown;
                }
                default -> bytes = java.util.Arrays.copyOf(bytes, at);
            }
        }
        check(bytes);
    }

    private static void check(final byte[] bytes)
    {
        EXECUTIONS.incrementAndGet();
        final Object decoded;
        try
        {
            decoded = CODEC.decode(bytes);
        }
        catch (final CodecException expected)
        {
            REJECTED.incrementAndGet();
            assertFalse(tripwireInitialised, "an unregistered class was initialised by a decode");
            return;
        }
        catch (final Throwable other)
        {
            fail("decode threw " + other + " instead of a CodecException", other);
            return;
        }
        DECODED.incrementAndGet();
        assertNotNull(decoded, "decode returned null");
        assertFalse(tripwireInitialised, "an unregistered class was initialised by a decode");
        try
        {
            CODEC.encode(decoded); // an unregistered class anywhere in the graph fails here
        }
        catch (final CodecException reencode)
        {
            fail("a decoded " + decoded.getClass().getName() + " cannot be encoded again: " + reencode, reencode);
        }
    }

    /** A message of the registered types, shaped by the fuzzer. */
    static Object message(final FuzzedDataProvider data, final int depth)
    {
        return switch (data.consumeInt(0, 7))
        {
            case 0 -> order(data);
            case 1 -> tree(data, depth);
            case 2 -> new Envelope(data.consumeInt(), depth < 3 ? message(data, depth + 1) : data.consumeString(8),
                headers(data));
            case 3 -> List.of(line(data), line(data));
            case 4 -> new Line[]{line(data), null, line(data)};
            case 5 -> new ArrayList<>(List.of(data.consumeString(16), data.consumeLong(), Side.SELL));
            case 6 -> new HashMap<>(Map.of(data.consumeString(4) + "k", money(data)));
            default -> money(data);
        };
    }

    static Order order(final FuzzedDataProvider data)
    {
        final List<Line> lines = new ArrayList<>();
        for (int i = data.consumeInt(0, 3); i > 0; i--)
        {
            lines.add(line(data));
        }
        final Map<String, List<Integer>> tags = new HashMap<>();
        for (int i = data.consumeInt(0, 2); i > 0; i--)
        {
            tags.put(data.consumeString(6), List.of(data.consumeInt(), data.consumeInt()));
        }
        final Set<String> flags = new LinkedHashSet<>();
        for (int i = data.consumeInt(0, 2); i > 0; i--)
        {
            flags.add(data.consumeString(6));
        }
        return new Order(new UUID(data.consumeLong(), data.consumeLong()), data.consumeString(24),
            data.consumeBoolean() ? Side.BUY : Side.SELL, lines, tags, flags,
            Instant.ofEpochSecond(data.consumeLong(0, 1L << 35), data.consumeInt(0, 999_999_999)),
            Duration.ofMillis(data.consumeLong(0, 1L << 40)), data.consumeLongs(data.consumeInt(0, 4)));
    }

    static Line line(final FuzzedDataProvider data)
    {
        return new Line(data.consumeString(12), data.consumeInt(), money(data),
            data.consumeBoolean() ? Optional.of(data.consumeString(10)) : Optional.empty());
    }

    static Money money(final FuzzedDataProvider data)
    {
        return new Money(data.consumeBoolean() ? "EUR" : data.consumeString(3), data.consumeLong());
    }

    static Tree tree(final FuzzedDataProvider data, final int depth)
    {
        final List<Tree> children = new ArrayList<>();
        for (int i = depth < 4 ? data.consumeInt(0, 3) : 0; i > 0; i--)
        {
            children.add(tree(data, depth + 1));
        }
        return new Tree(data.consumeString(6), children);
    }

    static TreeMap<Integer, String> headers(final FuzzedDataProvider data)
    {
        final TreeMap<Integer, String> headers = new TreeMap<>();
        for (int i = data.consumeInt(0, 3); i > 0; i--)
        {
            headers.put(data.consumeInt(), data.consumeString(8));
        }
        return headers;
    }
}
