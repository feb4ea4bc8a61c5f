package io.stmactors.actors.isolated;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.stmactors.stm.Replication;
import io.stmactors.stm.TRef;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code TMap} leaf travels as its entries ({@link Wire.LeafSerializer}); bytes that do not make a leaf
 * (arrays of different lengths, a cell that is not a reference) are a malformed frame, refused at decoding.
 * Here with a plain Kryo: the real codec writes a cell as its id, which needs a heap owner.
 */
class LeafWireTest {

    @Test
    void aLeafTravelsAsItsEntries() {
        TRef<Object> cell = new TRef<>("v");
        Object leaf = Replication.leaf(new int[] {5, 42}, new Object[] {"k", cell});
        Kryo kryo = plainKryo();
        Output out = new Output(256, -1);
        new Wire.LeafSerializer().write(kryo, out, leaf);
        Object back = new Wire.LeafSerializer().read(kryo, new Input(out.toBytes()), Replication.leafClass());
        Object[] arrays = Replication.leafArrays(back);
        assertArrayEquals(new int[] {5, 42}, (int[]) arrays[0]);
        assertEquals("k", ((Object[]) arrays[1])[0]);
        assertEquals("v", ((TRef<?>) ((Object[]) arrays[1])[1]).get());
    }

    @Test
    void arraysThatDoNotMakeALeafAreMalformed() {
        assertMalformed(new int[] {5, 42}, new Object[] {"k"});
        assertMalformed(new int[] {5, 42}, new Object[] {"k", "not a reference"});
        assertMalformed(new int[] {-1}, new Object[0]);
    }

    private static void assertMalformed(int[] hashes, Object[] kv) {
        Kryo kryo = plainKryo();
        Output out = new Output(256, -1);
        kryo.writeObject(out, hashes);
        kryo.writeObject(out, kv);
        KryoException e = assertThrows(KryoException.class, () -> new Wire.LeafSerializer()
                .read(kryo, new Input(out.toBytes()), Replication.leafClass()));
        assertTrue(e.getMessage().startsWith("Malformed map leaf"), e.getMessage());
    }

    /** Default serializers for the arrays and their elements (the real codec writes cells as ids). */
    private static Kryo plainKryo() {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(false);
        kryo.register(TRef.class, new com.esotericsoftware.kryo.Serializer<TRef<?>>() {
            @Override
            public void write(Kryo k, Output output, TRef<?> ref) {
                output.writeString(String.valueOf(ref.get()));
            }

            @Override
            public TRef<?> read(Kryo k, Input input, Class<? extends TRef<?>> type) {
                return new TRef<>(input.readString());
            }
        });
        return kryo;
    }
}
