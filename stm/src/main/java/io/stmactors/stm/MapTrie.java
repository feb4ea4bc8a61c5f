package io.stmactors.stm;

import java.util.Arrays;

/**
 * The storage of a {@link TMap}: a hash trie whose every node slot is a {@link TRef}, so that a
 * transaction touches only the slots on the path to its key.
 *
 * <h2>Layout</h2>
 * <pre>
 *   root: TRef[32]  (index = hash bits 0..4)
 *     slot -> Leaf                      up to LEAF_MAX entries, immutable: (hash, key, cell)
 *     slot -> branch: TRef[16]          (index = the next 4 hash bits)
 *                slot -> Leaf | branch  ... down to hash bit 31
 *   cell: TRef (a MapCell) holding one entry's value
 * </pre>
 * A leaf is immutable, but it holds each value in a cell of its own, a {@link TRef} created with
 * the entry: replacing the value of a key present writes only that cell (no allocation, and no
 * conflict with writers of other keys in the same leaf); inserting or removing a key writes a new
 * leaf into the one slot that holds it, and a split or a clear moves or drops cells, never copies
 * them. A leaf that would exceed {@link #LEAF_MAX} entries is replaced by a branch (a new array of
 * fresh TRefs, partitioned by the next hash bits); only that slot is written. A slot that holds
 * a branch keeps it for the life of the map ({@link #clear} empties the leaves and keeps the
 * branches), which gives the invariant the operations outside a transaction rely on: <b>a key
 * lives in exactly one slot at any time, the first slot on its path that holds a leaf, and slots
 * above it never change again.</b>
 *
 * <p>A cell counts only while the leaf in its slot lists it; a removed key's cell is dropped with
 * the old leaf. So a lookup outside a transaction is a chain of single atomic reads ending with the
 * cell, linearizable at the last one (or, if the cell was dropped in between, at the instant just
 * before the drop); and replacing the value of a key present is one write of its cell under the
 * cell's lock, made only after checking that the slot still holds the leaf that lists the cell
 * ({@code TxnDescriptor.replaceAttached}). A removal reads the cell it drops, so the two are
 * ordered by the cell's lock; if the slot changed in between (an insertion, a split, a clear), the
 * check fails and the caller looks again. An insertion outside a transaction
 * ({@code TxnDescriptor.replaceAndAdd}) locks the slot only while it still holds the very leaf the
 * grown one (or the branch it splits into) was copied from (leaves are immutable, so nothing written
 * in between is lost).
 *
 * <h2>Threading</h2>
 * Thread-safe: nodes are immutable; every mutable cell is a TRef. Methods that read several slots
 * ({@link #collect()}) must run inside a transaction to see one consistent state; the caller
 * ({@link TMap}) arranges that.
 */
final class MapTrie {
    static final int ROOT_BITS = 5;
    static final int ROOT_SIZE = 1 << ROOT_BITS;
    static final int BRANCH_BITS = 4;
    static final int BRANCH_SIZE = 1 << BRANCH_BITS;
    /**
     * Entries a leaf holds before it splits (unless the hash bits are exhausted). A split leaves
     * 16 leaves of about LEAF_MAX / 16 entries, each with a slot of its own, which fill up to
     * LEAF_MAX before the next split. At 16, a map just past a split spent a slot and a leaf (about
     * 130 bytes, and three or four more cache lines on a lookup) on every one or two entries: 16,384
     * entries took 2.0 MiB (1.6 MiB at 32, keys not counted) and lookups, replacing puts and
     * insertions all ran 4-48% faster at 32 ({@code MapGetBench}, {@code MapPutBench},
     * {@code MapInsertBench}, with the random spread used then). Larger leaves cost longer scans
     * and copies and more conflicts between insertions of different keys (two threads inserting
     * 20,000 keys each, in transactions: 3 aborts at 16, 5-7 at 32, 21-47 at 48).
     */
    static final int LEAF_MAX = 32;

    /** Diagnostics name of the owning map, or null. */
    final String name;
    private final TRef<Object>[] root;

    @SuppressWarnings("unchecked")
    MapTrie(String name) {
        this.name = name;
        this.root = (TRef<Object>[]) new TRef<?>[ROOT_SIZE];
        for (int i = 0; i < ROOT_SIZE; i++) {
            root[i] = newSlot(name == null ? null : name + "[" + i + "]", Leaf.EMPTY_ROOT);
        }
    }

    /**
     * The trie's hash of a key's {@code hashCode}: Fibonacci hashing (the product with 2^32 / the
     * golden ratio), bit-reversed because the trie indexes from the low bits. A bijection. Its top
     * bits depend on every bit of {@code h} (a product carries only upwards), so hash codes that
     * differ only in high bits (a {@code Double}'s, say) still spread; and consecutive hash codes
     * (sequential ids, small {@code Integer} keys) land evenly, not at random: 16,384 of them put
     * 511-513 keys under each root slot and 31-33 in each slot of the next level, where a random
     * hash (murmur3's finalizer, used before) leaves many slots over {@link #LEAF_MAX}, to be
     * split into a branch of nearly empty leaves.
     */
    static int spread(int h) {
        return Integer.reverse(h * 0x9E3779B9);
    }

