package io.stmactors.stm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The value cell of one {@link TMap} entry: a {@link TRef} in every respect (its own lock word, so
 * that writers of different keys never conflict) except that its value lives in a shared array,
 * a {@link Blocks block} of up to {@value Blocks#SIZE} values handed out to the cells a thread
 * creates for one map, one after the other.
 *
 * <h2>Why</h2>
 * A put that replaces a value stores a reference into the old generation. G1's write barrier
 * then dirties the card (512 bytes) that holds the stored-to field and queues it, and a
 * concurrent refinement thread scans the card again. With the value inside the cell object, the
 * values of a large map were spread over every card its cells and leaves fill, a few entries per
 * card; a put-heavy load dirtied cards faster than refinement cleaned them, and refinement took the
 * core a second writer would use (measured with two writers on two cores: 43% of all CPU samples in
 * G1's refinement threads, and no speed-up from the second writer). In a block, 128 values share
 * about one card, so a put mostly finds its card still dirty and queues nothing (measured: no
 * refinement samples left, and twice the throughput with two writers).
 *
 * <h2>Costs</h2>
 * A read of the value loads the block besides the cell (the block's line is shared with the 15
 * entries created next to it). Each entry takes 4 more bytes in its block; the cell itself is no
 * larger than a plain {@link TRef} (its block and slot ride in fields a reference has anyway).
 * A block stays reachable while any of its cells is, so the entries of a map that keeps
 * inserting and removing keys pin partly dead blocks (at most one block per live entry, and far
 * fewer when entries created together die together). Slots are never reused: a transaction may
 * still read a cell its map has dropped, and must see that cell's last value. A new cell starts
 * empty and gets its first value through the inserting transaction's redo log, like any write, so
 * an insertion that rolls back leaves an empty slot, not a value kept reachable by the block.
 *
 * <p>In an isolated-mode replica a cell is an ordinary {@link TRef} (the wire carries only its
 * identity).
 */
final class MapCell<T> extends TRef<T> {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

    /**
     * The slot of a cell in its block sits in the top bits of its {@link TVar#hash hash} (the
     * engine hashes on the low bits, which stay random), and the block in the value field it
     * inherits and does not otherwise use: a cell is 40 bytes, the size of a plain {@link TRef}.
     */
    static final int INDEX_SHIFT = 25;
    private static final int HASH_MASK = (1 << INDEX_SHIFT) - 1;

    private MapCell(Object name, Object[] block, int index, int random) {
        super(name, (index << INDEX_SHIFT) | (random & HASH_MASK), block);
    }

    /** Shared with the other cells of its block; package-private for tests. */
    Object[] block() {
        return (Object[]) raw();
    }

    /** This cell's slot in {@link #block()}. */
    int index() {
        return hash >>> INDEX_SHIFT;
    }

    @Override
    Object load() {
        return SLOT.getAcquire((Object[]) raw(), hash >>> INDEX_SHIFT);
    }

    @Override
    void publish(Object obj, long prim) {
        SLOT.setRelease((Object[]) raw(), hash >>> INDEX_SHIFT, obj);
    }

    /**
     * Hands out the cells of one map. Each thread takes slots from the block of its stripe
     * (chosen by its engine slot, as {@link StripedCounter} does), so two threads inserting
     * concurrently rarely touch the same block; a full block is replaced by a new one.
     */
    static final class Blocks {
        /** Values per block: 512 bytes of compressed references, about one card. */
        static final int SIZE = 128;
        // A slot must fit in the bits above INDEX_SHIFT: MapCellTest checks SIZE against it.
        /**
         * Values in a stripe's first block; each next block of the stripe is twice as large, up to
         * {@link #SIZE}, so that a map of a few entries does not carry a whole block per thread.
         */
        static final int FIRST_SIZE = 8;

        private static final VarHandle STRIPE = MethodHandles.arrayElementVarHandle(Block[].class);

        private final Block[] stripes = new Block[StripedCounter.STRIPES];

        /**
         * A new, empty cell named {@code name} (may be null), for the thread of {@code txn}; the
         * caller writes its first value in {@code txn}.
         */
        <T> MapCell<T> newCell(TxnDescriptor txn, Object name) {
            int s = (txn.slot * 3) & (StripedCounter.STRIPES - 1);
            for (;;) {
                Block b = (Block) STRIPE.getAcquire(stripes, s);
                if (b != null) {
                    int i = (int) Block.NEXT.getAndAdd(b, 1);
                    if (i < b.values.length) {
                        return new MapCell<>(name, b.values, i, ThreadLocalRandom.current().nextInt());
                    }
                }
                int size = b == null ? FIRST_SIZE : Math.min(SIZE, 2 * b.values.length);
                STRIPE.compareAndSet(stripes, s, b, new Block(size));
            }
        }
    }

    /** One block: its values and the index of the next free one (grows past their number when full). */
    private static final class Block {
        static final VarHandle NEXT;

        static {
            try {
                NEXT = MethodHandles.lookup().findVarHandle(Block.class, "next", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Object[] values;
        @SuppressWarnings("unused")
        private int next;

        Block(int size) {
            values = new Object[size];
        }
    }
}
