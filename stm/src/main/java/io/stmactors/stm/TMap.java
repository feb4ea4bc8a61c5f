package io.stmactors.stm;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A transactional hash map: every operation joins the running transaction, or, outside a
 * transaction, is atomic on its own.
 *
 * <pre>{@code
 * TMap<String, Long> balances = TMap.named("balances");
 * Stm.atomic(() -> {
 *     balances.merge("alice", -10L, Long::sum);
 *     balances.merge("bob", 10L, Long::sum);
 * });
 * }</pre>
 *
 * <h2>Design</h2>
 * <b>Storage.</b> A hash trie of {@link TRef} slots ({@link MapTrie}): a root of 32 slots, each
 * holding an immutable leaf of up to 48 entries or a branch of 16 more slots; each entry has a
 * {@link TRef} cell of its own ({@link MapCell}: its own lock word, its value in a block of up to 128
 * values shared with the entries created next to it). Replacing the value of a key present writes
 * only that cell: no allocation, and no conflict with writers of other keys. (The shared blocks
 * are for the garbage collector: a put stores into a block that other puts have just made dirty
 * for G1, rather than into a cell of its own; see {@link MapCell}.) Inserting or removing a key
 * rewrites the one slot that holds its leaf; an overfull leaf is replaced by a branch in that same
 * slot. So two transactions on different keys conflict only when at least one of them inserts or
 * removes and their keys share a leaf: at first (a near-empty map has 32 leaves), then with a
 * probability of about one over the number of leaves as the map grows. (ScalaSTM's {@code TMap},
 * whose trie this follows in spirit, copies the leaf on every write instead, so every replacement
 * allocates and conflicts with every other write to its leaf.)
 *
 * <p><b>Size.</b> Insertions and removals add to a {@link StripedCounter}: the stripe is chosen by
 * the calling thread, so two threads inserting never write the same counter (up to
 * {@link StripedCounter#STRIPES} threads). {@link #size()} sums the stripes: exact, in
 * O(stripes) = O(1), and inside a transaction it conflicts with concurrent insertions and
 * removals (a transaction that asked for the size depends on all of them), never the reverse for
 * two writers.
 *
 * <p><b>Single operations outside a transaction.</b> {@link #get} and {@link #containsKey} read
 * the path to their key one slot at a time, then the key's cell, without starting a transaction:
 * slots above a key's leaf never change (see {@link MapTrie}), so the last read is the
 * linearization point. A {@link #put} that replaces the value of a key present locks the key's
 * cell, checks that its slot still lists it and writes it, also without a transaction (as
 * {@code ConcurrentHashMap} writes a node's value in place). A {@link #put} of a new key writes
 * the grown leaf (or the branch it splits into) into its slot and one more into the thread's size
 * stripe, both locked, in one atomic step, also without a transaction (as ScalaSTM swaps a copied
 * leaf); removals and the other updates run as a transaction of their own.
 *
 * <p><b>Iteration and snapshots.</b> Iterators of {@link #keySet()}, {@link #values()} and
 * {@link #entrySet()} copy the entries when they are created (O(n)): inside a transaction that
 * copy is part of it (a consistent snapshot, and the transaction now conflicts with any write to
 * the map); outside, the copy is taken in a read-only transaction of its own. Iterators never
 * throw {@code ConcurrentModificationException}; {@code Iterator.remove()} and
 * {@code Entry.setValue} write through to the map. {@link #snapshot()} is an immutable copy, in
 * O(n). (ScalaSTM's hash trie makes snapshots O(1) by cloning the trie lazily, marking shared
 * nodes and copying them on the next write; that makes every write check for sharing, and was
 * left out here: a copy costs only the caller who asks for it.)
 *
 * <h2>Contracts</h2>
 * <ul>
 *   <li>Keys and values must not be null ({@link NullPointerException}, as in
 *       {@link java.util.concurrent.ConcurrentHashMap}); {@code get(null)} and friends throw too.</li>
 *   <li>Keys must be immutable as far as {@code equals}/{@code hashCode} go; values should be
 *       immutable too (the STM versions the slot, not the object in it).</li>
 *   <li>Functions passed to {@code compute}, {@code merge}, ... may run more than once (a conflict
 *       re-runs the transaction), so they must be free of side effects.</li>
 *   <li>Bulk operations ({@code putAll}, {@code replaceAll}, {@code clear}, {@code equals}, ...)
 *       are one transaction: all or nothing, also inside an enclosing transaction that catches
 *       their exception (closed nesting).</li>
 *   <li>Branches are never merged back: removing keys, or {@link #clear()}, frees the entries,
 *       not the trie's inner slots (as {@code ConcurrentHashMap} keeps its table).</li>
 *   <li>Footprint: an empty map holds 32 slot references and {@link StripedCounter#STRIPES} size
 *       counters (about 2 KB); each branch adds 16 slots; each entry has its value cell (about 48
 *       bytes) and a 4-byte slot in a block of values, besides its share of a leaf. A block lives
 *       as long as any of its entries, so a map that removes most of its keys keeps part of its
 *       blocks. A {@link TSet}'s entries share one constant cell.</li>
 * </ul>
 *
 * <p>Thread-safe. Equality and hash code follow the {@link Map} contract.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class TMap<K, V> implements Map<K, V> {
    private final MapTrie trie;
    private final StripedCounter count;
    /** The one value of a {@link TSet}'s map, whose entries all share {@link #PRESENT}; else null. */
    private final Object constant;
    /**
     * Where the cells of new entries keep their values; created on first use. Transient: a copy
     * of the map in another process (isolated mode) starts blocks of its own.
     */
    private transient MapCell.Blocks cells;
    // Views, made on first use. Transient: a copy of the map in another process (isolated mode)
    // makes its own, and a map whose views were used can still be shipped.
    private transient Set<K> keySet;
    private transient Collection<V> values;
    private transient Set<Map.Entry<K, V>> entrySet;

    /** An empty map. */
    public TMap() {
        this(null);
    }

    private TMap(String name) {
        this(name, null);
    }

    private TMap(String name, Object constant) {
        this.trie = new MapTrie(name);
        this.count = new StripedCounter(name == null ? null : name + ".size");
        this.constant = constant;
    }

    /**
     * The cell of every entry of a map made by {@link #forSet}: never written (putting the value
     * already there writes nothing), so entries need no cell of their own.
     */
    private static final TRef<Object> PRESENT = new TRef<>(Boolean.TRUE);

    /** A map whose values are all {@code Boolean.TRUE}, sharing one cell: the storage of a {@link TSet}. */
    static <K> TMap<K, Boolean> forSet(String name) {
        return new TMap<>(name, Boolean.TRUE);
    }

    /**
     * An empty map whose internal references are named {@code name[3]}, {@code name[3.7]} (trie
     * slots) and {@code name.size#0} (size stripes) in diagnostics and conflict reports.
     */
    public static <K, V> TMap<K, V> named(String name) {
        return new TMap<>(Objects.requireNonNull(name, "name"));
    }

    /** The name given to {@link #named(String)}, or null. */
    public String name() {
        return trie.name;
    }

    // ------------------------------------------------------------------ queries

    @Override
    public V get(Object key) {
        int h = MapTrie.spread(key.hashCode());
        TxnDescriptor txn = TxnDescriptor.active();
        MapTrie.Leaf leaf = trie.leafFor(txn, h);
        int i = MapTrie.Leaf.find(leaf, h, key);
        return i < 0 ? null : value(txn, leaf, i);
    }

    @Override
    public V getOrDefault(Object key, V defaultValue) {
        V v = get(key);
        return v != null ? v : defaultValue;
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    /** Exact; O(stripes). Inside a transaction it makes it conflict with concurrent insertions. */
    @Override
    public int size() {
        long n = Stm.inTransaction() ? count.sum() : Stm.atomic("TMap.size", count::sum);
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    /** O(n): scans a snapshot. */
    @Override
    public boolean containsValue(Object value) {
        Objects.requireNonNull(value, "value");
        Object[] kv = entries();
        for (int i = 1; i < kv.length; i += 2) {
            if (value.equals(kv[i])) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ single-key updates

    @Override
    public V put(K key, V value) {
        checkEntry(key, value);
        TxnDescriptor d = TxnDescriptor.current();
        if (d.depth == 0) {
            Object old = replaceOutside(d, key, value);
            if (old != NOT_REPLACED) {
                @SuppressWarnings("unchecked")
                V v = (V) old;
                return v;
            }
        }
        return atomically("TMap.put", () -> store(key, value, Mode.ALWAYS));
    }

    /** {@link #replaceOutside}: the key is absent (or the reference is replicated); use a transaction. */
    private static final Object NOT_REPLACED = new Object();

    /**
     * Outside a transaction, the value of a key already present is replaced by one locked write of
     * its cell, made only while the slot holding its leaf still lists it (see {@link MapTrie}): no
     * transaction, no read set, as ScalaSTM does for single operations. A new key is inserted by one
     * atomic two-reference write (the slot gets the grown leaf, the thread's size stripe one more;
     * {@link #insertOutside}), again without a transaction; when the grown leaf is over
     * {@link MapTrie#LEAF_MAX} entries, the slot gets the branch it splits into instead (fresh slots
     * holding the same cells), as a transaction would write it. Any write to a replicated map is left
     * to a transaction: returns {@link #NOT_REPLACED}; a new key returns null. {@code d} is this thread's
     * descriptor, with no transaction running.
     */
    private Object replaceOutside(TxnDescriptor d, K key, V value) {
        int h = MapTrie.spread(key.hashCode());
        TRef<Object> fresh = null; // the new key's cell, made once for all the attempts
        for (;;) {
            TRef<Object> slot = trie.locate(null, h);
            if (!(TxnDescriptor.readSingle(slot) instanceof MapTrie.Leaf leaf)) {
                continue; // the slot split since locate read it: look again
            }
            int i = MapTrie.Leaf.find(leaf, h, key);
            if (i < 0) {
                if (fresh == null) {
                    fresh = newCellOutside(d, key, value);
                }
                Object done = insertOutside(d, slot, leaf, h, key, fresh);
                if (done == null) {
                    return null;
                }
                if (done == TxnDescriptor.UNSUPPORTED) {
                    return forget(fresh, NOT_REPLACED);
                }
                Thread.onSpinWait(); // DETACHED: the slot changed or a lock was busy; look again
                continue;
            }
            if (fresh != null) {
                forget(fresh, null); // another thread inserted the key meanwhile
                fresh = null;
            }
            TRef<Object> cell = MapTrie.Leaf.cell(leaf, i);
            if (cell == PRESENT) {
                return constantPut(value);
            }
            Object old = TxnDescriptor.replaceAttached(cell, value, slot, leaf);
            if (old == TxnDescriptor.UNSUPPORTED) {
                return NOT_REPLACED;
            }
            if (old != TxnDescriptor.DETACHED) {
                return old;
            }
            // DETACHED: an insertion, a removal, a split or a clear replaced the leaf; look again.
            Thread.onSpinWait();
        }
    }

    /**
     * Inserts {@code key} with its new cell into {@code slot}, if the slot still holds {@code leaf},
     * as one atomic write of the slot and of this thread's size stripe: null when done,
     * {@code TxnDescriptor.DETACHED} when the slot changed or a lock was busy (nothing written),
     * {@code TxnDescriptor.UNSUPPORTED} for a replicated map. The grown leaf is built with the slot
     * locked, which lets it share the hash array of {@code leaf} ({@link MapTrie.Leaf#plusLocked}).
     * Kept out of {@link #replaceOutside}, whose loop is the path of every replacement.
     */
    private Object insertOutside(TxnDescriptor d, TRef<Object> slot, MapTrie.Leaf leaf, int h, Object key,
                                 TRef<Object> cell) {
        TLong stripe = count.stripe(d.slot);
        if (TxnDescriptor.isReplicated(slot, stripe)) {
            return TxnDescriptor.UNSUPPORTED;
        }
        long word = TxnDescriptor.lockHolding(slot, leaf);
        if (word == TxnDescriptor.NOT_LOCKED) {
            return TxnDescriptor.DETACHED;
        }
        Object node;
        try {
            node = trie.grown(MapTrie.Leaf.plusLocked(leaf, h, key, cell));
        } catch (Throwable t) {
            TxnDescriptor.unlockHolder(slot, word); // out of memory, say: leave the slot as it was
            throw t;
        }
        return TxnDescriptor.replaceLockedAndAdd(d, slot, word, node, stripe, 1);
    }

    /** A put into a {@link TSet}'s map of a key present: its value is the constant already there. */
    private Object constantPut(Object value) {
        if (value != constant) {
            throw new IllegalStateException("a set's map holds only " + constant);
        }
        return constant;
    }

    @Override
    public V putIfAbsent(K key, V value) {
        checkEntry(key, value);
        return atomically("TMap.putIfAbsent", () -> store(key, value, Mode.IF_ABSENT));
    }

    @Override
    public V replace(K key, V value) {
        checkEntry(key, value);
        return atomically("TMap.replace", () -> store(key, value, Mode.IF_PRESENT));
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        checkEntry(key, newValue);
        Objects.requireNonNull(oldValue, "oldValue");
        return atomically("TMap.replace", () -> {
            V current = get(key);
            if (!oldValue.equals(current)) {
                return false;
            }
            store(key, newValue, Mode.ALWAYS);
            return true;
        });
    }

    @Override
    public V remove(Object key) {
        Objects.requireNonNull(key, "key");
        return atomically("TMap.remove", () -> delete(key, null));
    }

    @Override
    public boolean remove(Object key, Object value) {
        Objects.requireNonNull(key, "key");
        if (value == null) {
            return false;
        }
        return atomically("TMap.remove", () -> delete(key, value) != null);
    }

    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(mappingFunction, "mappingFunction");
        return atomically("TMap.computeIfAbsent", () -> {
            V current = get(key);
            if (current != null) {
                return current;
            }
            V created = mappingFunction.apply(key);
            if (created != null) {
                store(key, created, Mode.ALWAYS);
            }
            return created;
        });
    }

    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        return atomically("TMap.computeIfPresent", () -> {
            V current = get(key);
            return current == null ? null : apply(key, current, remappingFunction.apply(key, current));
        });
    }

    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        return atomically("TMap.compute", () -> {
            V current = get(key);
            return apply(key, current, remappingFunction.apply(key, current));
        });
    }

    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        checkEntry(key, value);
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        return atomically("TMap.merge", () -> {
            V current = get(key);
            return apply(key, current, current == null ? value : remappingFunction.apply(current, value));
        });
    }

    // ------------------------------------------------------------------ bulk operations

    /** All or nothing (one transaction, nested if one is running). */
    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        Objects.requireNonNull(m, "m");
        Stm.atomic("TMap.putAll", () -> {
            for (Map.Entry<? extends K, ? extends V> e : m.entrySet()) {
                put(e.getKey(), e.getValue());
            }
        });
    }

    /** All or nothing; conflicts with every concurrent update of the map. */
    @Override
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
        Objects.requireNonNull(function, "function");
        Stm.atomic("TMap.replaceAll", () -> {
            Object[] kv = trie.collect();
            for (int i = 0; i < kv.length; i += 2) {
                @SuppressWarnings("unchecked") K k = (K) kv[i];
                @SuppressWarnings("unchecked") V v = (V) kv[i + 1];
                V next = Objects.requireNonNull(function.apply(k, v), "replaceAll function returned null");
                if (next != v) {
                    store(k, next, Mode.ALWAYS);
                }
            }
        });
    }

    /** Removes everything; conflicts with every concurrent operation on the map. */
    @Override
    public void clear() {
        Stm.atomic("TMap.clear", () -> {
            trie.clear();
            count.clear();
        });
    }

    /** Calls {@code action} on each entry of a snapshot (taken as for iteration). */
    @Override
    public void forEach(BiConsumer<? super K, ? super V> action) {
        Objects.requireNonNull(action, "action");
        Object[] kv = entries();
        for (int i = 0; i < kv.length; i += 2) {
            @SuppressWarnings("unchecked") K k = (K) kv[i];
            @SuppressWarnings("unchecked") V v = (V) kv[i + 1];
            action.accept(k, v);
        }
    }

    /**
     * An immutable copy of the map, taken in one transaction (joining the running one, if any).
     * O(n) time and memory: the entries are copied into a {@link HashMap}.
     */
    public Map<K, V> snapshot() {
        Object[] kv = entries();
        HashMap<K, V> copy = new HashMap<>(Math.max(4, (int) (kv.length / 2 / 0.75f) + 1));
        for (int i = 0; i < kv.length; i += 2) {
            @SuppressWarnings("unchecked") K k = (K) kv[i];
            @SuppressWarnings("unchecked") V v = (V) kv[i + 1];
            copy.put(k, v);
        }
        return Collections.unmodifiableMap(copy);
    }

    // ------------------------------------------------------------------ views

    /** A view; its iterator walks a snapshot, its other operations go to the map. */
    @Override
    public Set<K> keySet() {
        Set<K> ks = keySet;
        return ks != null ? ks : (keySet = new TMapViews.KeySet<>(this));
    }

    /** A view; its iterator walks a snapshot, its other operations go to the map. */
    @Override
    public Collection<V> values() {
        Collection<V> vs = values;
        return vs != null ? vs : (values = new TMapViews.Values<>(this));
    }

    /** A view; its iterator walks a snapshot, its other operations go to the map. */
    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        Set<Map.Entry<K, V>> es = entrySet;
        return es != null ? es : (entrySet = new TMapViews.EntrySet<>(this));
    }

    // ------------------------------------------------------------------ Object

    /** Map equality, evaluated in one transaction. */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof Map<?, ?> other)) {
            return false;
        }
        return Stm.atomic("TMap.equals", () -> {
            Object[] kv = trie.collect();
            if (other.size() != kv.length / 2) {
                return false;
            }
            try {
                for (int i = 0; i < kv.length; i += 2) {
                    if (!kv[i + 1].equals(other.get(kv[i]))) {
                        return false;
                    }
                }
            } catch (ClassCastException | NullPointerException unused) {
                return false;
            }
            return true;
        });
    }

    /** Sum of the entries' hash codes, over a snapshot. */
    @Override
    public int hashCode() {
        Object[] kv = entries();
        int h = 0;
        for (int i = 0; i < kv.length; i += 2) {
            h += kv[i].hashCode() ^ kv[i + 1].hashCode();
        }
        return h;
    }

    /** {@code {k1=v1, k2=v2}} over a snapshot. */
    @Override
    public String toString() {
        Object[] kv = entries();
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < kv.length; i += 2) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(kv[i] == this ? "(this Map)" : kv[i]).append('=')
                    .append(kv[i + 1] == this ? "(this Map)" : kv[i + 1]);
        }
        return sb.append('}').toString();
    }

    // ------------------------------------------------------------------ internals

    private enum Mode { ALWAYS, IF_ABSENT, IF_PRESENT }

    /** Every entry as {@code [k0, v0, k1, v1, ...]}, read in one transaction. */
    Object[] entries() {
        return Stm.inTransaction() ? trie.collect() : Stm.atomic("TMap.snapshot", trie::collect);
    }

    /**
     * Inside a transaction: maps {@code key} to {@code value} according to {@code mode}; returns the
     * previous value. Writes only the slot holding the key (and a size stripe on insertion).
     */
    private V store(K key, V value, Mode mode) {
        int h = MapTrie.spread(key.hashCode());
        TxnDescriptor txn = TxnDescriptor.active();
        TRef<Object> slot = trie.locate(txn, h);
        MapTrie.Leaf leaf = (MapTrie.Leaf) txn.readRef(slot);
        int i = MapTrie.Leaf.find(leaf, h, key);
        if (i >= 0) {
            V old = value(txn, leaf, i);
            if (mode != Mode.IF_ABSENT && old != value) {
                TRef<Object> cell = MapTrie.Leaf.cell(leaf, i);
                if (cell == PRESENT) {
                    constantPut(value);
                } else {
                    txn.writeRef(cell, value);
                }
            }
            return old;
        }
        if (mode != Mode.IF_PRESENT) {
            trie.store(slot, MapTrie.Leaf.plus(leaf, h, key, newCell(txn, key, value)));
            count.add(1);
        }
        return null;
    }

    /** The cell of a new entry: its own reference, named after the map and key in a named map. */
    private TRef<Object> newCell(TxnDescriptor txn, Object key, Object value) {
        if (constant != null) {
            constantPut(value);
            return PRESENT;
        }
        MapCell<Object> cell = blocks().newCell(txn, cellName(key));
        txn.writeRef(cell, value); // through the redo log: a rolled-back insertion leaves no value behind
        return cell;
    }

    /**
     * The cell of a key inserted outside a transaction, holding {@code value}: not reachable until
     * the insertion publishes the leaf that lists it ({@link #forget} empties it if it never is).
     */
    private TRef<Object> newCellOutside(TxnDescriptor d, Object key, Object value) {
        if (constant != null) {
            constantPut(value);
            return PRESENT;
        }
        MapCell<Object> cell = blocks().newCell(d, cellName(key));
        cell.publish(value, 0L);
        return cell;
    }

    /** Empties a cell made by {@link #newCellOutside} that was never inserted; returns {@code result}. */
    private static Object forget(TRef<Object> cell, Object result) {
        if (cell != null && cell != PRESENT) {
            cell.publish(null, 0L); // its slot is never handed out again: keep no value reachable from it
        }
        return result;
    }

    private MapCell.Blocks blocks() {
        MapCell.Blocks blocks = cells;
        if (blocks == null) {
            // Racy on purpose: two threads may each start a Blocks; both stay valid.
            cells = blocks = new MapCell.Blocks();
        }
        return blocks;
    }

    /** A cell's diagnostics name in a named map ({@code name{key}}), else null. */
    private Object cellName(Object key) {
        String name = trie.name;
        return name == null ? null : new CellName(name, key);
    }

    /**
     * The name of an entry's cell, {@code map{key}}, made only when diagnostics show it: a put
     * never calls the key's {@code toString} (which may be slow, or throw), as a {@code HashMap}'s
     * never does.
     */
    private record CellName(String map, Object key) {
        @Override
        public String toString() {
            String k;
            try {
                k = String.valueOf(key);
            } catch (RuntimeException e) {
                k = key.getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(key));
            }
            return map + "{" + (k.length() > 40 ? k.substring(0, 40) + "..." : k) + "}";
        }
    }

    /** Inside a transaction: removes {@code key} (if mapped to {@code expected}, when non-null). */
    private V delete(Object key, Object expected) {
        int h = MapTrie.spread(key.hashCode());
        TxnDescriptor txn = TxnDescriptor.active();
        TRef<Object> slot = trie.locate(txn, h);
        MapTrie.Leaf leaf = (MapTrie.Leaf) txn.readRef(slot);
        int i = MapTrie.Leaf.find(leaf, h, key);
        if (i < 0) {
            return null;
        }
        // Read even when not needed for the result: a single put outside a transaction that
        // replaces this value and this removal are ordered by the cell (see MapTrie).
        V old = value(txn, leaf, i);
        if (expected != null && !expected.equals(old)) {
            return null;
        }
        slot.set(MapTrie.Leaf.minus(leaf, i));
        count.add(-1);
        return old;
    }

    /** compute/merge's common end: null removes, anything else is stored; returns it. */
    private V apply(K key, V current, V next) {
        if (next == null) {
            if (current != null) {
                delete(key, null);
            }
        } else if (next != current) {
            store(key, next, Mode.ALWAYS);
        }
        return next;
    }

    /** The cell holding the value of {@code key}, or null if absent: for tests. */
    TRef<Object> cellOf(Object key) {
        int h = MapTrie.spread(key.hashCode());
        MapTrie.Leaf leaf = Stm.atomic(() -> trie.leafFor(TxnDescriptor.active(), h));
        int i = MapTrie.Leaf.find(leaf, h, key);
        return i < 0 ? null : MapTrie.Leaf.cell(leaf, i);
    }

    /** The value of entry {@code i} of {@code leaf}: a read of its cell. */
    @SuppressWarnings("unchecked")
    private static <V> V value(TxnDescriptor txn, MapTrie.Leaf leaf, int i) {
        return (V) MapTrie.read(txn, MapTrie.Leaf.cell(leaf, i));
    }

    private static void checkEntry(Object key, Object value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    /** Runs {@code body} in the current transaction, or in a new one named {@code name}. */
    static <T> T atomically(String name, TxnCallable<T> body) {
        if (Stm.inTransaction()) {
            try {
                return body.call();
            } catch (Exception e) {
                throw Stm.sneakyThrow(e);
            }
        }
        return Stm.atomic(name, body);
    }
}
