package io.stmactors.stm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A transactional {@code long}, stored as a primitive (no boxing on any path).
 *
 * <p>Same rules as {@link TRef}: inside a transaction operations join it; outside, each is atomic
 * on its own. {@link #increment()} inside a transaction is an ordinary read and write, so an
 * invariant that spans several counters holds inside every reader (opacity), unlike STMs whose
 * commuting increments skip the read.
 *
 * <p>Thread-safe. Equality is identity.
 */
public final class TLong extends TVar {
    static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(TLong.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Accessed through {@link #VALUE} once published. */
    private long value;

    private TLong(String name, long initial) {
        super(name);
        this.value = initial;
    }

    /** A counter holding {@code initial}. */
    public static TLong of(long initial) {
        return new TLong(null, initial);
    }

    /** A counter named {@code name} in diagnostics and conflict reports. */
    public static TLong named(String name, long initial) {
        return new TLong(Objects.requireNonNull(name, "name"), initial);
    }

    /** The current value. */
    public long get() {
        TxnDescriptor txn = TxnDescriptor.active();
        return txn != null ? txn.readLong(this) : TxnDescriptor.readSingle(this);
    }

    /** Sets the value. */
    public void set(long newValue) {
        TxnDescriptor txn = TxnDescriptor.active();
        if (txn != null) {
            txn.writeLong(this, newValue);
        } else {
            TxnDescriptor.writeSingle(this, null, newValue);
        }
    }

    /** Adds one. */
    public void increment() {
        add(1);
    }

    /** Adds {@code delta}. */
    public void add(long delta) {
        TxnDescriptor txn = TxnDescriptor.active();
        if (txn != null) {
            txn.writeLong(this, txn.readLong(this) + delta);
        } else {
            TxnDescriptor.addSingle(this, delta);
        }
    }

    /** Adds {@code delta} and returns the new value. */
    public long addAndGet(long delta) {
        TxnDescriptor txn = TxnDescriptor.active();
        if (txn != null) {
            long next = txn.readLong(this) + delta;
            txn.writeLong(this, next);
            return next;
        }
        return TxnDescriptor.addSingle(this, delta);
    }

    /** Adds one and returns the new value. */
    public long incrementAndGet() {
        return addAndGet(1);
    }

    /** Acquire load, used by the engine after it has checked the lock word. */
    long load() {
        return (long) VALUE.getAcquire(this);
    }

    @Override
    void publish(Object obj, long prim) {
        VALUE.setRelease(this, prim);
    }

    @Override
    String kind() {
        return "TLong";
    }
}