    /**
     * Reads {@code ref} in the running transaction {@code txn}, or, when {@code txn} is null, as
     * a single atomic read. Callers look the transaction up once per operation, not once per level.
     */
    static Object read(TxnDescriptor txn, TRef<?> ref) {
        return txn != null ? txn.readRef(ref) : TxnDescriptor.readSingle(ref);
    }

    /** The slot that holds (or would hold) the key with spread hash {@code h}. */
    TRef<Object> locate(TxnDescriptor txn, int h) {
        TRef<Object> ref = root[h & (ROOT_SIZE - 1)];
        int shift = ROOT_BITS;
        for (Object node = read(txn, ref); node instanceof TRef<?>[] children; node = read(txn, ref)) {
            ref = branchChild(children, (h >>> shift) & (BRANCH_SIZE - 1));
            shift += BRANCH_BITS;
        }
        return ref;
    }

    /** The leaf that holds (or would hold) hash {@code h}; one atomic read per level. */
    Leaf leafFor(TxnDescriptor txn, int h) {
        Object node = read(txn, root[h & (ROOT_SIZE - 1)]);
        int shift = ROOT_BITS;
        while (node instanceof TRef<?>[] children) {
            node = read(txn, children[(h >>> shift) & (BRANCH_SIZE - 1)]);
            shift += BRANCH_BITS;
        }
        return (Leaf) node;
    }

    /**
     * Writes {@code leaf} into {@code slot}, splitting it into a branch first when it is over
     * {@link #LEAF_MAX} entries and hash bits remain. Call inside a transaction.
     */
    void store(TRef<Object> slot, Leaf leaf) {
        slot.set(grown(leaf));
    }

    /** What a slot gets for {@code leaf}: the leaf, or the branch it splits into when it is over {@link #LEAF_MAX}. */
    Object grown(Leaf leaf) {
        return leaf.size() > LEAF_MAX && leaf.shift < 32 ? split(leaf) : leaf;
    }

    private TRef<Object>[] split(Leaf leaf) {
        int shift = leaf.shift;
        int[] counts = new int[BRANCH_SIZE];
        for (int i = 0; i < leaf.size(); i++) {
            counts[(leaf.hashes[i] >>> shift) & (BRANCH_SIZE - 1)]++;
        }
        Leaf[] parts = new Leaf[BRANCH_SIZE];
        for (int c = 0; c < BRANCH_SIZE; c++) {
            int n = counts[c];
            // about one part in eight of a leaf just over LEAF_MAX is empty: they share one leaf
            parts[c] = n == 0 ? Leaf.empty(shift + BRANCH_BITS) : new Leaf(shift + BRANCH_BITS, new int[n], new Object[2 * n]);
        }
        int[] fill = new int[BRANCH_SIZE];
        for (int i = 0; i < leaf.size(); i++) {
            int c = (leaf.hashes[i] >>> shift) & (BRANCH_SIZE - 1);
            Leaf p = parts[c];
            int j = fill[c]++;
            p.hashes[j] = leaf.hashes[i];
            p.entries[2 * j] = leaf.entries[2 * i];
            p.entries[2 * j + 1] = leaf.entries[2 * i + 1];
        }
        @SuppressWarnings("unchecked")
        TRef<Object>[] children = (TRef<Object>[]) new TRef<?>[BRANCH_SIZE];
        String prefix = name == null ? null : slotName(leaf);
        for (int c = 0; c < BRANCH_SIZE; c++) {
            Leaf p = parts[c];
            // All entries may share the next hash bits: split again until they spread out.
            Object node = p.size() > LEAF_MAX && p.shift < 32 ? split(p) : p;
            children[c] = newSlot(prefix == null ? null : prefix + "." + c + "]", node);
        }
        return children;
    }

    /** "name[3.7" for the slot of a leaf: the path of child indices taken from a member's hash. */
    private String slotName(Leaf leaf) {
        int h = leaf.size() > 0 ? leaf.hashes[0] : 0;
        StringBuilder sb = new StringBuilder(name).append('[').append(h & (ROOT_SIZE - 1));
        for (int s = ROOT_BITS; s < leaf.shift; s += BRANCH_BITS) {
            sb.append('.').append((h >>> s) & (BRANCH_SIZE - 1));
        }
        return sb.toString();
    }

    private static TRef<Object> newSlot(String name, Object node) {
        return name == null ? new TRef<>(node) : TRef.named(name, node);
    }

