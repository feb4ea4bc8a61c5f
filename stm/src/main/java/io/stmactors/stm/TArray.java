package io.stmactors.stm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A fixed-length array of transactional elements: one {@link TRef} per element, so an element
 * conflicts only with itself (two transactions writing different indices never conflict).
 *
 * <pre>{@code
 * TArray<Integer> seats = TArray.named("seats", 100);
 * Stm.atomic(() -> { if (seats.get(7) == null) seats.set(7, customerId); });
 * }</pre>
 *
 * <p>Every operation joins the running transaction or, outside one, is atomic on its own.
 * Elements start as null (or the given values) and may be null, like
 * {@link java.util.concurrent.atomic.AtomicReferenceArray}. An index outside
 * {@code [0, length())} throws {@link IndexOutOfBoundsException} naming the index, the length and
 * the array's name. {@link #snapshot()} reads every element in one transaction (O(n)).
 *
 * <p>Thread-safe. Equality is identity.
 *
 * @param <E> element type
 */
public final class TArray<E> {
    private final String name;
    private final TRef<E>[] elements;

    /** An array of {@code length} null elements. */
    public TArray(int length) {
        this(null, length, null);
    }

    @SuppressWarnings("unchecked")
    private TArray(String name, int length, Object[] initial) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length: " + length);
        }
        this.name = name;
        this.elements = (TRef<E>[]) new TRef<?>[length];
        for (int i = 0; i < length; i++) {
            E value = initial == null ? null : (E) initial[i];
            elements[i] = name == null ? new TRef<>(value) : TRef.named(name + "[" + i + "]", value);
        }
    }

    /** An array of {@code length} null elements, named {@code name[i]} in diagnostics. */
    public static <E> TArray<E> named(String name, int length) {
        return new TArray<>(Objects.requireNonNull(name, "name"), length, null);
    }

    /** An array holding {@code values} (copied). */
    @SafeVarargs
    public static <E> TArray<E> of(E... values) {
        Object[] copy = new Object[values.length];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = values[i];
        }
        return new TArray<>(null, copy.length, copy);
    }

    /** The number of elements, fixed at creation. */
    public int length() {
        return elements.length;
    }

    /** The name given to {@link #named(String, int)}, or null. */
    public String name() {
        return name;
    }

    /** Element {@code i}. */
    public E get(int i) {
        return ref(i).get();
    }

    /** Sets element {@code i}. */
    public void set(int i, E value) {
        ref(i).set(value);
    }

    /** Sets element {@code i} and returns its previous value. */
    public E getAndSet(int i, E value) {
        return ref(i).getAndSet(value);
    }

    /** Applies {@code update} to element {@code i}, stores and returns the result. */
    public E updateAndGet(int i, UnaryOperator<E> update) {
        return ref(i).updateAndGet(update);
    }

    /**
     * The reference behind element {@code i}, for code that wants to pass one element around
     * (it conflicts exactly like the element).
     */
    public TRef<E> ref(int i) {
        if (i < 0 || i >= elements.length) {
            throw new IndexOutOfBoundsException("TArray" + (name == null ? "" : " '" + name + "'")
                    + ": index " + i + " out of bounds for length " + elements.length);
        }
        return elements[i];
    }

    /** Every element, read in one transaction; an immutable list that may contain nulls. */
    public List<E> snapshot() {
        return TMap.atomically("TArray.snapshot", () -> {
            List<E> out = new ArrayList<>(elements.length);
            for (TRef<E> r : elements) {
                out.add(r.get());
            }
            return Collections.unmodifiableList(out);
        });
    }

    /** {@code [a, b, null, ...]} over a snapshot; an element that is this array prints as {@code (this TArray)}. */
    @Override
    public String toString() {
        List<E> values = snapshot();
        StringBuilder sb = new StringBuilder().append('[');
        for (int i = 0; i < values.size(); i++) {
            Object e = values.get(i);
            sb.append(i == 0 ? "" : ", ").append(e == this ? "(this TArray)" : String.valueOf(e));
        }
        return sb.append(']').toString();
    }
}
