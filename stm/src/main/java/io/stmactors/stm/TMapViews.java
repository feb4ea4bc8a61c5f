package io.stmactors.stm;

import java.util.AbstractCollection;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Predicate;

/**
 * The {@link TMap#keySet()}, {@link TMap#values()} and {@link TMap#entrySet()} views.
 *
 * <p>Single-element operations delegate to the map. Iterators walk a snapshot taken when they are
 * created ({@link SnapshotIterator}); so do spliterators (and streams), whose size is that of the
 * snapshot: the default one would report {@code size()}, read in another transaction, and a
 * concurrent insertion or removal in between made {@code stream().toArray()} throw. Bulk operations inherited from {@code AbstractCollection} /
 * {@code AbstractSet} (which combine several calls) run inside {@link Stm#atomic}, so that each
 * call on a view is atomic outside a transaction, as on the map. Thread-safe: views hold no state
 * but their map.
 */
final class TMapViews {
    private TMapViews() {
    }

    /**
     * {@code AbstractSet.removeAll} for a set of the map's keys ({@link KeySet}, {@link TSet}), whose
     * {@code remove(null)} throws: a null in {@code c} is skipped, as it equals no key
     * ({@code Collection.removeAll} may throw only for nulls of this collection). Call in a transaction.
     */
    static boolean removeAll(Collection<?> keys, Collection<?> c) {
        Objects.requireNonNull(c, "c");
        boolean modified = false;
        if (keys.size() > c.size()) {
            for (Object o : c) {
                if (o != null) {
                    modified |= keys.remove(o);
                }
            }
        } else {
            for (Iterator<?> it = keys.iterator(); it.hasNext(); ) {
                if (c.contains(it.next())) {
                    it.remove();
                    modified = true;
                }
            }
        }
        return modified;
    }

    /** Walks {@code [k0, v0, k1, v1, ...]}; {@code remove()} removes the last key from the map. */
    abstract static class SnapshotIterator<K, V, E> implements Iterator<E> {
        private final TMap<K, V> map;
        private final Object[] kv;
        private int next;
        private int last = -1;

        SnapshotIterator(TMap<K, V> map) {
            this.map = map;
            this.kv = map.entries();
        }

        @Override
        public boolean hasNext() {
            return next < kv.length;
        }

        @Override
        public E next() {
            if (next >= kv.length) {
                throw new NoSuchElementException();
            }
            last = next;
            next += 2;
            @SuppressWarnings("unchecked") K k = (K) kv[last];
            @SuppressWarnings("unchecked") V v = (V) kv[last + 1];
            return element(k, v);
        }

        abstract E element(K key, V value);

        /** A spliterator over this iterator's snapshot, sized by it. */
        Spliterator<E> spliterator(int characteristics) {
            return Spliterators.spliterator(this, (kv.length - next) / 2, characteristics);
        }

        @Override
        public void remove() {
            if (last < 0) {
                throw new IllegalStateException("next() has not been called, or remove() was already called");
            }
            map.remove(kv[last]);
            last = -1;
        }
    }

    static final class KeySet<K, V> extends AbstractSet<K> {
        private final TMap<K, V> map;

        KeySet(TMap<K, V> map) {
            this.map = map;
        }

        @Override
        public Iterator<K> iterator() {
            return new SnapshotIterator<K, V, K>(map) {
                @Override
                K element(K key, V value) {
                    return key;
                }
            };
        }

        @Override
        public Spliterator<K> spliterator() {
            return ((SnapshotIterator<K, V, K>) iterator()).spliterator(Spliterator.DISTINCT | Spliterator.NONNULL);
        }

        @Override public int size() { return map.size(); }
        @Override public boolean isEmpty() { return map.isEmpty(); }
        @Override public boolean contains(Object o) { return map.containsKey(o); }
        @Override public boolean remove(Object o) { return map.remove(o) != null; }
        @Override public void clear() { map.clear(); }
        @Override public Object[] toArray() { return Stm.atomic(() -> super.toArray()); }
        @Override public <T> T[] toArray(T[] a) { return Stm.atomic(() -> super.toArray(a)); }
        @Override public boolean containsAll(Collection<?> c) { return Stm.atomic(() -> super.containsAll(c)); }
        @Override public boolean removeAll(Collection<?> c) { return Stm.atomic(() -> TMapViews.removeAll(this, c)); }
        @Override public boolean retainAll(Collection<?> c) { return Stm.atomic(() -> super.retainAll(c)); }
        @Override public boolean removeIf(Predicate<? super K> p) { return Stm.atomic(() -> super.removeIf(p)); }
        @Override public boolean equals(Object o) { return o == this || Stm.atomic(() -> super.equals(o)); }
        @Override public int hashCode() { return Stm.atomic(() -> super.hashCode()); }
        @Override public String toString() { return Stm.atomic(() -> super.toString()); }
    }

