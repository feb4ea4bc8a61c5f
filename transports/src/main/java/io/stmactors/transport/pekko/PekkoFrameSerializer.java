package io.stmactors.transport.pekko;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.stmactors.transport.KryoCodec;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.JSerializer;

import java.nio.ByteBuffer;

/**
 * The Pekko {@code Serializer} of {@link WireMessage}s: a {@link KryoCodec} that knows only the three wire records,
 * each written field by field by a small Kryo serializer of its own.
 * <p>
 * Registered by {@link PekkoSettings} under {@code pekko.actor.serializers} and bound to {@link WireMessage} in
 * {@code pekko.actor.serialization-bindings}, with identifier {@value #IDENTIFIER}; no manifest is needed because
 * the codec writes its own registration id. It implements {@link ByteBufferSerializer}, so Artery lets it write into
 * and read from its pooled envelope buffers directly instead of going through an intermediate array.
 * <p>
 * Decoding treats the bytes as hostile, as {@link KryoCodec} does: a forged length cannot allocate more than the
 * frame holds, and no class is loaded by name. Bytes that do not decode make this serializer throw; Artery then
 * logs and drops that one message. Semantic checks (secret, ids, offsets) happen later, in
 * {@link PekkoTransport#poll}.
 * <p>
 * Thread-safety: Pekko calls it from many threads at once; the codec pools its Kryo instances and the buffer views
 * are per thread.
 */
public final class PekkoFrameSerializer extends JSerializer implements ByteBufferSerializer
{
    /** Pekko serializer identifier (0 to 40 are Pekko's own). */
    public static final int IDENTIFIER = 571_001;

    /**
     * Written first in every record; a record of another version is refused (the same build on every member).
     * 2: a {@link WireMessage.CreditProbe} carries the sender's totals.
     */
    private static final byte WIRE_VERSION = 2;

    static final KryoCodec CODEC = KryoCodec.builder()
        .runtimeTypes(WireMessage.Frame.class, WireMessage.Credit.class, WireMessage.CreditProbe.class)
        .serializer(WireMessage.Frame.class, new FrameKryoSerializer())
        .serializer(WireMessage.Credit.class, new CreditKryoSerializer())
        .serializer(WireMessage.CreditProbe.class, new CreditProbeKryoSerializer())
        .maxMessageSize(PekkoTransportConfig.MAX_MAX_FRAME_SIZE)
        .build();

    private static final ThreadLocal<UnsafeBuffer> VIEW = ThreadLocal.withInitial(() -> new UnsafeBuffer(0, 0));

    /**
     * Called by Pekko's serialization extension (reflectively, once per actor system).
     */
    public PekkoFrameSerializer()
    {
    }

    /** {@inheritDoc} */
    public int identifier()
    {
        return IDENTIFIER;
    }

    /** {@inheritDoc} */
    public boolean includeManifest()
    {
        return false;
    }

    /** {@inheritDoc} */
    public byte[] toBinary(final Object message)
    {
        return CODEC.encode(message);
    }

    /** {@inheritDoc} */
    public Object fromBinaryJava(final byte[] bytes, final Class<?> manifest)
    {
        return CODEC.decode(bytes);
    }

    /** {@inheritDoc} */
    public void toBinary(final Object message, final ByteBuffer buffer)
    {
        final UnsafeBuffer view = VIEW.get();
        view.wrap(buffer, buffer.position(), buffer.remaining());
        try
        {
            final int length = CODEC.encode(message, view, 0);
            buffer.position(buffer.position() + length);
        }
        finally
        {
            view.wrap(0, 0);
        }
    }

    /** {@inheritDoc} */
    public Object fromBinary(final ByteBuffer buffer, final String manifest)
    {
        final UnsafeBuffer view = VIEW.get();
        final int length = buffer.remaining();
        view.wrap(buffer, buffer.position(), length);
        try
        {
            final Object message = CODEC.decode(view, 0, length);
            buffer.position(buffer.position() + length);
            return message;
        }
        finally
        {
            view.wrap(0, 0);
        }
    }

