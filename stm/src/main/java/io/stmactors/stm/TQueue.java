package io.stmactors.stm;

import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Spliterator;
import java.util.function.Predicate;

/**
 * A transactional FIFO queue, unbounded ({@code new TQueue<>()}) or bounded
 * ({@link #bounded(int)}), with blocking {@link #take()} and {@link #put(Object)} built on
 * {@link Stm#retry()}.
 *
 * <pre>{@code
 * TQueue<String> q = TQueue.bounded(100);
 * q.offer("a");                                  // outside a transaction: atomic on its own
 * Stm.atomic(() -> out.offer(q.take()));         // move one element, all or nothing
 * }</pre>
 *
 * <h2>Design: why a producer and a consumer do not conflict</h2>
 * A linked list of nodes whose {@code next} links are {@link TRef}s, starting at a dummy node
 * (Michael and Scott's two-ended layout, with transactions in place of CAS):
 * <pre>
 *   head ──▶ [dummy] ──next──▶ [a] ──next──▶ [b] ◀── tail
 *   consumer side: head, dummy.next (read), dequeued
 *   producer side: tail, last.next (written, not read), enqueued, dequeuedSeen
 * </pre>
 * {@code offer} links a new node after the last one and moves {@code tail}; {@code poll} moves
 * {@code head} to the first node, which becomes the new dummy. The size is two counters,
 * {@code enqueued} (written by producers only) minus {@code dequeued} (consumers only). So on a
 * non-empty queue the two sides touch disjoint references and never conflict; on an empty queue a
 * consumer reads the very link a producer writes, which is the conflict that makes {@code take()}
 * wake up.
 *
 * <p><b>Bounded queues</b> must not make every {@code offer} read {@code dequeued}, or producers
 * would conflict with every {@code poll}. A producer instead compares {@code enqueued} with
 * {@code dequeuedSeen}, its own cached copy of {@code dequeued}: since {@code dequeued} only grows,
 * that over-estimates the size, so while it says "room left" there is room. Only when it says
 * "full" does the producer read {@code dequeued} (conflicting with consumers, as it must when the
 * queue is actually full) and refresh the copy.
 *
 * <h2>Contracts</h2>
 * Every operation joins the running transaction, or outside one is atomic on its own; the
 * blocking operations may only wait outside, or at the top of, a transaction (see
 * {@link Stm#retry()}). Null elements are rejected. {@link #size()} is exact and O(1). Iterators,
 * spliterators and streams walk a snapshot (O(n)); iterators do not support {@code remove()}, but
 * {@link #remove(Object)}, {@link #removeIf}, {@code removeAll} and {@code retainAll} do remove,
 * in one transaction that reads the links up to the last element it removes (so it conflicts with
 * consumers, and with producers when it removes the last element). The most recently polled
 * element stays reachable from the dummy node until the next poll.
 *
 * <p>Thread-safe, any number of producers and consumers (producers conflict with each other on
 * {@code tail}, consumers on {@code head}).
 *
 * @param <E> element type
 */
public final class TQueue<E> extends AbstractQueue<E> {
    /** A list node; {@code item} is null only in the initial dummy. Immutable but for {@code next}. */
    /** The node class, for serializers that ship queues by reference ({@link Replication#heapTypes()}). */
    static Class<?> nodeClass() {
        return Node.class;
    }

    private static final class Node<E> {
        final E item;
        final TRef<Node<E>> next;

        Node(E item, String nextName) {
            this.item = item;
            this.next = nextName == null ? new TRef<>(null) : TRef.named(nextName, null);
        }
    }

    private final String name;
    private final String nextName;
    private final int capacity;
    private final TRef<Node<E>> head;
    private final TRef<Node<E>> tail;
    private final TLong enqueued;
    private final TLong dequeued;
    /** Producer-side copy of {@code dequeued} (bounded queues only); never ahead of it. */
    private final TLong dequeuedSeen;

    /** An unbounded queue. */
    public TQueue() {
        this(null, Integer.MAX_VALUE);
    }