    static final class Values<K, V> extends AbstractCollection<V> {
        private final TMap<K, V> map;

        Values(TMap<K, V> map) {
            this.map = map;
        }

        @Override
        public Iterator<V> iterator() {
            return new SnapshotIterator<K, V, V>(map) {
                @Override
                V element(K key, V value) {
                    return value;
                }
            };
        }

        @Override
        public Spliterator<V> spliterator() {
            return ((SnapshotIterator<K, V, V>) iterator()).spliterator(Spliterator.NONNULL);
        }

        @Override public int size() { return map.size(); }
        @Override public boolean isEmpty() { return map.isEmpty(); }
        @Override public boolean contains(Object o) { return map.containsValue(o); }
        @Override public void clear() { map.clear(); }
        @Override public boolean remove(Object o) { return Stm.atomic(() -> super.remove(o)); }
        @Override public Object[] toArray() { return Stm.atomic(() -> super.toArray()); }
        @Override public <T> T[] toArray(T[] a) { return Stm.atomic(() -> super.toArray(a)); }
        @Override public boolean containsAll(Collection<?> c) { return Stm.atomic(() -> super.containsAll(c)); }
        @Override public boolean removeAll(Collection<?> c) { return Stm.atomic(() -> super.removeAll(c)); }
        @Override public boolean retainAll(Collection<?> c) { return Stm.atomic(() -> super.retainAll(c)); }
        @Override public boolean removeIf(Predicate<? super V> p) { return Stm.atomic(() -> super.removeIf(p)); }
        @Override public String toString() { return Stm.atomic(() -> super.toString()); }
    }

    static final class EntrySet<K, V> extends AbstractSet<Map.Entry<K, V>> {
        private final TMap<K, V> map;

        EntrySet(TMap<K, V> map) {
            this.map = map;
        }

        @Override
        public Iterator<Map.Entry<K, V>> iterator() {
            return new SnapshotIterator<K, V, Map.Entry<K, V>>(map) {
                @Override
                Map.Entry<K, V> element(K key, V value) {
                    return new Entry<>(map, key, value);
                }
            };
        }

        @Override
        public Spliterator<Map.Entry<K, V>> spliterator() {
            return ((SnapshotIterator<K, V, Map.Entry<K, V>>) iterator())
                    .spliterator(Spliterator.DISTINCT | Spliterator.NONNULL);
        }

        @Override public int size() { return map.size(); }
        @Override public boolean isEmpty() { return map.isEmpty(); }
        @Override public void clear() { map.clear(); }

        @Override
        public boolean contains(Object o) {
            if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null || e.getValue() == null) {
                return false;
            }
            return e.getValue().equals(map.get(e.getKey()));
        }

        @Override
        public boolean remove(Object o) {
            if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null || e.getValue() == null) {
                return false;
            }
            return map.remove(e.getKey(), e.getValue());
        }

        @Override public Object[] toArray() { return Stm.atomic(() -> super.toArray()); }
        @Override public <T> T[] toArray(T[] a) { return Stm.atomic(() -> super.toArray(a)); }
        @Override public boolean containsAll(Collection<?> c) { return Stm.atomic(() -> super.containsAll(c)); }
        @Override public boolean removeAll(Collection<?> c) { return Stm.atomic(() -> super.removeAll(c)); }
        @Override public boolean retainAll(Collection<?> c) { return Stm.atomic(() -> super.retainAll(c)); }
        @Override public boolean removeIf(Predicate<? super Map.Entry<K, V>> p) { return Stm.atomic(() -> super.removeIf(p)); }
        @Override public boolean equals(Object o) { return o == this || Stm.atomic(() -> super.equals(o)); }
        @Override public int hashCode() { return Stm.atomic(() -> super.hashCode()); }
        @Override public String toString() { return Stm.atomic(() -> super.toString()); }
    }

    /** An entry of a snapshot; {@code setValue} writes through to the map. */
    static final class Entry<K, V> implements Map.Entry<K, V> {
        private final TMap<K, V> map;
        private final K key;
        private V value;

        Entry(TMap<K, V> map, K key, V value) {
            this.map = map;
            this.key = key;
            this.value = value;
        }

        @Override public K getKey() { return key; }
        @Override public V getValue() { return value; }

        /** Puts {@code newValue} into the map under this key; returns the value this entry held. */
        @Override
        public V setValue(V newValue) {
            Objects.requireNonNull(newValue, "value");
            V old = value;
            map.put(key, newValue);
            value = newValue;
            return old;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Map.Entry<?, ?> e && key.equals(e.getKey()) && value.equals(e.getValue());
        }

        @Override
        public int hashCode() {
            return key.hashCode() ^ value.hashCode();
        }

        @Override
        public String toString() {
            return key + "=" + value;
        }
    }
}
