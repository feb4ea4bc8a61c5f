package io.stmactors.stm;

/**
 * A transactional count spread over a few {@link TLong} stripes, so that two threads adding to it
 * in concurrent transactions do not conflict, while a transaction that reads the sum still sees
 * the exact value (it reads every stripe, so it conflicts with concurrent adders: exactness costs
 * that, and only the reader pays it).
 *
 * <h2>Which stripe</h2>
 * A thread adds to the stripe numbered by its engine slot ({@code TxnDescriptor.slot}) modulo the
 * stripe count. Slots are unique among live threads and handed out in sequence, so threads started
 * one after the other get different stripes, up to {@link #STRIPES} of them; beyond that, or after
 * 4095 threads have come and gone, two threads may share a stripe, which only costs conflicts.
 *
 * <p>Thread-safe. {@link #add} and {@link #sum} must be called inside a transaction.
 */
final class StripedCounter {
    /** Power of two, at least 8, about twice the core count, at most 64. */
    static final int STRIPES = Math.min(64,
            Math.max(8, Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors() * 2 - 1)) << 1));

    private final TLong[] stripes = new TLong[STRIPES];

    StripedCounter(String name) {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = name == null ? TLong.of(0) : TLong.named(name + "#" + i, 0);
        }
    }

    /**
     * Adds {@code delta} to the calling thread's stripe. Inside a transaction. Consecutive slots
     * map to stripes {@link #STRIDE} apart: the stripes are allocated (and, after a copying GC,
     * laid out) next to each other, 48 bytes each, so neighbours would share a cache line.
     */
    void add(long delta) {
        stripe(TxnDescriptor.current().slot).add(delta);
    }

    /** The stripe a thread with engine slot {@code slot} adds to. */
    TLong stripe(int slot) {
        return stripes[(slot * STRIDE) & (STRIPES - 1)];
    }

    /** Odd, so slot to stripe stays a bijection; 3 x 48 bytes puts neighbours on different lines. */
    private static final int STRIDE = 3;

    /** The exact sum (reads every stripe). Inside a transaction. */
    long sum() {
        long total = 0;
        for (TLong stripe : stripes) {
            total += stripe.get();
        }
        return total;
    }

    /** Sets every non-zero stripe to zero. Inside a transaction. */
    void clear() {
        for (TLong stripe : stripes) {
            if (stripe.get() != 0) {
                stripe.set(0);
            }
        }
    }
}