    private TQueue(String name, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.name = name;
        this.capacity = capacity;
        this.nextName = name == null ? null : name + ".next";
        Node<E> dummy = new Node<>(null, nextName);
        this.head = ref(name, ".head", dummy);
        this.tail = ref(name, ".tail", dummy);
        this.enqueued = counter(name, ".enqueued");
        this.dequeued = counter(name, ".dequeued");
        this.dequeuedSeen = capacity == Integer.MAX_VALUE ? null : counter(name, ".dequeuedSeen");
    }

    /** A queue holding at most {@code capacity} elements. */
    public static <E> TQueue<E> bounded(int capacity) {
        return new TQueue<>(null, capacity);
    }

    /** An unbounded queue whose references are named {@code name.head}, ... in diagnostics. */
    public static <E> TQueue<E> named(String name) {
        return new TQueue<>(Objects.requireNonNull(name, "name"), Integer.MAX_VALUE);
    }

    /** A bounded queue whose references are named {@code name.head}, ... in diagnostics. */
    public static <E> TQueue<E> named(String name, int capacity) {
        return new TQueue<>(Objects.requireNonNull(name, "name"), capacity);
    }

    /** The name given at creation, or null. */
    public String name() {
        return name;
    }

    /** The capacity, {@link Integer#MAX_VALUE} when unbounded. */
    public int capacity() {
        return capacity;
    }

    /** Appends {@code e}; returns false (and changes nothing) if the queue is bounded and full. */
    @Override
    public boolean offer(E e) {
        Objects.requireNonNull(e, "element");
        return TMap.atomically("TQueue.offer", () -> offerIn(e));
    }

    /**
     * Appends {@code e}, waiting ({@link Stm#retry()}) while a bounded queue is full.
     *
     * @throws StmInterruptedException if interrupted while waiting outside a transaction
     */
    public void put(E e) {
        Objects.requireNonNull(e, "element");
        TMap.atomically("TQueue.put", () -> {
            if (!offerIn(e)) {
                Stm.retry();
            }
            return null;
        });
    }

    /** Removes and returns the first element, or null if the queue is empty. */
    @Override
    public E poll() {
        return TMap.atomically("TQueue.poll", this::pollIn);
    }

    /**
     * Removes and returns the first element, waiting ({@link Stm#retry()}) while the queue is
     * empty. Inside a transaction, an empty queue makes the whole transaction wait for an offer.
     *
     * @throws StmInterruptedException if interrupted while waiting outside a transaction
     */
    public E take() {
        return TMap.atomically("TQueue.take", () -> {
            E e = pollIn();
            if (e == null) {
                Stm.retry();
            }
            return e;
        });
    }

    /** The first element, or null if the queue is empty. Reads only the consumer side. */
    @Override
    public E peek() {
        return TMap.atomically("TQueue.peek", () -> {
            Node<E> first = head.get().next.get();
            return first == null ? null : first.item;
        });
    }

    /** Whether the queue is empty. Reads only the consumer side. */
    @Override
    public boolean isEmpty() {
        return TMap.atomically("TQueue.isEmpty", () -> head.get().next.get() == null);
    }

