package io.stmactors.stm;

import io.stmactors.stm.internal.WaiterList;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The part every transactional reference shares: the versioned lock word, the list of retry
 * waiters, and what diagnostics need to name it. Not API: users see {@link TRef}, {@link TLong}
 * and the collections built from them.
 *
 * <h2>The lock word</h2>
 * <pre>
 *   63                                13 12                 1  0
 *  +-------------------------------------+--------------------+---+
 *  |            version (51 bits)        |  writer slot (12)  | L |
 *  +-------------------------------------+--------------------+---+
 * </pre>
 * {@code L} is the lock bit, set while a committing (or inevitable) transaction owns the
 * reference; while it is set the other bits keep their pre-lock value. {@code version} is the
 * global clock value + 1 that the last commit sampled after locking; {@code writer slot} is the
 * {@link io.stmactors.stm.internal.ThreadSlots slot} of the thread that committed it.
 *
 * <h2>Memory ordering</h2>
 * A committer takes the lock with a volatile CAS, publishes the value with a release store and
 * unlocks with a release store of the new word. A reader loads the word (acquire), the value
 * (acquire) and the word again (acquire): equal and unlocked words mean the value belongs to that
 * word. The {@code waiters} list is read by committers with a volatile load while they hold the
 * lock, and written by retrying transactions with a CAS, which together exclude lost wake-ups.
 */
abstract class TVar {
    static final long LOCKED = 1L;
    static final int SLOT_SHIFT = 1;
    static final long SLOT_MASK = (1L << io.stmactors.stm.internal.ThreadSlots.SLOT_BITS) - 1;
    static final int VERSION_SHIFT = 1 + io.stmactors.stm.internal.ThreadSlots.SLOT_BITS;

    static final VarHandle LOCK;
    static final VarHandle WAITERS;
    static final VarHandle BINDING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LOCK = lookup.findVarHandle(TVar.class, "lockWord", long.class);
            WAITERS = lookup.findVarHandle(TVar.class, "waiters", WaiterList.class);
            BINDING = lookup.findVarHandle(TVar.class, "binding", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Accessed only through {@link #LOCK}. */
    @SuppressWarnings("unused")
    private long lockWord;
    /** Accessed only through {@link #WAITERS}. */
    @SuppressWarnings("unused")
    private WaiterList waiters;
    /**
     * Fixed at construction: write-set hashing (on the low bits) and the anonymous display name.
     * Random, except that a {@link MapCell} keeps its slot in the top bits.
     */
    final int hash;
    /**
     * Name given by the user (a String), or an object whose {@code toString} makes it when
     * diagnostics ask (a map entry's cell: see {@code TMap.CellName}), or null.
     */
    final Object name;
    /**
     * Runtime data of a replicated reference ({@link Replication}); null for ordinary ones. Written
     * with a release store, read opaquely on the hot path (never hoisted out of a loop, no fence).
     */
    Object binding;

    TVar(Object name) {
        this(name, ThreadLocalRandom.current().nextInt());
    }

    /** With a given {@code hash}: a {@link MapCell} keeps its slot in the top bits of a random one. */
    TVar(Object name, int hash) {
        this.name = name;
        this.hash = hash;
        StmDiagnostics.noteCreation(this);
    }

    /** Writes a committed value (release store). Called with the lock held. */
    abstract void publish(Object obj, long prim);

    /** "TRef", "TLong", ...: for diagnostics. */
    abstract String kind();

    static long version(long word) {
        return word >>> VERSION_SHIFT;
    }

    static int slot(long word) {
        return (int) ((word >>> SLOT_SHIFT) & SLOT_MASK);
    }

    static long word(long version, int slot) {
        return (version << VERSION_SHIFT) | ((long) slot << SLOT_SHIFT);
    }

    /** How diagnostics name this reference. */
    String describe() {
        String site = StmDiagnostics.creationSite(this);
        String id = name != null ? kind() + " '" + name + "'" : kind() + "@" + Integer.toHexString(hash);
        return site != null ? id + " created at " + site : id;
    }

    @Override
    public String toString() {
        return describe();
    }
}
