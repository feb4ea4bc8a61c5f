package io.stmactors.transport;

/**
 * Thrown by {@link KryoCodec#encode} when the object graph contains an instance of a class that was not registered.
 * <p>
 * Registration is always required: ids are assigned in registration order, so every process must register the
 * same classes in the same order, which the actor system does by shipping one list to every process. When this is
 * thrown nothing has been written to the caller's destination buffer.
 * <p>
 * Thread-safety: immutable once constructed.
 */
public class UnregisteredClassException extends CodecException
{
    private static final long serialVersionUID = 1L;

    private final transient Class<?> unregisteredClass;

    /**
     * @param unregisteredClass the class found in the object graph that has no registration.
     * @param whereFound        Kryo's serialization trace (field path) or {@code null} when the class is the root.
     */
    public UnregisteredClassException(final Class<?> unregisteredClass, final String whereFound)
    {
        super(message(unregisteredClass, whereFound));
        this.unregisteredClass = unregisteredClass;
    }

    /**
     * @return the class that has no registration.
     */
    public Class<?> unregisteredClass()
    {
        return unregisteredClass;
    }

    private static String message(final Class<?> type, final String whereFound)
    {
        final String simpleName = type.getSimpleName().isEmpty() ? type.getName() : type.getSimpleName();
        final StringBuilder sb = new StringBuilder(256)
            .append("Class ").append(type.getName())
            .append(" is not registered with the codec, so it cannot be sent between processes; ")
            .append("register it with ActorSystemConfig.builder().register(").append(simpleName).append(".class)")
            .append(" (every process must register the same classes in the same order).");

        if (type.isSynthetic() || type.isAnonymousClass())
        {
            sb.append(" A lambda travels only if it is Serializable (the handler interfaces of Behaviors are);")
                .append(" an anonymous class must be registered like any other. (A codec built without")
                .append(" capturingClassesByName, which the actor system sets, also needs a lambda's declaring class")
                .append(" registered.)");
        }
        if (null != whereFound && !whereFound.isBlank())
        {
            sb.append(" Found at: ").append(whereFound.strip().replace('\n', ' '));
        }

        return sb.toString();
    }
}
