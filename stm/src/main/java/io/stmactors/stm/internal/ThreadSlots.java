package io.stmactors.stm.internal;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Hands out the small per-thread numbers ("slots") that commits stamp into lock words.
 *
 * <p>A slot identifies the thread that wrote a reference's current value, which lets that same
 * thread read its own recent writes without advancing the global clock (see
 * {@code TxnDescriptor}). Correctness needs only this: <b>no two live descriptors hold the same
 * non-zero slot</b>. Slot 0 is shared by every thread that could not get one of its own; such a
 * thread simply never takes the own-write shortcut.
 *
 * <p>A slot returns to the pool when its descriptor becomes unreachable (its thread ended),
 * through a {@link Cleaner}. The CAS that frees a slot and the CAS that takes it order the old
 * thread's commits before the new thread's transactions.
 */
public final class ThreadSlots {
    /** Bits of the lock word that hold the slot. */
    public static final int SLOT_BITS = 12;
    /** The shared slot: no own-write shortcut. */
    public static final int SHARED_SLOT = 0;

    private static final int SLOTS = 1 << SLOT_BITS;
    private static final AtomicIntegerArray TAKEN = new AtomicIntegerArray(SLOTS);
    private static final Cleaner CLEANER = Cleaner.create();
    private static int hint = 1; // racy on purpose: only a starting point for the search

    private ThreadSlots() {
    }

    /**
     * Takes a free slot for {@code owner} and frees it again when {@code owner} becomes
     * unreachable. Returns {@link #SHARED_SLOT} when all slots are in use.
     */
    public static int acquire(Object owner) {
        int start = hint;
        for (int i = 0; i < SLOTS - 1; i++) {
            int slot = 1 + (start - 1 + i) % (SLOTS - 1);
            if (TAKEN.get(slot) == 0 && TAKEN.compareAndSet(slot, 0, 1)) {
                hint = slot + 1 >= SLOTS ? 1 : slot + 1;
                CLEANER.register(owner, () -> TAKEN.set(slot, 0));
                return slot;
            }
        }
        return SHARED_SLOT;
    }

    /** Number of slots currently taken (for tests and diagnostics). */
    public static int inUse() {
        int n = 0;
        for (int i = 1; i < SLOTS; i++) {
            n += TAKEN.get(i);
        }
        return n;
    }
}
