package io.stmactors.transport;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * User types for codec tests: records, an enum, a class without a no-arg constructor, and lambdas.
 */
final class CodecTestTypes
{
    private CodecTestTypes()
    {
    }

    enum Status
    {
        NEW, PAID, SHIPPED
    }

    record Line(String sku, int quantity, long priceCents)
    {
    }

    record Order(
        UUID id,
        String customer,
        List<Line> lines,
        Map<String, List<Integer>> tags,
        Status status,
        Optional<Instant> due,
        int[] checksums)
    {
        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Order other && id.equals(other.id) && customer.equals(other.customer) &&
                lines.equals(other.lines) && tags.equals(other.tags) && status == other.status &&
                due.equals(other.due) && java.util.Arrays.equals(checksums, other.checksums);
        }

        @Override
        public int hashCode()
        {
            return id.hashCode();
        }
    }

    record Empty()
    {
    }

    /** A mutable class with no no-arg constructor and a self-reference, for the references mode. */
    static final class Node
    {
        final String name;
        Node next;

        Node(final String name)
        {
            this.name = name;
        }
    }

    /** Not registered anywhere. */
    record Unregistered(int value)
    {
    }

    record Holder(Object payload)
    {
    }

    interface SerializableFunction<A, B> extends Function<A, B>, Serializable
    {
    }

    static SerializableFunction<Integer, Integer> adder(final int amount)
    {
        return x -> x + amount;
    }

    static java.util.Comparator<String> reverseOrder()
    {
        return (java.util.Comparator<String> & Serializable)(a, b) -> b.compareTo(a);
    }

    static List<Class<?>> userTypes()
    {
        return List.of(Status.class, Line.class, Order.class, Empty.class, Node.class, Holder.class,
            CodecTestTypes.class, Line[].class, int[][].class);
    }
}
