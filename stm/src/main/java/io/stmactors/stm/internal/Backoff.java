package io.stmactors.stm.internal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Randomized, bounded exponential backoff between attempts of a transaction that lost a conflict.
 *
 * <p>Attempt 1 retries at once; later attempts wait a random time below a ceiling that doubles per
 * attempt, from a few hundred nanoseconds (spinning) up to {@link #MAX_PARK_NANOS} (parking).
 * Randomization breaks the symmetry that makes two identical transactions abort each other forever.
 */
public final class Backoff {
    /** The longest single wait. */
    public static final long MAX_PARK_NANOS = 1_000_000L;
    private static final int SPIN_LIMIT_SHIFT = 6;

    private Backoff() {
    }

    /** Waits before attempt {@code attempt + 1} after {@code attempt} failed attempts. */
    public static void pause(int attempt) {
        if (attempt <= 1) {
            return;
        }
        int shift = Math.min(attempt, 20);
        if (shift <= SPIN_LIMIT_SHIFT) {
            int spins = ThreadLocalRandom.current().nextInt(1 << shift) * 8;
            for (int i = 0; i < spins; i++) {
                Thread.onSpinWait();
            }
            return;
        }
        if (shift <= SPIN_LIMIT_SHIFT + 2) {
            Thread.yield();
            return;
        }
        long ceiling = Math.min(MAX_PARK_NANOS, 1000L << (shift - SPIN_LIMIT_SHIFT));
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
    }
}
