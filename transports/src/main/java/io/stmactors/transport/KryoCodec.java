package io.stmactors.transport;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.KryoBufferOverflowException;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import io.stmactors.transport.internal.BoundedInput;
import io.stmactors.transport.internal.CodecKryo;
import io.stmactors.transport.internal.CodecRegistrations;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Turns messages and shared state into bytes and back with Kryo 5, for isolated-process mode.
 *
 * <h2>Registration</h2>
 * Registration is always required and ids follow registration order: Kryo's primitives and {@code String}, then a
 * fixed list of JDK types messages commonly hold (boxed primitives, primitive and object arrays, the usual
 * mutable collections, {@code List.of}/{@code Set.of}/{@code Map.of}, {@code Collections.empty*}/{@code singleton*},
 * {@link java.util.EnumSet}, {@link java.util.Optional}, {@link java.util.UUID}, {@link java.math.BigInteger},
 * {@link java.math.BigDecimal}, the common {@code java.time} types and enums, and serializable lambdas), then the
 * {@linkplain Builder#runtimeTypes runtime types}, then the {@linkplain Builder#userTypes user types}. Records and
 * enums need nothing more than registration. A serializable lambda needs its declaring (capturing) class
 * registered. Two codecs interoperate only if their {@link #fingerprint()}s are equal.
 *
 * <h2>Hostile input</h2>
 * {@link #decode} treats its input as untrusted: a malformed, truncated or forged byte sequence ends in a
 * {@link CodecException}, never in an {@link OutOfMemoryError} from a forged length (every declared length is
 * checked against the bytes that remain before anything is allocated, and the total declared element count of one
 * decode may not exceed its size), never in loading or instantiating an unregistered class (class names on the wire
 * are refused; unknown ids fail), never in a hang (input is a fixed byte range), and never in a
 * {@link StackOverflowError} (nesting is limited by {@link Builder#maxDepth}). Decoding still runs the canonical
 * constructors of registered records, so those should not have side effects.
 *
 * <h2>Thread-safety</h2>
 * Every method may be called from any number of threads at once. Kryo instances are not thread-safe, so each call
 * borrows a {@link CodecKryo} and its buffers from a {@link Pool} and gives them back; the pool itself is not
 * thread-safe in the mode that does not allocate, so borrowing and returning are done under the pool's monitor (a
 * few nanoseconds, never held while encoding). The steady state allocates nothing per call besides what Kryo and
 * the decoded objects themselves need.
 */
public final class KryoCodec
{
    /** Default largest encoded message: 64 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;

    /** Default deepest object nesting accepted; deep enough for ordinary messages, shallow enough for any stack. */
    public static final int DEFAULT_MAX_DEPTH = 512;

    private static final int INITIAL_BUFFER_SIZE = 4096;
    private static final int MAX_RETAINED_BUFFER_SIZE = 1024 * 1024;

    private final List<Class<?>> runtimeTypes;
    private final List<Class<?>> userTypes;
    private final java.util.Map<Class<?>, com.esotericsoftware.kryo.Serializer<?>> serializers;
    private final boolean capturingClassesByName;
    private final Set<Class<?>> fieldSerialized;
    private final boolean references;
    private final int maxDepth;
    private final int maxMessageSize;
    private final List<String> registrationList;
    private final long fingerprint;
    private final Pool<Slot> pool;

    private KryoCodec(final Builder builder)
    {
        runtimeTypes = List.copyOf(builder.runtimeTypes);
        userTypes = List.copyOf(builder.userTypes);
        serializers = java.util.Map.copyOf(builder.serializers);
        capturingClassesByName = builder.capturingClassesByName;
        fieldSerialized = Set.copyOf(builder.fieldSerialized);
        references = builder.references;
        maxDepth = builder.maxDepth;
        maxMessageSize = builder.maxMessageSize;

        final Slot first = newSlot();
        registrationList = List.copyOf(CodecRegistrations.describe(first.kryo));
        fingerprint = computeFingerprint(registrationList, references);

        final int poolCapacity = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
        pool = new Pool<>(false, false, poolCapacity)
        {
            protected Slot create()
            {
                return newSlot();
            }
        };
        pool.free(first);
    }

    /**
     * Start configuring a codec.
     *
     * @return a new builder; not thread-safe.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * A codec with the built-in types and these user types, with default limits.
     *
     * @param userTypes in the order every process registers them.
     * @return the codec.
     */
    public static KryoCodec of(final List<Class<?>> userTypes)
    {
        return builder().userTypes(userTypes).build();
    }

    /**
     * Encode a message into a new array. Allocates the result; prefer
     * {@link #encode(Object, MutableDirectBuffer, int)} on hot paths. Thread-safe.
     *
     * @param message a non-null object whose graph holds only registered classes.
     * @return the encoded bytes.
     * @throws UnregisteredClassException if the graph holds an unregistered class.
     * @throws CodecException             if the object cannot be encoded or is larger than {@link #maxMessageSize()}.
     */
    public byte[] encode(final Object message)
    {
        final Slot slot = obtain();
        try
        {
            final int length = write(slot, message);
            final byte[] bytes = new byte[length];
            System.arraycopy(slot.output.getBuffer(), 0, bytes, 0, length);
            return bytes;
        }
        finally
        {
            release(slot);
        }
    }

    /**
     * Encode a message into {@code destination} at {@code offset}. The message is first encoded into a buffer
     * owned by the pooled slot and copied only once it is complete, so on any exception the destination is left
     * exactly as it was. An expandable destination grows as needed. Thread-safe (the destination must of course
     * not be shared with another writer).
     *
     * @param message     a non-null object whose graph holds only registered classes.
     * @param destination receives the encoded bytes.
     * @param offset      where the first byte goes.
     * @return the number of bytes written.
     * @throws UnregisteredClassException if the graph holds an unregistered class.
     * @throws CodecException             if the object cannot be encoded, is larger than {@link #maxMessageSize()},
     *                                    or a non-expandable destination is too small.
     */
    public int encode(final Object message, final MutableDirectBuffer destination, final int offset)
    {
        Objects.requireNonNull(destination, "destination");
        if (offset < 0)
        {
            throw new IllegalArgumentException("offset must be >= 0: " + offset);
        }

        final Slot slot = obtain();
        try
        {
            final int length = write(slot, message);
            if (!destination.isExpandable() && (long)offset + length > destination.capacity())
            {
                throw new CodecException("Encoded " + message.getClass().getName() + " is " + length +
                    " bytes but the destination has only " + Math.max(0, destination.capacity() - offset) +
                    " bytes from offset " + offset);
            }
            destination.putBytes(offset, slot.output.getBuffer(), 0, length);
            return length;
        }
        finally
        {
            release(slot);
        }
    }

    /**
     * Decode one message from {@code buffer[offset, offset + length)}; the range must hold exactly one encoded
     * message. The input is treated as untrusted (see the class comment). Thread-safe; the buffer is only read
     * during the call.
     *
     * @param buffer holding the encoded message.
     * @param offset of its first byte.
     * @param length of the encoded message.
     * @return the decoded message, never null.
     * @throws CodecException            if the bytes are not a valid message for this codec's registrations.
     * @throws IndexOutOfBoundsException if the range lies outside the buffer.
     */
    public Object decode(final DirectBuffer buffer, final int offset, final int length)
    {
        Objects.requireNonNull(buffer, "buffer");
        if (offset < 0 || length < 0 || (long)offset + length > buffer.capacity())
        {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + offset + " + " + length +
                ") is outside a buffer of capacity " + buffer.capacity());
        }
        if (0 == length)
        {
            throw new CodecException("Cannot decode an empty message");
        }
        if (length > maxMessageSize)
        {
            throw new CodecException("Cannot decode a message of " + length + " bytes: the limit is " +
                maxMessageSize + " bytes");
        }

        final Slot slot = obtain();
        try
        {
            final byte[] array = buffer.byteArray();
            if (null != array)
            {
                slot.input.reset(array, buffer.wrapAdjustment() + offset, length);
            }
            else
            {
                if (slot.scratch.length < length)
                {
                    slot.scratch = new byte[Math.max(length, Math.min(maxMessageSize, 2 * slot.scratch.length))];
                }
                buffer.getBytes(offset, slot.scratch, 0, length);
                slot.input.reset(slot.scratch, 0, length);
            }

            return read(slot, length);
        }
        finally
        {
            release(slot);
        }
    }

    /**
     * Decode one message held in a whole array. Thread-safe.
     *
     * @param bytes an encoded message.
     * @return the decoded message, never null.
     * @throws CodecException if the bytes are not a valid message for this codec's registrations.
     */
    public Object decode(final byte[] bytes)
    {
        return decode(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    /**
     * A 64-bit hash of the ordered registration list (ids, class names, serializers) and the reference setting.
     * Two processes whose fingerprints differ would misread each other's bytes; exchange it when they connect.
     *
     * @return the fingerprint; stable for a given list, Kryo version and JDK.
     */
    public long fingerprint()
    {
        return fingerprint;
    }

    /**
     * The registrations in id order, one {@code "id class serializer"} line each: what went into
     * {@link #fingerprint()}, for diagnosing a mismatch.
     *
     * @return an immutable list.
     */
    public List<String> registrationList()
    {
        return registrationList;
    }

    /**
     * @return the largest encoded message, in bytes, this codec produces or accepts.
     */
    public int maxMessageSize()
    {
        return maxMessageSize;
    }

    private int write(final Slot slot, final Object message)
    {
        if (null == message)
        {
            throw new IllegalArgumentException("message must not be null");
        }

        final Output output = slot.output;
        output.reset();
        try
        {
            slot.kryo.writeClassAndObject(output, message);
            return output.position();
        }
        catch (final UnregisteredClassException ex)
        {
            throw ex;
        }
        catch (final KryoBufferOverflowException ex)
        {
            throw new CodecException("Cannot encode " + message.getClass().getName() + ": its encoded form exceeds " +
                "the maximum message size of " + maxMessageSize + " bytes", ex);
        }
        catch (final KryoException ex)
        {
            final UnregisteredClassException unregistered = findUnregistered(ex);
            if (null != unregistered)
            {
                throw new UnregisteredClassException(unregistered.unregisteredClass(), serializationTrace(ex));
            }
            throw new CodecException("Cannot encode " + message.getClass().getName() + ": " + ex.getMessage() +
                (ex.getMessage() != null && ex.getMessage().contains("Max depth") ?
                " (a cyclic object graph needs KryoCodec.builder().references(true))" : ""), ex);
        }
        catch (final RuntimeException | StackOverflowError ex)
        {
            throw new CodecException("Cannot encode " + message.getClass().getName() + ": " + ex, ex);
        }
    }

    private Object read(final Slot slot, final int length)
    {
        final BoundedInput input = slot.input;
        final Object message;
        try
        {
            message = slot.kryo.readClassAndObject(input);
        }
        catch (final KryoException ex)
        {
            throw new CodecException("Malformed message (" + length + " bytes): " + ex.getMessage(), ex);
        }
        catch (final RuntimeException | StackOverflowError ex)
        {
            throw new CodecException("Malformed message (" + length + " bytes): " + ex, ex);
        }

        if (null == message)
        {
            throw new CodecException("Malformed message (" + length + " bytes): it encodes null");
        }
        if (0 != input.remaining())
        {
            throw new CodecException("Malformed message (" + length + " bytes): " + input.remaining() +
                " trailing bytes after a complete " + message.getClass().getName());
        }

        return message;
    }

    private Slot obtain()
    {
        synchronized (pool)
        {
            if (pool.getFree() > 0)
            {
                return pool.obtain();
            }
        }

        return newSlot();
    }

    private void release(final Slot slot)
    {
        slot.kryo.reset();
        synchronized (pool)
        {
            pool.free(slot);
        }
    }

    private Slot newSlot()
    {
        final CodecKryo kryo = new CodecKryo(references, maxDepth);
        CodecRegistrations.registerBuiltIns(kryo);
        if (capturingClassesByName)
        {
            kryo.register(io.stmactors.transport.internal.NamedCapturingClosureSerializer.closureClass(),
                new io.stmactors.transport.internal.NamedCapturingClosureSerializer());
        }
        for (final Class<?> type : runtimeTypes)
        {
            register(kryo, type);
        }
        for (final Class<?> type : userTypes)
        {
            register(kryo, type);
        }

        return new Slot(kryo, new Output(Math.min(INITIAL_BUFFER_SIZE, maxMessageSize), maxMessageSize));
    }

    private void register(final CodecKryo kryo, final Class<?> type)
    {
        final com.esotericsoftware.kryo.Serializer<?> serializer = serializers.get(type);
        if (fieldSerialized.contains(type))
        {
            kryo.register(type, new io.stmactors.transport.internal.CheckedFieldSerializer<>(kryo, type));
        }
        else if (null == serializer)
        {
            kryo.register(type);
        }
        else
        {
            kryo.register(type, serializer);
        }
    }

    private static UnregisteredClassException findUnregistered(final Throwable ex)
    {
        for (Throwable t = ex; null != t; t = t.getCause())
        {
            if (t instanceof UnregisteredClassException)
            {
                return (UnregisteredClassException)t;
            }
        }

        return null;
    }

    private static String serializationTrace(final KryoException ex)
    {
        final String message = ex.getMessage();
        final int index = null == message ? -1 : message.indexOf("Serialization trace:");
        return index < 0 ? null : message.substring(index + "Serialization trace:".length()).strip()
            .replace("\n", " <- ");
    }

    private static long computeFingerprint(final List<String> registrations, final boolean references)
    {
        try
        {
            final MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (final String line : registrations)
            {
                digest.update(line.getBytes(StandardCharsets.UTF_8));
                digest.update((byte)'\n');
            }
            digest.update(("references=" + references).getBytes(StandardCharsets.UTF_8));
            final byte[] hash = digest.digest();
            long fingerprint = 0;
            for (int i = 0; i < 8; i++)
            {
                fingerprint = (fingerprint << 8) | (hash[i] & 0xFF);
            }
            return fingerprint;
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required by every Java platform", ex);
        }
    }

    /**
     * One pooled Kryo with its buffers. {@link Pool.Poolable#reset()} runs when a slot is returned and drops
     * buffers that one large message grew, so the pool does not pin memory.
     */
    private static final class Slot implements Pool.Poolable
    {
        final CodecKryo kryo;
        final Output output;
        final BoundedInput input = new BoundedInput();
        byte[] scratch = new byte[INITIAL_BUFFER_SIZE];

        Slot(final CodecKryo kryo, final Output output)
        {
            this.kryo = kryo;
            this.output = output;
        }

        public void reset()
        {
            input.release(MAX_RETAINED_BUFFER_SIZE / 2);
            if (output.getBuffer().length > MAX_RETAINED_BUFFER_SIZE)
            {
                output.setBuffer(new byte[INITIAL_BUFFER_SIZE], output.getMaxCapacity());
            }
            if (scratch.length > MAX_RETAINED_BUFFER_SIZE)
            {
                scratch = new byte[INITIAL_BUFFER_SIZE];
            }
        }
    }

    /**
     * Configures a {@link KryoCodec}. Not thread-safe; build once and share the codec.
     */
    public static final class Builder
    {
        private final Set<Class<?>> runtimeTypes = new LinkedHashSet<>();
        private final Set<Class<?>> userTypes = new LinkedHashSet<>();
        private boolean references = false;
        private int maxDepth = DEFAULT_MAX_DEPTH;
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private final java.util.Map<Class<?>, com.esotericsoftware.kryo.Serializer<?>> serializers =
            new java.util.HashMap<>();
        private boolean capturingClassesByName = false;
        private final Set<Class<?>> fieldSerialized = new LinkedHashSet<>();

        private Builder()
        {
        }

        /**
         * Serialize these (registered) types field by field, even if they implement {@code Collection} or
         * {@code Map}: for objects whose identity lies in their fields (a transactional map made of references),
         * not in the elements a collection serializer would copy.
         *
         * @param types registered runtime or user types.
         * @return this builder.
         */
        public Builder fieldSerialized(final Class<?>... types)
        {
            for (final Class<?> type : types)
            {
                fieldSerialized.add(Objects.requireNonNull(type, "type"));
            }
            return this;
        }

        /**
         * Use {@code serializer} for {@code type} (a runtime or user type, registered separately). The serializer
         * is shared by every pooled Kryo, so it must be stateless or thread-safe.
         *
         * @param type       the registered type.
         * @param serializer its serializer.
         * @return this builder.
         */
        public Builder serializer(final Class<?> type, final com.esotericsoftware.kryo.Serializer<?> serializer)
        {
            serializers.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(serializer, "serializer"));
            return this;
        }

        /**
         * Send the capturing class of serializable lambdas by name instead of by registration id, so that classes
         * which declare lambdas (actor behaviors) need not be registered. Decoding accepts only classes that declare
         * the compiler-generated {@code $deserializeLambda$}. Both sides must agree; it is part of the fingerprint.
         *
         * @param byName whether capturing classes travel by name.
         * @return this builder.
         */
        public Builder capturingClassesByName(final boolean byName)
        {
            this.capturingClassesByName = byName;
            return this;
        }

        /**
         * Types of the actor runtime itself (its envelopes and control messages), registered after the built-in
         * types and before the user types. Appends, in order.
         *
         * @param types to register.
         * @return this builder.
         */
        public Builder runtimeTypes(final List<Class<?>> types)
        {
            addAll(runtimeTypes, types, "runtime");
            return this;
        }

        /**
         * @param types to register after the built-in types, in order.
         * @return this builder.
         * @see #runtimeTypes(List)
         */
        public Builder runtimeTypes(final Class<?>... types)
        {
            return runtimeTypes(List.of(types));
        }

        /**
         * The application's message and state types, registered last, in order. Appends.
         *
         * @param types to register.
         * @return this builder.
         */
        public Builder userTypes(final List<Class<?>> types)
        {
            addAll(userTypes, types, "user");
            return this;
        }

        /**
         * @param types to register last, in order.
         * @return this builder.
         * @see #userTypes(List)
         */
        public Builder userTypes(final Class<?>... types)
        {
            return userTypes(List.of(types));
        }

        /**
         * Track shared and cyclic references (Kryo's reference resolver). Off by default: it costs time on every
         * object, and messages are usually trees. Both sides must agree; it is part of the fingerprint.
         *
         * @param references whether to track references.
         * @return this builder.
         */
        public Builder references(final boolean references)
        {
            this.references = references;
            return this;
        }

        /**
         * @param maxDepth deepest object nesting accepted, 16 to 4096; default {@value #DEFAULT_MAX_DEPTH}.
         * @return this builder.
         */
        public Builder maxDepth(final int maxDepth)
        {
            if (maxDepth < 16 || maxDepth > 4096)
            {
                throw new IllegalArgumentException("maxDepth must be in [16, 4096]: " + maxDepth);
            }
            this.maxDepth = maxDepth;
            return this;
        }

        /**
         * @param maxMessageSize largest encoded message in bytes, 1 KiB to 1 GiB; default 64 MiB.
         * @return this builder.
         */
        public Builder maxMessageSize(final int maxMessageSize)
        {
            if (maxMessageSize < 1024 || maxMessageSize > (1 << 30))
            {
                throw new IllegalArgumentException("maxMessageSize must be in [1 KiB, 1 GiB]: " + maxMessageSize);
            }
            this.maxMessageSize = maxMessageSize;
            return this;
        }

        /**
         * @return a new thread-safe codec.
         * @throws IllegalArgumentException if a type is listed twice.
         */
        public KryoCodec build()
        {
            final Set<Class<?>> both = new LinkedHashSet<>(runtimeTypes);
            for (final Class<?> type : userTypes)
            {
                if (!both.add(type))
                {
                    throw new IllegalArgumentException(type.getName() + " is both a runtime type and a user type");
                }
            }
            return new KryoCodec(this);
        }

        private static void addAll(final Set<Class<?>> target, final List<Class<?>> types, final String kind)
        {
            for (final Class<?> type : new ArrayList<>(types))
            {
                Objects.requireNonNull(type, kind + " type");
                if (type.isPrimitive())
                {
                    throw new IllegalArgumentException("primitive " + type + " is pre-registered; register only classes");
                }
                if (!target.add(type))
                {
                    throw new IllegalArgumentException(kind + " type " + type.getName() + " is listed twice");
                }
            }
        }
    }
}
