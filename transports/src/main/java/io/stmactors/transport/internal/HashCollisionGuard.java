package io.stmactors.transport.internal;

import com.esotericsoftware.kryo.KryoException;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Objects;

/**
 * Refuses the keys of a decoded set or map when too many of them share a hash code, before the collection is built.
 * <p>
 * {@code Set.of} and {@code Map.ofEntries} place elements by linear probing, and {@code HashSet} and {@code HashMap}
 * keep keys of one hash code in one bin, which they can order only if the keys are {@link Comparable}. Either way, c
 * keys of one hash code cost about c<sup>2</sup>/2 {@code equals} calls to insert, and hash codes are easy to forge
 * ({@code ((long)i << 32) | (i ^ C)} has {@code Long.hashCode} C for every i): 2 MB of such Longs decoded for tens of
 * seconds, 64 MiB for hours. Two bounds keep the work linear in the number of keys:
 * <ul>
 *     <li>At most {@link #MAX_EQUAL_HASH_CODES} (1024) keys may share one hash code. Legitimate data never comes
 *     near: among n keys with well-spread 32-bit hash codes, even two equal codes are rare below n = 10<sup>4</sup>,
 *     and the systematic collisions of real types stay in the tens (a record of two ints hashing
 *     {@code 31 * x + y}, over a 1000 x 1000 grid, puts about 31 points on each code). One group of 1024 costs half a
 *     million comparisons, under a millisecond.</li>
 *     <li>The pairs of keys that share a hash code may number at most {@link #COLLIDING_PAIRS_PER_KEY} (64) per key,
 *     plus the pairs of one full group, so many groups just under the first bound cannot add up to n x 1024
 *     comparisons either (the grid above has about 15 per key). 2 MB of forged keys then cost at most about
 *     13 million comparisons, a fraction of a second.</li>
 * </ul>
 * The check sorts the hash codes ({@code Arrays.sort} of an {@code int[]} is O(n log n) even for adversarial input)
 * and runs only for more than 1024 keys, where no bound can be exceeded below that. It is skipped where colliding
 * keys cost no pairwise comparisons: sorted collections, and {@code HashSet}/{@code HashMap} (and their concurrent
 * and linked kin) whose keys are all of one JDK class comparable to itself, which their bins order as a tree (so
 * {@code Long} keys packing two coordinates, {@code (x << 32) | y}, whose hash codes {@code x ^ y} collide by the
 * hundred on a grid, still decode into a {@code HashSet}). Collections nested as keys are bounded only by the codec's
 * key nesting limit: a set of many sets of colliding keys can still cost more than its size suggests.
 * <p>
 * Thread-safety: stateless.
 */
final class HashCollisionGuard
{
    /** Most keys of one collection that may share one hash code. */
    static final int MAX_EQUAL_HASH_CODES = 1024;
    /** Colliding pairs allowed per key, on top of those of one full group. */
    static final int COLLIDING_PAIRS_PER_KEY = 64;

    private static final long PAIRS_OF_ONE_FULL_GROUP = pairs(MAX_EQUAL_HASH_CODES);

    private HashCollisionGuard()
    {
    }

    /**
     * @param keys the elements of a set or the keys of a map, before they are inserted.
     * @param what the collection, for the error message.
     * @throws KryoException if the keys share hash codes beyond the bounds of this class.
     */
    static void check(final Object[] keys, final String what)
    {
        check(keys, what, false);
    }

    /**
     * @param keys           the elements of a set or the keys of a map, before they are inserted.
     * @param what           the collection, for the error message.
     * @param treeBins       whether the collection orders the keys of one bin by {@link Comparable} when they allow it
     *                       ({@code HashMap}, {@code HashSet}, {@code ConcurrentHashMap} and their subclasses).
     * @throws KryoException if the keys share hash codes beyond the bounds of this class.
     */
    static void check(final Object[] keys, final String what, final boolean treeBins)
    {
        final int count = keys.length;
        if (count <= MAX_EQUAL_HASH_CODES || treeBins && ofOneSelfComparableClass(keys))
        {
            return;
        }

        final int[] hashes = new int[count];
        for (int i = 0; i < count; i++)
        {
            hashes[i] = Objects.hashCode(keys[i]);
        }
        Arrays.sort(hashes);

        final long maxPairs = PAIRS_OF_ONE_FULL_GROUP + (long)COLLIDING_PAIRS_PER_KEY * count;
        long collidingPairs = 0;
        int groupStart = 0;
        for (int i = 1; i <= count; i++)
        {
            if (i == count || hashes[i] != hashes[groupStart])
            {
                final int group = i - groupStart;
                if (group > MAX_EQUAL_HASH_CODES)
                {
                    throw new KryoException("Malformed input: " + group + " of the " + count + " keys of a " + what +
                        " share the hash code " + hashes[groupStart] + "; at most " + MAX_EQUAL_HASH_CODES +
                        " may, because building it would compare them pairwise");
                }
                collidingPairs += pairs(group);
                groupStart = i;
            }
        }
        if (collidingPairs > maxPairs)
        {
            throw new KryoException("Malformed input: the " + count + " keys of a " + what + " form " +
                collidingPairs + " pairs with one hash code; at most " + maxPairs + " may, because building it " +
                "would compare each pair");
        }
    }

    /**
     * Whether every key is of one JDK class that {@code HashMap} orders its tree bins by (its comparableClassFor). A
     * JDK class only: a user class whose {@code compareTo} ties keys that are not equal makes the bins search both
     * subtrees, which is quadratic again.
     */
    static boolean ofOneSelfComparableClass(final Object[] keys)
    {
        final Class<?> type = null == keys[0] ? null : keys[0].getClass();
        if (null == type || null != type.getClassLoader() || !isComparableToItself(type))
        {
            return false;
        }
        for (final Object key : keys)
        {
            if (null == key || key.getClass() != type)
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isComparableToItself(final Class<?> type)
    {
        if (String.class == type)
        {
            return true;
        }
        for (final Type implemented : type.getGenericInterfaces())
        {
            if (implemented instanceof ParameterizedType parameterized && Comparable.class == parameterized.getRawType())
            {
                final Type[] arguments = parameterized.getActualTypeArguments();
                if (1 == arguments.length && type == arguments[0])
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static long pairs(final int group)
    {
        return (long)group * (group - 1) / 2;
    }
}
