package io.stmactors.actors.isolated;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.stmactors.actors.ActorRef;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Supervised;
import io.stmactors.actors.SupervisorStrategy;
import io.stmactors.actors.Terminated;
import io.stmactors.actors.internal.ActorCell;
import io.stmactors.actors.internal.ConcurrentBehavior;
import io.stmactors.actors.internal.PromiseRef;
import io.stmactors.actors.internal.ReceiveBehavior;
import io.stmactors.actors.internal.SetupBehavior;
import io.stmactors.actors.internal.SpecialBehavior;
import io.stmactors.actors.internal.StatefulBehavior;
import io.stmactors.stm.Replication;
import io.stmactors.stm.TLong;
import io.stmactors.stm.TRef;
import io.stmactors.transport.CodecException;
import io.stmactors.transport.KryoCodec;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The codec of an isolated-mode system and the serializers that make references travel by
 * identity: a {@code TRef}/{@code TLong} is written as its global id (its value travels separately,
 * by fetch and update), an actor address as its name. Both sides build the codec from the same
 * ordered class list, so registration ids agree (checked by the fingerprint in {@code Hello}).
 */
final class Wire {
    private static final ThreadLocal<WireContext> CONTEXT = new ThreadLocal<>();

    private Wire() {
    }

    /** The codec for these user classes. */
    static KryoCodec codec(List<Class<?>> userTypes) {
        List<Class<?>> runtime = new ArrayList<>(Frames.types());
        runtime.addAll(Replication.heapTypes());
        runtime.addAll(List.of(ActorCell.class, RemoteActorRef.class, PromiseRef.class, ReplyRef.class,
                Terminated.class, ReceiveBehavior.class, StatefulBehavior.class, SetupBehavior.class,
                ConcurrentBehavior.class, SpecialBehavior.class, Supervised.class, Supervised.Rule.class,
                SupervisorStrategy.class, SupervisorStrategy.Directive.class, Class.class));
        List<Class<?>> user = new ArrayList<>();
        for (Class<?> c : userTypes) {
            if (!runtime.contains(c)) {
                user.add(c);
            }
        }
        RefSerializer refs = new RefSerializer();
        ActorRefSerializer actors = new ActorRefSerializer();
        KryoCodec.Builder builder = KryoCodec.builder()
                .runtimeTypes(runtime)
                .userTypes(user)
                .capturingClassesByName(true)
                .fieldSerialized(io.stmactors.stm.TMap.class, io.stmactors.stm.TSet.class, io.stmactors.stm.TQueue.class);
        for (Class<?> reference : Replication.referenceTypes()) {
            builder.serializer(reference, refs);
        }
        return builder
                .serializer(ActorCell.class, actors)
                .serializer(RemoteActorRef.class, actors)
                .serializer(PromiseRef.class, actors)
                .serializer(ReplyRef.class, actors)
                .serializer(SpecialBehavior.class, new SpecialBehaviorSerializer())
                .serializer(Class.class, new ClassByIdSerializer())
                .serializer(Replication.leafClass(), new LeafSerializer())
                .build();
    }

    /** Runs {@code action} with {@code context} as this thread's wire context. */
    static <T> T with(WireContext context, Supplier<T> action) {
        WireContext previous = CONTEXT.get();
        CONTEXT.set(context);
        try {
            return action.get();
        } finally {
            if (previous == null) {
                CONTEXT.remove();
            } else {
                CONTEXT.set(previous);
            }
        }
    }

    /** A nested payload that must be there: a missing one is malformed input, not a null pointer. */
    static byte[] present(byte[] bytes) {
        if (bytes == null) {
            throw new CodecException("Malformed frame: a value is missing");
        }
        return bytes;
    }

    /** The value a nested payload holds; anything but a {@link Boxed} is malformed input. */
    static Object unbox(Object decoded) {
        if (decoded instanceof Boxed b) {
            return b.value();
        }
        throw new CodecException("Malformed value: a " + decoded.getClass().getName() + " where a boxed value belongs");
    }

    static WireContext context() {
        WireContext c = CONTEXT.get();
        if (c == null) {
            throw new KryoException("no isolated-mode wire context on this thread");
        }
        return c;
    }

    /** TRef and TLong: written as their global id. */
    static final class RefSerializer extends Serializer<Object> {
        @Override
        public void write(Kryo kryo, Output output, Object ref) {
            output.writeVarLong(context().refId(ref), true);
        }

