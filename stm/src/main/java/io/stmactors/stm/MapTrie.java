package io.stmactors.stm;

import java.util.Arrays;

/**
 * The storage of a {@link TMap}: a hash trie whose every node slot is a {@link TRef}, so that a
 * transaction touches only the slots on the path to its key.
 *
 * <h2>Layout</h2>
 * <pre>
 *   root: TRef[32]  (index = hash bits 0..4)
 *     slot -> leaf: Leaf                up to LEAF_MAX entries, immutable: its size and two arrays,
 *                                       int[] {shift, hash0, hash1, ...}, Object[] {key0, cell0, key1, cell1, ...}
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
 * grown leaf share the arrays of the old one ({@link Leaf#plusLocked}).
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
     * {@code MapInsertBench}, with the random spread used then). At 32, the slots below the root of
     * a map of 16,384 consecutive keys held 31-33 entries each, and random keys scatter around 32,
     * so many of them split once more into nearly empty leaves: a third level on the lookups of
     * those keys. At 48 almost none do: gets 12-33% faster, replacing puts 10-20%, and 16,384
     * entries take 70-71 bytes each instead of 81-91 (the same at 147,456; interleaved A/B rounds
     * on 2026-12-03, README "Leaves of up to 48 entries"); 64 was no faster than 48. Larger leaves
     * cost longer scans and copies and more conflicts between insertions of different keys (two
     * threads inserting 20,000 keys each, in transactions: 3 aborts at 16, 5-7 at 32, 21-47 at 48).
     */
    static final int LEAF_MAX = 48;

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
        return Leaf.size(leaf) > LEAF_MAX && Leaf.shift(leaf) < 32 ? split(leaf) : leaf;
    }

    private TRef<Object>[] split(Leaf leaf) {
        int shift = Leaf.shift(leaf);
        int size = Leaf.size(leaf);
        int[] counts = new int[BRANCH_SIZE];
        for (int i = 0; i < size; i++) {
            counts[(Leaf.hash(leaf, i) >>> shift) & (BRANCH_SIZE - 1)]++;
        }
        Leaf[] parts = new Leaf[BRANCH_SIZE];
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
    private String slotName(Leaf leaf) {
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
                Leaf leaf = (Leaf) node;
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
            } else if (Leaf.size((Leaf) node) != 0) {
                slot.set(Leaf.empty(Leaf.shift((Leaf) node)));
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
     * A leaf: up to {@link #LEAF_MAX} entries (more once the hash bits are exhausted). The entries
     * sit in two arrays, {@code hashes = [shift, hash0, hash1, ...]} (the leaf's depth, the shift at
     * which its entries are partitioned if it splits, then each key's spread hash) and
     * {@code kv = [key0, cell0, key1, cell1, ...]}; the leaf object itself holds the two arrays and
     * its size. Immutable as far as anyone can see (the cells are not): the arrays may be longer
     * than the leaf, and the positions past its size may be written for the next leaf of the same
     * slot ({@link #plusLocked}); a leaf reads only its first {@link #size} entries. A branch is a
     * {@code TRef[]}: a walk tells the two apart by type.
     */
    static final class Leaf {
        /** The empty leaf of each depth (shift); shared: it has no room, so no one writes into it. */
        private static final Leaf[] EMPTY = new Leaf[34]; // shifts 5, 9, ..., 33
        private static final Object[] NO_ENTRIES = new Object[0];

        static {
            for (int shift = 0; shift < EMPTY.length; shift++) {
                EMPTY[shift] = new Leaf(new int[] {shift}, NO_ENTRIES, 0);
            }
        }

        /** {@code [shift, hash0, hash1, ...]}; may be longer than the leaf. */
        final int[] hashes;
        /** {@code [key0, cell0, key1, cell1, ...]}; may be longer than the leaf. */
        final Object[] kv;
        final int size;

        private Leaf(int[] hashes, Object[] kv, int size) {
            this.hashes = hashes;
            this.kv = kv;
            this.size = size;
        }

        /** An empty leaf at depth {@code shift}. */
        static Leaf empty(int shift) {
            return EMPTY[shift];
        }

        static int[] meta(Leaf leaf) {
            return leaf.hashes;
        }

        /** The shift at which the entries of {@code leaf} are partitioned if it splits. */
        static int shift(Leaf leaf) {
            return leaf.hashes[0];
        }

        static int size(Leaf leaf) {
            return leaf.size;
        }

        static int hash(Leaf leaf, int i) {
            return leaf.hashes[1 + i];
        }

        static Object key(Leaf leaf, int i) {
            return leaf.kv[2 * i];
        }

        @SuppressWarnings("unchecked")
        static TRef<Object> cell(Leaf leaf, int i) {
            return (TRef<Object>) leaf.kv[2 * i + 1];
        }

        /** Position of {@code key} (with spread hash {@code h}) in {@code leaf}, or -1. */
        static int find(Leaf leaf, int h, Object key) {
            int[] hashes = leaf.hashes;
            Object[] kv = leaf.kv;
            for (int i = 0, n = leaf.size; i < n; i++) {
                if (hashes[1 + i] == h) {
                    Object k = kv[2 * i];
                    if (k == key || k.equals(key)) {
                        return i;
                    }
                }
            }
            return -1;
        }

        /** A leaf of {@code n} entries at depth {@code shift}, to be filled with {@link #set}. */
        static Leaf make(int shift, int n) {
            if (n == 0) {
                return empty(shift);
            }
            int[] hashes = new int[1 + n];
            hashes[0] = shift;
            return new Leaf(hashes, new Object[2 * n], n);
        }

        /** Sets entry {@code i} of a leaf being built by {@link #make}. */
        static void set(Leaf leaf, int i, int h, Object key, Object cell) {
            leaf.hashes[1 + i] = h;
            leaf.kv[2 * i] = key;
            leaf.kv[2 * i + 1] = cell;
        }

        /** A copy of {@code leaf} with one more entry, in arrays of its own (exactly as long). */
        static Leaf plus(Leaf leaf, int h, Object key, TRef<Object> cell) {
            return grown(leaf, h, key, cell, leaf.size + 1);
        }

        /**
         * {@link #plus}, by the holder of the lock of the slot that holds {@code leaf} (outside a
         * transaction): when the arrays of {@code leaf} have room, the grown leaf shares them, its
         * entry written in the first position past {@code leaf}'s; else it gets copies with room to
         * grow (half as many entries again, up to {@link #LEAF_MAX}). So an insertion outside a
         * transaction allocates a leaf object of 24 bytes, not a copy of the leaf's arrays, most of
         * the time. Safe because a leaf reads only its own entries, written before it was published
         * and never again: the positions past those of the leaf a slot holds are used by no leaf
         * anyone can see (leaves sharing arrays hold a prefix of one another, and a slot never gets
         * back a leaf it held), and only the holder of the slot's lock writes them. A transaction's
         * insertion copies ({@link #plus}), since it builds its leaf before it holds any lock.
         */
        static Leaf plusLocked(Leaf leaf, int h, Object key, TRef<Object> cell) {
            int n = leaf.size;
            if (leaf.hashes.length > 1 + n && leaf.kv.length > 2 * n + 1) {
                leaf.hashes[1 + n] = h;
                leaf.kv[2 * n] = key;
                leaf.kv[2 * n + 1] = cell;
                return new Leaf(leaf.hashes, leaf.kv, n + 1);
            }
            int room = n < LEAF_MAX ? Math.min(LEAF_MAX, Math.max(4, (n + 1) * 3 / 2)) : n + 1;
            return grown(leaf, h, key, cell, room);
        }

        /** {@code leaf} plus one entry, in new arrays with room for {@code room} entries. */
        private static Leaf grown(Leaf leaf, int h, Object key, TRef<Object> cell, int room) {
            int n = leaf.size;
            int[] hashes = new int[1 + room];
            System.arraycopy(leaf.hashes, 0, hashes, 0, 1 + n); // only the leaf's own entries
            hashes[1 + n] = h;
            Object[] kv = new Object[2 * room];
            System.arraycopy(leaf.kv, 0, kv, 0, 2 * n);
            kv[2 * n] = key;
            kv[2 * n + 1] = cell;
            return new Leaf(hashes, kv, n + 1);
        }

        /** A copy of {@code leaf} without the entry at {@code i}. */
        static Leaf minus(Leaf leaf, int i) {
            int n = leaf.size - 1;
            if (n == 0) {
                return empty(shift(leaf));
            }
            int[] hashes = new int[1 + n];
            System.arraycopy(leaf.hashes, 0, hashes, 0, 1 + i);
            System.arraycopy(leaf.hashes, 2 + i, hashes, 1 + i, n - i);
            Object[] kv = new Object[2 * n];
            System.arraycopy(leaf.kv, 0, kv, 0, 2 * i);
            System.arraycopy(leaf.kv, 2 * i + 2, kv, 2 * i, 2 * (n - i));
            return new Leaf(hashes, kv, n);
        }

        /** The leaf's entries in arrays exactly as long (what a serializer ships): {hashes, kv}. */
        Object[] trimmed() {
            return new Object[] {Arrays.copyOf(hashes, 1 + size), Arrays.copyOf(kv, 2 * size)};
        }

        /** A leaf from {@link #trimmed} arrays; checks that they fit together. */
        static Leaf of(int[] hashes, Object[] kv) {
            if (hashes == null || kv == null || hashes.length < 1 || kv.length != 2 * (hashes.length - 1)
                    || hashes[0] < 0 || hashes[0] >= EMPTY.length) {
                throw new IllegalArgumentException("not the arrays of a map leaf");
            }
            int n = hashes.length - 1;
            for (int i = 0; i < n; i++) {
                if (kv[2 * i] == null || !(kv[2 * i + 1] instanceof TRef<?>)) {
                    throw new IllegalArgumentException("entry " + i + " is not a key and its cell");
                }
            }
            return n == 0 ? empty(hashes[0]) : new Leaf(hashes, kv, n);
        }
    }
}
