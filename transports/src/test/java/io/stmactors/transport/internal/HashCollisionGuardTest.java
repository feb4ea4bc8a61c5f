package io.stmactors.transport.internal;

import com.esotericsoftware.kryo.KryoException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which keys the guard trusts a tree bin with: only JDK classes comparable to themselves, whose compareTo agrees
 * with equals. A user class may tie unequal keys in compareTo, and then HashMap searches both subtrees.
 */
class HashCollisionGuardTest
{
    /** Compares only {@code a}: unequal keys with the same {@code a} tie. */
    record Tied(int a, String b) implements Comparable<Tied>
    {
        public int compareTo(final Tied other)
        {
            return Integer.compare(a, other.a);
        }

        public int hashCode()
        {
            return 42; // every key collides
        }
    }

    @Test
    void shouldTrustTreeBinsOnlyForJdkClassesComparableToThemselves()
    {
        assertTrue(HashCollisionGuard.ofOneSelfComparableClass(new Object[] {1L, 2L, 3L}));
        assertTrue(HashCollisionGuard.ofOneSelfComparableClass(new Object[] {"a", "b"}));
        assertFalse(HashCollisionGuard.ofOneSelfComparableClass(new Object[] {1L, 2}), "mixed classes");
        assertFalse(HashCollisionGuard.ofOneSelfComparableClass(new Object[] {1L, null}), "a null key");
        assertFalse(HashCollisionGuard.ofOneSelfComparableClass(new Object[] {new Tied(1, "x"), new Tied(1, "y")}),
            "a user class");
    }

    @Test
    void shouldRefuseCollidingKeysOfAUserClassEvenForAHashSet()
    {
        final Object[] keys = new Object[2_000];
        final Object[] longs = new Object[2_000];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = new Tied(0, "k" + i);
            longs[i] = ((long)i << 32) | (i ^ 42);
        }
        assertThrows(KryoException.class, () -> HashCollisionGuard.check(keys, "HashSet", true));
        assertDoesNotThrow(() -> HashCollisionGuard.check(longs, "HashSet", true), "Longs: a tree bin orders them");
        assertThrows(KryoException.class, () -> HashCollisionGuard.check(longs, "immutable Set", false));
    }
}