    /** Exact, O(1): reads both counters, so inside a transaction it conflicts with both sides. */
    @Override
    public int size() {
        long n = TMap.atomically("TQueue.size", () -> enqueued.get() - dequeued.get());
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    /** Free places, {@link Integer#MAX_VALUE} when unbounded. */
    public int remainingCapacity() {
        return capacity == Integer.MAX_VALUE ? Integer.MAX_VALUE : capacity - size();
    }

    /** Removes every element; touches both ends. */
    @Override
    public void clear() {
        TMap.atomically("TQueue.clear", () -> {
            Node<E> last = tail.get();
            if (head.get() != last) {
                head.set(last);
                dequeued.set(enqueued.get());
            }
            return null;
        });
    }

    /** All or nothing: adds every element or, if a bounded queue overflows, none. */
    @Override
    public boolean addAll(Collection<? extends E> c) {
        Objects.requireNonNull(c, "c");
        return Stm.atomic("TQueue.addAll", () -> super.addAll(c));
    }

    /** The elements in order, taken in one transaction; O(n). Immutable. */
    public List<E> snapshot() {
        return TMap.atomically("TQueue.snapshot", () -> {
            List<E> out = new ArrayList<>();
            for (Node<E> n = head.get().next.get(); n != null; n = n.next.get()) {
                out.add(n.item);
            }
            return Collections.unmodifiableList(out);
        });
    }

    /** Iterates a snapshot (see {@link #snapshot()}); {@code remove()} is not supported. */
    @Override
    public Iterator<E> iterator() {
        return snapshot().iterator();
    }

    /** Over a snapshot taken now (one transaction), sized by it. */
    @Override
    public Spliterator<E> spliterator() {
        return snapshot().spliterator();
    }

    /** Removes the first element equal to {@code o}, if any; O(n). Null is never an element. */
    @Override
    public boolean remove(Object o) {
        if (o == null) {
            return false;
        }
        return TMap.atomically("TQueue.remove", () -> unlinkIf(o::equals, true));
    }

    /**
     * Removes every element {@code filter} accepts, in one transaction (which may run it again): all
     * or nothing, also inside an enclosing transaction that catches the filter's exception (closed
     * nesting).
     */
    @Override
    public boolean removeIf(Predicate<? super E> filter) {
        Objects.requireNonNull(filter, "filter");
        return Stm.atomic("TQueue.removeIf", () -> unlinkIf(filter, false));
    }

    /** Whether every element of {@code c} is queued, over one snapshot (one transaction). */
    @Override
    public boolean containsAll(Collection<?> c) {
        Objects.requireNonNull(c, "c");
        return Stm.atomic("TQueue.containsAll", () -> super.containsAll(c));
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        Objects.requireNonNull(c, "c");
        return removeIf(c::contains);
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        Objects.requireNonNull(c, "c");
        return removeIf(e -> !c.contains(e));
    }

    // ------------------------------------------------------------------ internals

    private boolean offerIn(E e) {
        if (dequeuedSeen != null && !reserve()) {
            return false;
        }
        Node<E> node = new Node<>(e, nextName);
        Node<E> last = tail.get();
        last.next.set(node);
        tail.set(node);
        enqueued.increment();
        return true;
    }

    /** Bounded queues: whether there is room, reading the consumer side only when it looks full. */
    private boolean reserve() {
        long in = enqueued.get();
        if (in - dequeuedSeen.get() < capacity) {
            return true;
        }
        long out = dequeued.get();
        if (in - out >= capacity) {
            return false;
        }
        dequeuedSeen.set(out);
        return true;
    }

    /** Unlinks the elements {@code filter} accepts (only the first, if {@code firstOnly}). */
    private boolean unlinkIf(Predicate<? super E> filter, boolean firstOnly) {
        Node<E> pred = head.get();
        long removed = 0;
        for (Node<E> n = pred.next.get(); n != null; ) {
            Node<E> next = n.next.get();
            if (filter.test(n.item)) {
                pred.next.set(next);
                if (next == null) {
                    tail.set(pred); // it was the last node
                }
                removed++;
                if (firstOnly) {
                    break;
                }
            } else {
                pred = n;
            }
            n = next;
        }
        if (removed == 0) {
            return false;
        }
        dequeued.add(removed); // the size is enqueued - dequeued; dequeued only grows (see reserve)
        return true;
    }

    private E pollIn() {
        Node<E> dummy = head.get();
        Node<E> first = dummy.next.get();
        if (first == null) {
            return null;
        }
        head.set(first);
        dequeued.increment();
        return first.item;
    }

    private static <E> TRef<Node<E>> ref(String name, String suffix, Node<E> initial) {
        return name == null ? new TRef<>(initial) : TRef.named(name + suffix, initial);
    }

    private static TLong counter(String name, String suffix) {
        return name == null ? TLong.of(0) : TLong.named(name + suffix, 0);
    }
}
