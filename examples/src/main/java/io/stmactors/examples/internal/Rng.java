package io.stmactors.examples.internal;

/**
 * A pseudo-random generator with no mutable object: the state is a {@code long} that handlers keep
 * in their (transactional) actor state, so a re-run handler draws the same numbers and an
 * aborted one leaves the state unchanged. SplitMix64 (Steele, Lea, Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014): the state advances by a fixed odd constant and is
 * scrambled on the way out.
 */
public final class Rng {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private Rng() {
    }

    /** The state after {@code state}. */
    public static long next(long state) {
        return state + GOLDEN_GAMMA;
    }

    /** The random value of a state (the SplitMix64 output function). */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The {@code k}-th derived value of one draw: several independent numbers from one random value. */
    public static long derive(long random, int k) {
        return mix(random + k * GOLDEN_GAMMA);
    }

    /** A value in {@code [0, bound)} from a random value. */
    public static int below(long random, int bound) {
        return (int) Math.floorMod(random, (long) bound);
    }

    /** A seed for stream {@code index} of a run seeded with {@code seed}. */
    public static long stream(long seed, long index) {
        return mix(seed ^ mix(index + 1));
    }
}
