package io.stmactors.stm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The global version clock of the transactional heap, advanced lazily.
 *
 * <p><b>What is shared:</b> one {@code long}, padded on both sides against false sharing.
 * <b>Who writes it:</b> only readers that meet a version newer than their snapshot
 * ({@link #advanceTo(long)}, a CAS); commits only read it. This is the "GV5" scheme of TL2
 * (Dice, Shalev, Shavit, DISC 2006): a commit stamps its writes with {@code clock + 1}
 * without incrementing the clock, so two threads committing disjoint data never write a
 * shared cache line. See {@code TxnDescriptor}'s header for why that is correct.
 *
 * <p><b>Ordering:</b> {@link #get()} is a volatile read; {@link #advanceTo(long)} a volatile CAS.
 * The clock never decreases.
 *
 * <p>51 bits of the lock word hold versions, so the clock may be advanced 2<sup>51</sup> times
 * (about 260 days at 10<sup>8</sup> advances per second, far above what contention produces).
 */
public final class GlobalClock extends GlobalClockPostPad {
    /** The largest version a lock word can hold. */
    public static final long MAX_VERSION = (1L << 51) - 1;

    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(GlobalClockValue.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The one clock of this JVM's heap. */
    public static final GlobalClock INSTANCE = new GlobalClock();

    private GlobalClock() {
    }

    /** Volatile read of the current clock value. */
    public long get() {
        return (long) VALUE.getVolatile(this);
    }

    /**
     * Advances the clock to at least {@code version} and returns the new current value (which is
     * {@code >= version}). Lock-free; called by any thread.
     */
    public long advanceTo(long version) {
        long current = (long) VALUE.getVolatile(this);
        while (current < version) {
            if (version > MAX_VERSION) {
                throw new IllegalStateException("STM version clock exhausted (2^51 advances)");
            }
            long witness = (long) VALUE.compareAndExchange(this, current, version);
            if (witness == current) {
                return version;
            }
            current = witness;
        }
        return current;
    }
}

/** Left padding: keeps the clock off the cache line of whatever object precedes it. */
abstract class GlobalClockPrePad {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
}

/** The clock value itself (superclass fields are laid out first, so it sits between the pads). */
abstract class GlobalClockValue extends GlobalClockPrePad {
    volatile long value;
}

/** Right padding. */
abstract class GlobalClockPostPad extends GlobalClockValue {
    byte q000, q001, q002, q003, q004, q005, q006, q007, q008, q009, q010, q011, q012, q013, q014, q015;
    byte q016, q017, q018, q019, q020, q021, q022, q023, q024, q025, q026, q027, q028, q029, q030, q031;
    byte q032, q033, q034, q035, q036, q037, q038, q039, q040, q041, q042, q043, q044, q045, q046, q047;
    byte q048, q049, q050, q051, q052, q053, q054, q055, q056, q057, q058, q059, q060, q061, q062, q063;
}