    /**
     * Every entry, as {@code [k0, v0, k1, v1, ...]}. Reads every slot and every cell: call inside
     * a transaction for a consistent snapshot.
     */
    Object[] collect() {
        Object[] out = new Object[16];
        int n = 0;
        Object[] stack = new Object[64];
        int top = 0;
        for (int i = ROOT_SIZE - 1; i >= 0; i--) {
            stack[top++] = root[i];
        }
        while (top > 0) {
            @SuppressWarnings("unchecked")
            TRef<Object> ref = (TRef<Object>) stack[--top];
            Object node = ref.get();
            if (node instanceof TRef<?>[] children) {
                if (top + BRANCH_SIZE > stack.length) {
                    stack = Arrays.copyOf(stack, stack.length * 2);
                }
                for (int c = BRANCH_SIZE - 1; c >= 0; c--) {
                    stack[top++] = children[c];
                }
            } else {
                Leaf leaf = (Leaf) node;
                int size = leaf.size();
                if (n + 2 * size > out.length) {
                    out = Arrays.copyOf(out, Math.max(out.length * 2, n + 2 * size));
                }
                for (int i = 0; i < size; i++) {
                    out[n++] = leaf.key(i);
                    out[n++] = leaf.cell(i).get();
                }
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /**
     * Empties every leaf that is not empty already, keeping the branches (as
     * {@code ConcurrentHashMap.clear} keeps its table): slots that hold a branch never change. Call
     * inside a transaction; it writes one slot per non-empty leaf.
     */
    void clear() {
        Object[] stack = new Object[64];
        int top = 0;
        for (TRef<Object> slot : root) {
            stack[top++] = slot;
        }
        while (top > 0) {
            @SuppressWarnings("unchecked")
            TRef<Object> slot = (TRef<Object>) stack[--top];
            Object node = slot.get();
            if (node instanceof TRef<?>[] children) {
                if (top + BRANCH_SIZE > stack.length) {
                    stack = Arrays.copyOf(stack, stack.length * 2);
                }
                for (TRef<?> child : children) {
                    stack[top++] = child;
                }
            } else if (((Leaf) node).size() != 0) {
                slot.set(Leaf.empty(((Leaf) node).shift));
            }
        }
    }

    /**
     * A branch is its array of 16 child slots itself (no wrapper object: one memory access less per
     * level), fixed for the life of the map.
     */
    @SuppressWarnings("unchecked")
    private static TRef<Object> branchChild(TRef<?>[] children, int index) {
        return (TRef<Object>) children[index];
    }

    /**
     * Up to {@link #LEAF_MAX} entries (more once the hash bits are exhausted): each key's spread
     * hash, and the key with the cell that holds its value side by side in one array (a lookup
     * reads one cache line less than with separate arrays). Immutable (the cells are not).
     */
    static final class Leaf {
        private static final int[] NO_HASHES = new int[0];
        private static final Object[] NO_ENTRIES = new Object[0];
        static final Leaf EMPTY_ROOT = new Leaf(ROOT_BITS, NO_HASHES, NO_ENTRIES);

        /** The empty leaf of each depth (shift); shared: a leaf is immutable. */
        private static final Leaf[] EMPTY = new Leaf[34]; // shifts 5, 9, ..., 33

        static {
            for (int shift = 0; shift < EMPTY.length; shift++) {
                EMPTY[shift] = shift == ROOT_BITS ? EMPTY_ROOT : new Leaf(shift, NO_HASHES, NO_ENTRIES);
            }
        }

        /** An empty leaf at depth {@code shift}. */
        static Leaf empty(int shift) {
            return EMPTY[shift];
        }

        /** The shift at which this leaf's entries are partitioned if it splits. */
        final int shift;
        final int[] hashes;
        /** {@code [key0, cell0, key1, cell1, ...]}. */
        final Object[] entries;

        Leaf(int shift, int[] hashes, Object[] entries) {
            this.shift = shift;
            this.hashes = hashes;
            this.entries = entries;
        }

        int size() {
            return hashes.length;
        }

        Object key(int i) {
            return entries[2 * i];
        }

        @SuppressWarnings("unchecked")
        TRef<Object> cell(int i) {
            return (TRef<Object>) entries[2 * i + 1];
        }

        /** Position of {@code key} (with spread hash {@code h}), or -1. */
        int find(int h, Object key) {
            int[] hs = hashes;
            for (int i = 0; i < hs.length; i++) {
                if (hs[i] == h) {
                    Object k = entries[2 * i];
                    if (k == key || k.equals(key)) {
                        return i;
                    }
                }
            }
            return -1;
        }

        /** A copy with one more entry. */
        Leaf plus(int h, Object key, TRef<Object> cell) {
            int n = hashes.length;
            int[] hs = Arrays.copyOf(hashes, n + 1);
            Object[] es = Arrays.copyOf(entries, 2 * n + 2);
            hs[n] = h;
            es[2 * n] = key;
            es[2 * n + 1] = cell;
            return new Leaf(shift, hs, es);
        }

        /** A copy without the entry at {@code i}. */
        Leaf minus(int i) {
            int n = hashes.length - 1;
            if (n == 0) {
                return empty(shift);
            }
            int[] hs = new int[n];
            Object[] es = new Object[2 * n];
            System.arraycopy(hashes, 0, hs, 0, i);
            System.arraycopy(hashes, i + 1, hs, i, n - i);
            System.arraycopy(entries, 0, es, 0, 2 * i);
            System.arraycopy(entries, 2 * i + 2, es, 2 * i, 2 * (n - i));
            return new Leaf(shift, hs, es);
        }
    }
}
