package io.stmactors.stm;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.function.Predicate;

/**
 * A transactional hash set: a {@link TMap} from elements to {@code Boolean.TRUE}, with the same
 * conflict properties (operations on different elements conflict only when they share a trie
 * leaf; two threads adding never write the same size counter; {@link #size()} is exact, O(1),
 * and inside a transaction conflicts with concurrent additions and removals).
 *
 * <p>Every operation joins the running transaction or, outside one, is atomic on its own; bulk
 * operations ({@code addAll}, {@code removeAll}, {@code retainAll}, {@code removeIf},
 * {@code equals}, ...) are one transaction. Iterators walk a snapshot taken when they are created
 * and never throw {@code ConcurrentModificationException}; {@code Iterator.remove()} writes
 * through. Null elements are rejected ({@link NullPointerException}).
 *
 * <p>Thread-safe. Equality and hash code follow the {@link Set} contract.
 *
 * @param <E> element type
 */
public final class TSet<E> extends AbstractSet<E> implements Set<E> {
    private final TMap<E, Boolean> map;

    /** An empty set. */
    public TSet() {
        this.map = TMap.forSet(null);
    }

    private TSet(TMap<E, Boolean> map) {
        this.map = map;
    }

    /** An empty set whose internal references are named after {@code name} in diagnostics. */
    public static <E> TSet<E> named(String name) {
        return new TSet<>(TMap.forSet(Objects.requireNonNull(name, "name")));
    }

    /** The name given to {@link #named(String)}, or null. */
    public String name() {
        return map.name();
    }

    @Override
    public boolean add(E e) {
        Objects.requireNonNull(e, "element");
        return map.putIfAbsent(e, Boolean.TRUE) == null;
    }

    @Override
    public boolean remove(Object o) {
        return map.remove(o) != null;
    }

    @Override
    public boolean contains(Object o) {
        return map.containsKey(o);
    }

    /** Exact; O(stripes). */
    @Override
    public int size() {
        return map.size();
    }

    @Override
    public boolean isEmpty() {
        return map.isEmpty();
    }

    @Override
    public void clear() {
        map.clear();
    }

    /** Iterates a snapshot taken now (inside a transaction: part of it). */
    @Override
    public Iterator<E> iterator() {
        return map.keySet().iterator();
    }

    /** Over a snapshot taken now, sized by it (see {@link #iterator()}). */
    @Override
    public Spliterator<E> spliterator() {
        return map.keySet().spliterator();
    }

    /** An immutable copy, taken in one transaction; O(n). */
    public Set<E> snapshot() {
        Object[] kv = map.entries();
        HashSet<E> copy = new HashSet<>(Math.max(4, (int) (kv.length / 2 / 0.75f) + 1));
        for (int i = 0; i < kv.length; i += 2) {
            @SuppressWarnings("unchecked") E e = (E) kv[i];
            copy.add(e);
        }
        return Collections.unmodifiableSet(copy);
    }

    @Override public boolean addAll(Collection<? extends E> c) { return Stm.atomic("TSet.addAll", () -> super.addAll(c)); }
    @Override public boolean containsAll(Collection<?> c) { return Stm.atomic("TSet.containsAll", () -> super.containsAll(c)); }
    /** A null in {@code c} removes nothing (no element is null). */
    @Override public boolean removeAll(Collection<?> c) { return Stm.atomic("TSet.removeAll", () -> TMapViews.removeAll(this, c)); }
    @Override public boolean retainAll(Collection<?> c) { return Stm.atomic("TSet.retainAll", () -> super.retainAll(c)); }
    @Override public boolean removeIf(Predicate<? super E> filter) { return Stm.atomic("TSet.removeIf", () -> super.removeIf(filter)); }
    @Override public Object[] toArray() { return Stm.atomic("TSet.toArray", () -> super.toArray()); }
    @Override public <T> T[] toArray(T[] a) { return Stm.atomic("TSet.toArray", () -> super.toArray(a)); }

    /** Set equality, evaluated in one transaction. */
    @Override
    public boolean equals(Object o) {
        return o == this || Stm.atomic("TSet.equals", () -> super.equals(o));
    }

    /** Sum of the elements' hash codes, over a snapshot. */
    @Override
    public int hashCode() {
        Object[] kv = map.entries();
        int h = 0;
        for (int i = 0; i < kv.length; i += 2) {
            h += kv[i].hashCode();
        }
        return h;
    }

    /** {@code [a, b, c]} over a snapshot. */
    @Override
    public String toString() {
        return Stm.atomic("TSet.toString", () -> super.toString());
    }
}