    private static void checkVersion(final Input input)
    {
        final byte version = input.readByte();
        if (WIRE_VERSION != version)
        {
            throw new KryoException("unsupported stm-actors wire version " + version + " (this build speaks " +
                WIRE_VERSION + ")");
        }
    }

    /** Writes a {@link WireMessage.Frame} field by field; the payload as a length-prefixed byte run. */
    private static final class FrameKryoSerializer extends com.esotericsoftware.kryo.Serializer<WireMessage.Frame>
    {
        FrameKryoSerializer()
        {
            super(false, true);
        }

        public void write(final Kryo kryo, final Output output, final WireMessage.Frame frame)
        {
            output.writeByte(WIRE_VERSION);
            output.writeVarInt(frame.sourceId(), true);
            output.writeInt(frame.senderUid());
            output.writeVarInt(frame.messageType(), true);
            output.writeLong(frame.clusterSecret());
            output.writeByte(frame.flags());
            output.writeVarLong(frame.messageId(), true);
            output.writeVarInt(frame.messageLength(), true);
            output.writeVarInt(frame.fragmentOffset(), true);
            output.writeVarInt(frame.payload().length, true);
            output.writeBytes(frame.payload());
        }

        public WireMessage.Frame read(final Kryo kryo, final Input input, final Class<? extends WireMessage.Frame> type)
        {
            checkVersion(input);
            final int sourceId = input.readVarInt(true);
            final int senderUid = input.readInt();
            final int messageType = input.readVarInt(true);
            final long secret = input.readLong();
            final byte flags = input.readByte();
            final long messageId = input.readVarLong(true);
            final int messageLength = input.readVarInt(true);
            final int fragmentOffset = input.readVarInt(true);
            final int payloadLength = input.readVarInt(true);
            if (payloadLength < 0)
            {
                throw new KryoException("negative payload length " + payloadLength);
            }
            final byte[] payload = input.readBytes(payloadLength); // checked against the bytes left
            return new WireMessage.Frame(
                sourceId, senderUid, messageType, secret, flags, messageId, messageLength, fragmentOffset, payload);
        }
    }

    /** Writes a {@link WireMessage.Credit} field by field. */
    private static final class CreditKryoSerializer extends com.esotericsoftware.kryo.Serializer<WireMessage.Credit>
    {
        CreditKryoSerializer()
        {
            super(false, true);
        }

        public void write(final Kryo kryo, final Output output, final WireMessage.Credit credit)
        {
            output.writeByte(WIRE_VERSION);
            output.writeVarInt(credit.receiverId(), true);
            output.writeInt(credit.receiverUid());
            output.writeInt(credit.senderUid());
            output.writeLong(credit.clusterSecret());
            output.writeVarLong(credit.consumedFrames(), true);
            output.writeVarLong(credit.consumedBytes(), true);
        }

        public WireMessage.Credit read(
            final Kryo kryo, final Input input, final Class<? extends WireMessage.Credit> type)
        {
            checkVersion(input);
            return new WireMessage.Credit(
                input.readVarInt(true),
                input.readInt(),
                input.readInt(),
                input.readLong(),
                input.readVarLong(true),
                input.readVarLong(true));
        }
    }

    /** Writes a {@link WireMessage.CreditProbe} field by field. */
    private static final class CreditProbeKryoSerializer
        extends com.esotericsoftware.kryo.Serializer<WireMessage.CreditProbe>
    {
        CreditProbeKryoSerializer()
        {
            super(false, true);
        }

        public void write(final Kryo kryo, final Output output, final WireMessage.CreditProbe probe)
        {
            output.writeByte(WIRE_VERSION);
            output.writeVarInt(probe.senderId(), true);
            output.writeInt(probe.senderUid());
            output.writeLong(probe.clusterSecret());
            output.writeVarLong(probe.sentFrames(), true);
            output.writeVarLong(probe.sentBytes(), true);
        }

        public WireMessage.CreditProbe read(
            final Kryo kryo, final Input input, final Class<? extends WireMessage.CreditProbe> type)
        {
            checkVersion(input);
            return new WireMessage.CreditProbe(input.readVarInt(true), input.readInt(), input.readLong(),
                input.readVarLong(true), input.readVarLong(true));
        }
    }
}
