package io.stmactors.stm;

import java.util.Arrays;

/**
 * The storage of a {@link TMap}: a hash trie whose every node slot is a {@link TRef}, so that a
 * transaction touches only the slots on the path to its key.
 *
 * <h2>Layout</h2>
 * <pre>
 *   root: TRef[32]  (index = hash bits 0..4)
 *     slot -> leaf: Object[]            up to LEAF_MAX entries, immutable:
 *                                       [int[] {shift, hash0, hash1, ...}, key0, cell0, key1, cell1, ...]
 *     slot -> branch: TRef[16]          (index = the next 4 hash bits)
 *                slot -> leaf | branch  ... down to hash bit 31
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
 * ({@code TxnDescriptor.lockHolding}, then {@code replaceLockedAndAdd}) locks the slot only while it
 * still holds the very leaf the grown one (or the branch it splits into) is built from (leaves are
 * immutable, so nothing written in between is lost), and builds it under that lock, which lets the
 * grown leaf share the hash array of the old one ({@link Leaf#plusLocked}).
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
            root[i] = newSlot(name == null ? null : name + "[" + i + "]", Leaf.empty(ROOT_BITS));
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
    Object[] leafFor(TxnDescriptor txn, int h) {
        Object node = read(txn, root[h & (ROOT_SIZE - 1)]);
        int shift = ROOT_BITS;
        while (node instanceof TRef<?>[] children) {
            node = read(txn, children[(h >>> shift) & (BRANCH_SIZE - 1)]);
            shift += BRANCH_BITS;
        }
        return (Object[]) node;
    }

    /**
     * Writes {@code leaf} into {@code slot}, splitting it into a branch first when it is over
     * {@link #LEAF_MAX} entries and hash bits remain. Call inside a transaction.
     */
    void store(TRef<Object> slot, Object[] leaf) {
        slot.set(grown(leaf));
    }

    /** What a slot gets for {@code leaf}: the leaf, or the branch it splits into when it is over {@link #LEAF_MAX}. */
    Object grown(Object[] leaf) {
        return Leaf.size(leaf) > LEAF_MAX && Leaf.shift(leaf) < 32 ? split(leaf) : leaf;
    }

    private TRef<Object>[] split(Object[] leaf) {
        int shift = Leaf.shift(leaf);
        int size = Leaf.size(leaf);
        int[] counts = new int[BRANCH_SIZE];
        for (int i = 0; i < size; i++) {
            counts[(Leaf.hash(leaf, i) >>> shift) & (BRANCH_SIZE - 1)]++;
        }
        Object[][] parts = new Object[BRANCH_SIZE][];
        for (int c = 0; c < BRANCH_SIZE; c++) {
            // about one part in eight of a leaf just over LEAF_MAX is empty: they share one leaf
            parts[c] = Leaf.make(shift + BRANCH_BITS, counts[c]);
        }
        int[] fill = new int[BRANCH_SIZE];
        for (int i = 0; i < size; i++) {
            int h = Leaf.hash(leaf, i);
            int c = (h >>> shift) & (BRANCH_SIZE - 1);
            Leaf.set(parts[c], fill[c]++, h, Leaf.key(leaf, i), Leaf.cell(leaf, i));
        }
        @SuppressWarnings("unchecked")
        TRef<Object>[] children = (TRef<Object>[]) new TRef<?>[BRANCH_SIZE];
        String prefix = name == null ? null : slotName(leaf);
        for (int c = 0; c < BRANCH_SIZE; c++) {
            // All entries may share the next hash bits: split again until they spread out.
            Object node = grown(parts[c]);
            children[c] = newSlot(prefix == null ? null : prefix + "." + c + "]", node);
        }
        return children;
    }

    /** "name[3.7" for the slot of a leaf: the path of child indices taken from a member's hash. */
    private String slotName(Object[] leaf) {
        int h = Leaf.size(leaf) > 0 ? Leaf.hash(leaf, 0) : 0;
        StringBuilder sb = new StringBuilder(name).append('[').append(h & (ROOT_SIZE - 1));
        for (int s = ROOT_BITS; s < Leaf.shift(leaf); s += BRANCH_BITS) {
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
                Object[] leaf = (Object[]) node;
                int size = Leaf.size(leaf);
                if (n + 2 * size > out.length) {
                    out = Arrays.copyOf(out, Math.max(out.length * 2, n + 2 * size));
                }
                for (int i = 0; i < size; i++) {
                    out[n++] = Leaf.key(leaf, i);
                    out[n++] = Leaf.cell(leaf, i).get();
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
            } else if (Leaf.size((Object[]) node) != 0) {
                slot.set(Leaf.empty(Leaf.shift((Object[]) node)));
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
     * A leaf: up to {@link #LEAF_MAX} entries (more once the hash bits are exhausted) in one
     * {@code Object[]}, {@code [meta, key0, cell0, key1, cell1, ...]}, where {@code meta} is an
     * {@code int[]} holding the leaf's depth (the shift at which its entries are partitioned if it
     * splits) and then each key's spread hash. No wrapper object: a lookup goes from the slot
     * straight to this array, one dependent memory access less than through an object holding the
     * two arrays (on a map larger than the caches, each one is a cache miss). Immutable (the cells
     * are not). A branch is a {@code TRef[]}, never an instance of plain {@code Object[]}: the walk
     * tells the two apart with {@code instanceof TRef<?>[]}. The methods here are static, over
     * that array.
     */
    static final class Leaf {
        private Leaf() {
        }

        /** The empty leaf of each depth (shift); shared: a leaf is immutable. */
        private static final Object[][] EMPTY = new Object[34][]; // shifts 5, 9, ..., 33

        static {
            for (int shift = 0; shift < EMPTY.length; shift++) {
                EMPTY[shift] = new Object[] {new int[] {shift}};
            }
        }

        /** An empty leaf at depth {@code shift}. */
        static Object[] empty(int shift) {
            return EMPTY[shift];
        }

        static int[] meta(Object[] leaf) {
            return (int[]) leaf[0];
        }

        /** The shift at which the entries of {@code leaf} are partitioned if it splits. */
        static int shift(Object[] leaf) {
            return meta(leaf)[0];
        }

        static int size(Object[] leaf) {
            return leaf.length >>> 1;
        }

        static int hash(Object[] leaf, int i) {
            return meta(leaf)[1 + i];
        }

        static Object key(Object[] leaf, int i) {
            return leaf[1 + 2 * i];
        }

        @SuppressWarnings("unchecked")
        static TRef<Object> cell(Object[] leaf, int i) {
            return (TRef<Object>) leaf[2 + 2 * i];
        }

        /** Position of {@code key} (with spread hash {@code h}) in {@code leaf}, or -1. */
        static int find(Object[] leaf, int h, Object key) {
            int[] meta = (int[]) leaf[0]; // may be longer than the leaf (see plusLocked)
            for (int i = 1, end = (leaf.length >>> 1) + 1; i < end; i++) {
                if (meta[i] == h) {
                    Object k = leaf[2 * i - 1];
                    if (k == key || k.equals(key)) {
                        return i - 1;
                    }
                }
            }
            return -1;
        }

        /** A leaf of {@code n} entries at depth {@code shift}, to be filled with {@link #set}. */
        static Object[] make(int shift, int n) {
            if (n == 0) {
                return empty(shift);
            }
            int[] meta = new int[1 + n];
            meta[0] = shift;
            Object[] leaf = new Object[1 + 2 * n];
            leaf[0] = meta;
            return leaf;
        }

        /** Sets entry {@code i} of a leaf being built by {@link #make}. */
        static void set(Object[] leaf, int i, int h, Object key, Object cell) {
            ((int[]) leaf[0])[1 + i] = h;
            leaf[1 + 2 * i] = key;
            leaf[2 + 2 * i] = cell;
        }

        /** A copy of {@code leaf} with one more entry. */
        static Object[] plus(Object[] leaf, int h, Object key, TRef<Object> cell) {
            int[] meta = Arrays.copyOf((int[]) leaf[0], leaf.length / 2 + 2);
            meta[meta.length - 1] = h;
            return grownBy(leaf, meta, key, cell);
        }

        /**
         * {@link #plus}, by the holder of the lock of the slot that holds {@code leaf} (outside a
         * transaction): when the hash array of {@code leaf} has room, the grown leaf shares it, its
         * hash written in the first position past {@code leaf}'s; else it gets a copy with room to
         * grow (half as many entries again, up to {@link #LEAF_MAX}). A leaf reads only the hashes of its own
         * entries, written before it was published and never again: the positions past those of the
         * leaf a slot holds are used by no leaf anyone can see (leaves sharing an array hold a prefix
         * of one another, and a slot never gets back a leaf it held), and only the holder of the
         * slot's lock writes them. So insertions outside a transaction copy the keys and cells but,
         * most of the time, not the hashes; a transaction's insertion copies both ({@link #plus}),
         * since it builds its leaf before it holds any lock.
         */
        static Object[] plusLocked(Object[] leaf, int h, Object key, TRef<Object> cell) {
            int n = size(leaf);
            int[] meta = (int[]) leaf[0];
            if (meta.length <= 1 + n) {
                int room = n < LEAF_MAX ? Math.min(LEAF_MAX, Math.max(4, (n + 1) * 3 / 2)) : n + 1;
                meta = Arrays.copyOf(meta, 1 + room);
            }
            meta[1 + n] = h;
            return grownBy(leaf, meta, key, cell);
        }

        private static Object[] grownBy(Object[] leaf, int[] meta, Object key, TRef<Object> cell) {
            Object[] grown = Arrays.copyOf(leaf, leaf.length + 2);
            grown[0] = meta;
            grown[grown.length - 2] = key;
            grown[grown.length - 1] = cell;
            return grown;
        }

        /** A copy of {@code leaf} without the entry at {@code i}. */
        static Object[] minus(Object[] leaf, int i) {
            int n = size(leaf) - 1;
            if (n == 0) {
                return empty(shift(leaf));
            }
            int[] meta = (int[]) leaf[0];
            int[] m = new int[1 + n];
            System.arraycopy(meta, 0, m, 0, 1 + i);
            System.arraycopy(meta, 2 + i, m, 1 + i, n - i);
            Object[] out = new Object[1 + 2 * n];
            out[0] = m;
            System.arraycopy(leaf, 1, out, 1, 2 * i);
            System.arraycopy(leaf, 3 + 2 * i, out, 1 + 2 * i, 2 * (n - i));
            return out;
        }
    }
}
