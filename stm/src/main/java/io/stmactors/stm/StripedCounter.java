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

    /** Adds {@code delta} to the calling thread's stripe. Inside a transaction. */
    void add(long delta) {
        stripes[TxnDescriptor.current().slot & (STRIPES - 1)].add(delta);
    }

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
