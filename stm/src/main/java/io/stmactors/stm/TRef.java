package io.stmactors.stm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A transactional reference to a value of type {@code T}: the unit of the shared heap.
 *
 * <p>Inside {@link Stm#atomic(TxnCallable)} every operation joins the running transaction: reads
 * see a consistent snapshot, writes become visible to others only when it commits. Outside a
 * transaction every operation is atomic on its own (a one-operation transaction), so setup code
 * needs no {@code atomic} around a single read or write.
 *
 * <p>Values should be immutable (records, strings, persistent collections): the STM versions the
 * reference, not the object it points to. Mutating an object held by a {@code TRef} in place is
 * invisible to conflict detection.
 *
 * <p>Thread-safe. Equality is identity.
 *
 * @param <T> the type of the value
 */
public sealed class TRef<T> extends TVar permits MapCell {
    static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(TRef.class, "value", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Accessed through {@link #VALUE} once published; in a {@link MapCell}, its block (set by the
     * constructor, never written again, read through {@link #raw()}).
     */
    private Object value;

    /** A reference holding {@code initial} (may be null). */
    public TRef(T initial) {
        super(null);
        this.value = initial;
    }

    private TRef(String name, T initial) {
        super(Objects.requireNonNull(name, "name"));
        this.value = initial;
    }

    /**
     * For {@link MapCell}, which keeps its value in slot {@code hash >>> }{@link MapCell#INDEX_SHIFT}
     * of {@code block}, and {@code block} in the field where a reference keeps its value. The cell
     * must reach other threads through a release store its readers acquire (a leaf published in
     * a slot), as every reference does: the field is not final. {@code name} (a String, or an
     * object that makes it on demand) may be null.
     */
    TRef(Object name, int hash, Object[] block) {
        super(name, hash);
        this.value = block;
    }

    /** The value field as it is, for {@link MapCell} (its block; set once, before the cell is shared). */
    final Object raw() {
        return value;
    }

    /** A reference holding {@code initial}. */
    public static <T> TRef<T> of(T initial) {
        return new TRef<>(initial);
    }

    /** A reference named {@code name} in diagnostics and conflict reports. */
    public static <T> TRef<T> named(String name, T initial) {
        return new TRef<>(name, initial);
    }

    /** The current value (this transaction's view, or the latest committed value outside one). */
    @SuppressWarnings("unchecked")
    public T get() {
        TxnDescriptor txn = TxnDescriptor.active();
        return (T) (txn != null ? txn.readRef(this) : TxnDescriptor.readSingle(this));
    }

    /** Sets the value. */
    public void set(T newValue) {
        TxnDescriptor txn = TxnDescriptor.active();
        if (txn != null) {
            txn.writeRef(this, newValue);
        } else {
            TxnDescriptor.writeSingle(this, newValue, 0L);
        }
    }

    /** Sets the value and returns the previous one. */
    public T getAndSet(T newValue) {
        return Stm.atomic("TRef.getAndSet", () -> {
            T old = get();
            set(newValue);
            return old;
        });
    }

    /** Applies {@code update} to the value, stores and returns the result. */
    public T updateAndGet(UnaryOperator<T> update) {
        Objects.requireNonNull(update, "update");
        return Stm.atomic("TRef.updateAndGet", () -> {
            T next = update.apply(get());
            set(next);
            return next;
        });
    }

    /** Applies {@code update} to the value, stores the result and returns the previous value. */
    public T getAndUpdate(UnaryOperator<T> update) {
        Objects.requireNonNull(update, "update");
        return Stm.atomic("TRef.getAndUpdate", () -> {
            T old = get();
            set(update.apply(old));
            return old;
        });
    }

    /** Release-ordered plain load, used by the engine after it has checked the lock word. */
    Object load() {
        return VALUE.getAcquire(this);
    }

    @Override
    void publish(Object obj, long prim) {
        VALUE.setRelease(this, obj);
    }

    @Override
    String kind() {
        return "TRef";
    }
}
