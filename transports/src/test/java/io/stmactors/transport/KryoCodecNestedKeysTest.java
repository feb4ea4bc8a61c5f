package io.stmactors.transport;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Minimal reproduction of the fuzzer's finding in {@code KryoCodecFuzzTest#decodeBytes} (input
 * {@code KryoCodecFuzzTestInputs/decodeBytes/timeout-962c8d39...}, 689 bytes, still running after 444 s): a decode
 * that never ends, from a few hundred bytes.
 * <p>
 * The bytes describe a {@code HashMap} with two keys, each a chain {@code singletonMap(singletonMap(...(emptyMap),
 * null), null)} of depth {@code d} (about 2 bytes per level). Every such chain hashes to 0, so inserting the second
 * key compares it with the first, and {@code AbstractMap.equals} on a null-valued entry calls both
 * {@code m.get(key)} and {@code m.containsKey(key)}, each comparing the nested keys again: 2<sup>d</sup> steps.
 * The codec's limits (bytes, element counts, nesting depth 512) do not bound that work. Reproduce:
 * {@code mvn -B -pl transports -am verify -Dtest=KryoCodecNestedKeysTest -Dfuzz.skip=true} after removing
 * {@code @Disabled}.
 */
class KryoCodecNestedKeysTest
{
    private static final int DEPTH = 40; // about 2^40 key comparisons

    @Test
    void aSmallMessageDecodesInBoundedTime() throws Exception
    {
        final KryoCodec codec = KryoCodec.of(List.of());
        Map<Object, Object> chain = Collections.emptyMap();
        for (int i = 0; i < DEPTH; i++)
        {
            chain = Collections.singletonMap(chain, null);
        }
        final byte[] key = codec.encode(chain);
        final byte[] emptyHashMap = codec.encode(new HashMap<>()); // [class id of HashMap][size 0]
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(emptyHashMap, 0, emptyHashMap.length - 1);
        bytes.write(2); // two entries
        bytes.writeBytes(key);
        bytes.write(0); // null value
        bytes.writeBytes(key);
        bytes.write(0); // null value
        final byte[] message = bytes.toByteArray();
        assertTrue(message.length < 200, "a small message: " + message.length + " bytes");

        final AtomicReference<Object> outcome = new AtomicReference<>();
        final Thread decoder = new Thread(() ->
        {
            try
            {
                outcome.set(codec.decode(message));
            }
            catch (final Throwable t)
            {
                outcome.set(t);
            }
        }, "decoder");
        decoder.setDaemon(true); // today it never ends; do not keep the JVM alive for it
        decoder.start();
        decoder.join(10_000);
        assertFalse(decoder.isAlive(), "decode of " + message.length + " bytes still running after 10 s");
        assertTrue(outcome.get() instanceof Map || outcome.get() instanceof CodecException, "outcome " + outcome.get());
    }
}
