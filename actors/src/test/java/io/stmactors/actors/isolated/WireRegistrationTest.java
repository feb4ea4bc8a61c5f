package io.stmactors.actors.isolated;

import com.esotericsoftware.kryo.serializers.FieldSerializer;
import io.stmactors.transport.KryoCodec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every class of the isolated-mode codec that is read field by field (the heap's structures, such as a
 * {@code TMap}'s trie, whose slot array was the field a fuzzed frame filled with a string, crashing the JVM) is read
 * by the codec's type-checked field serializer, never by Kryo's own, which sets fields unchecked.
 */
class WireRegistrationTest {
    record Note(String text) {
    }

    @Test
    void noClassIsReadByAnUncheckedFieldSerializer() {
        KryoCodec codec = Wire.codec(List.of(Note.class));
        List<String> lines = codec.registrationList();
        for (String line : lines) {
            assertFalse(line.endsWith(" " + FieldSerializer.class.getName()), "unchecked: " + line);
        }
        for (String heapClass : List.of("io.stmactors.stm.TMap ", "io.stmactors.stm.MapTrie ",
                "io.stmactors.stm.TQueue ", "io.stmactors.stm.TArray ", "io.stmactors.stm.StripedCounter ")) {
            assertTrue(lines.stream().anyMatch(l -> l.contains(" " + heapClass) && l.endsWith("CheckedFieldSerializer")),
                    heapClass + "in " + lines);
        }
    }
}