        @Override
        public Object read(Kryo kryo, Input input, Class<?> type) {
            long id = input.readVarLong(true);
            if (id <= 0) {
                throw new KryoException("Malformed reference id " + id);
            }
            return context().ref(id, type == TLong.class);
        }
    }

    /**
     * A {@code TMap} leaf: its entries only ({@link Replication#leafArrays}), never the room its arrays
     * keep for the next leaf of its slot.
     */
    static final class LeafSerializer extends Serializer<Object> {
        @Override
        public void write(Kryo kryo, Output output, Object leaf) {
            Object[] arrays = Replication.leafArrays(leaf);
            kryo.writeObject(output, arrays[0]);
            kryo.writeObject(output, arrays[1]);
        }

        @Override
        public Object read(Kryo kryo, Input input, Class<?> type) {
            int[] hashes = kryo.readObject(input, int[].class);
            Object[] kv = kryo.readObject(input, Object[].class);
            try {
                return Replication.leaf(hashes, kv);
            } catch (IllegalArgumentException e) {
                throw new KryoException("Malformed map leaf: " + e.getMessage());
            }
        }
    }

    /** Actor addresses: a name, or (endpoint, ask id) for the reply address of an ask. */
    static final class ActorRefSerializer extends Serializer<ActorRef<?>> {
        @Override
        public void write(Kryo kryo, Output output, ActorRef<?> ref) {
            if (ref instanceof ReplyRef<?> reply) {
                output.writeByte(1);
                output.writeVarInt(reply.endpoint(), true);
                output.writeVarLong(reply.askId(), true);
            } else if (ref instanceof PromiseRef<?> promise) {
                WireContext c = context();
                output.writeByte(1);
                output.writeVarInt(c.endpoint(), true);
                output.writeVarLong(c.promiseId(promise), true);
            } else {
                output.writeByte(0);
                output.writeString(ref.name());
            }
        }

        @Override
        public ActorRef<?> read(Kryo kryo, Input input, Class<? extends ActorRef<?>> type) {
            byte tag = input.readByte();
            if (tag == 0) {
                String name = input.readString();
                if (name == null || name.isEmpty()) {
                    throw new KryoException("Malformed actor name");
                }
                return context().actor(name);
            }
            if (tag == 1) {
                int endpoint = input.readVarInt(true);
                long askId = input.readVarLong(true);
                return context().reply(endpoint, askId);
            }
            throw new KryoException("Malformed actor address tag " + tag);
        }
    }

    /** {@code Behaviors.same()} and {@code stopped()} keep their identity across processes. */
    static final class SpecialBehaviorSerializer extends Serializer<SpecialBehavior<?>> {
        @Override
        public void write(Kryo kryo, Output output, SpecialBehavior<?> b) {
            output.writeBoolean(b == SpecialBehavior.SAME);
        }

        @Override
        public SpecialBehavior<?> read(Kryo kryo, Input input, Class<? extends SpecialBehavior<?>> type) {
            return (SpecialBehavior<?>) (input.readBoolean() ? Behaviors.same() : Behaviors.stopped());
        }
    }

    /**
     * {@code Class} values (the exception classes of supervision rules): a {@link Throwable}
     * subclass travels by name (resolved without initializing it, and refused unless it is a
     * {@code Throwable}), any other class by its registration id (so only registered classes).
     */
    static final class ClassByIdSerializer extends Serializer<Class<?>> {
        @Override
        public void write(Kryo kryo, Output output, Class<?> type) {
            if (Throwable.class.isAssignableFrom(type)) {
                output.writeVarInt(0, true);
                output.writeString(type.getName());
                return;
            }
            output.writeVarInt(1 + kryo.getRegistration(type).getId(), true);
        }

        @Override
        public Class<?> read(Kryo kryo, Input input, Class<? extends Class<?>> type) {
            int n = input.readVarInt(true);
            if (n == 0) {
                String name = input.readString();
                try {
                    ClassLoader loader = Thread.currentThread().getContextClassLoader();
                    Class<?> c = Class.forName(name, false, loader != null ? loader : Wire.class.getClassLoader());
                    if (!Throwable.class.isAssignableFrom(c)) {
                        throw new KryoException("Malformed class: " + name + " is not a Throwable");
                    }
                    return c;
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new KryoException("Malformed class name " + name);
                }
            }
            var registration = kryo.getRegistration(n - 1);
            if (registration == null) {
                throw new KryoException("Malformed class id " + n);
            }
            return registration.getType();
        }
    }
}
