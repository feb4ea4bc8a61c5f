package io.stmactors.stm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class TQueueTest {

    @ParameterizedTest
    @EnumSource(Mode.class)
    void fifoOfferPollPeekSize(Mode mode) {
        TQueue<String> q = new TQueue<>();
        assertNull(mode.call(q::poll));
        assertNull(mode.call(q::peek));
        for (int i = 0; i < 10; i++) {
            String s = "e" + i;
            assertTrue(mode.call(() -> q.offer(s)));
        }
        assertEquals(10, mode.call(q::size));
        assertEquals("e0", mode.call(q::peek));
        for (int i = 0; i < 10; i++) {
            assertEquals("e" + i, mode.call(q::poll));
            assertEquals(9 - i, mode.call(q::size));
        }
        assertTrue(mode.call(q::isEmpty));
        assertThrows(NoSuchElementException.class, q::remove);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void boundedOfferFailsWhenFull(Mode mode) {
        TQueue<Integer> q = TQueue.bounded(3);
        assertEquals(3, q.capacity());
        for (int i = 0; i < 3; i++) {
            int x = i;
            assertTrue(mode.call(() -> q.offer(x)));
        }
        assertFalse(mode.call(() -> q.offer(99)));
        assertThrows(IllegalStateException.class, () -> q.add(99));
        assertEquals(0, q.remainingCapacity());
        assertEquals(0, mode.call(q::poll));
        assertTrue(mode.call(() -> q.offer(3)));
        assertEquals(List.of(1, 2, 3), q.snapshot());
        assertFalse(q.offer(4));
        assertThrows(IllegalArgumentException.class, () -> TQueue.bounded(0));
    }

    @Test
    void snapshotIteratorAndClear() {
        TQueue<Integer> q = TQueue.named("q");
        for (int i = 0; i < 5; i++) {
            q.offer(i);
        }
        List<Integer> seen = new ArrayList<>();
        q.forEach(seen::add);
        assertEquals(List.of(0, 1, 2, 3, 4), seen);
        assertEquals("[0, 1, 2, 3, 4]", q.toString());
        q.clear();
        assertEquals(0, q.size());
        assertNull(q.poll());
        q.offer(7);
        assertEquals(7, q.take());
    }

    @Test
    void rollbackRestoresBothEnds() {
        TQueue<Integer> q = new TQueue<>();
        q.offer(1);
        q.offer(2);
        assertThrows(IllegalStateException.class, () -> Stm.atomic(() -> {
            assertEquals(1, q.poll());
            q.offer(3);
            q.offer(4);
            throw new IllegalStateException("roll back");
        }));
        assertEquals(List.of(1, 2), q.snapshot());
        assertEquals(2, q.size());
    }

    @Test
    @Timeout(10)
    void takeOnEmptyQueueWakesOnOffer() throws Exception {
        TQueue<String> q = new TQueue<>();
        AtomicReference<String> got = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread consumer = new Thread(() -> {
            started.countDown();
            got.set(q.take());
        });
        consumer.start();
        started.await();
        Thread.sleep(50); // let it reach Stm.retry() and park
        assertTrue(consumer.isAlive(), "take() on an empty queue must wait");
        q.offer("hello");
        consumer.join(5000);
        assertFalse(consumer.isAlive());
        assertEquals("hello", got.get());
    }

    @Test
    @Timeout(10)
    void takeInsideATransactionWaitsForTheWholeCondition() throws Exception {
        TQueue<Integer> a = new TQueue<>();
        TQueue<Integer> b = new TQueue<>();
        AtomicReference<Integer> sum = new AtomicReference<>();
        Thread consumer = new Thread(() -> sum.set(Stm.atomic(() -> a.take() + b.take())));
        consumer.start();
        a.offer(1);
        Thread.sleep(50);
        assertTrue(consumer.isAlive(), "needs both queues non-empty");
        assertEquals(1, a.size(), "the retried transaction must not have consumed a's element");
        b.offer(2);
        consumer.join(5000);
        assertEquals(3, sum.get());
        assertTrue(a.isEmpty() && b.isEmpty());
    }

    @Test
    @Timeout(20)
    void boundedPutAndTakeTransferEverythingInOrder() throws Exception {
        TQueue<Integer> q = TQueue.bounded(4);
        int n = 20_000;
        List<Integer> received = new ArrayList<>(n);
        Thread producer = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                q.put(i);
            }
        });
        Thread consumer = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                received.add(q.take());
            }
        });
        producer.start();
        consumer.start();
        producer.join(15_000);
        consumer.join(15_000);
        assertFalse(producer.isAlive() || consumer.isAlive());
        assertEquals(n, received.size());
        for (int i = 0; i < n; i++) {
            assertEquals(i, received.get(i));
        }
        assertTrue(q.isEmpty());
    }

    @Test
    @Timeout(10)
    void putOnFullQueueWaitsForAPoll() throws Exception {
        TQueue<Integer> q = TQueue.bounded(1);
        q.put(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread producer = new Thread(() -> {
            q.put(2);
            done.countDown();
        });
        producer.start();
        assertFalse(done.await(50, TimeUnit.MILLISECONDS), "put() on a full queue must wait");
        assertEquals(1, q.poll());
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(2, q.poll());
    }

    /**
     * remove(Object), removeIf, removeAll and retainAll remove (AbstractCollection's went through
     * the snapshot iterator, whose remove() is unsupported: remove of a present element threw a bare
     * UnsupportedOperationException); the size, the order, both ends and a bounded queue's room stay right.
     */
    @Test
    void elementsAreRemovedFromAnyPlace() {
        TQueue<String> q = TQueue.bounded(5);
        q.addAll(List.of("a", "b", "c", "d", "e"));
        assertFalse(q.offer("f"), "full");
        assertTrue(q.remove("c"));
        assertFalse(q.remove("c"));
        assertFalse(q.remove(null));
        assertEquals(List.of("a", "b", "d", "e"), q.snapshot());
        assertEquals(4, q.size());
        assertTrue(q.offer("f"), "room again");
        assertTrue(q.remove("f"), "the last element: tail moves back");
        assertTrue(q.offer("g"));
        assertEquals(List.of("a", "b", "d", "e", "g"), q.snapshot());
        assertTrue(q.remove("a"), "the first element");
        assertEquals("b", q.peek());
        assertTrue(q.removeAll(List.of("b", "g", "zz")));
        assertEquals(List.of("d", "e"), q.snapshot());
        assertTrue(q.retainAll(List.of("e")));
        assertFalse(q.retainAll(List.of("e")));
        assertEquals(List.of("e"), q.snapshot());
        assertTrue(q.removeIf("e"::equals));
        assertTrue(q.isEmpty());
        assertEquals(0, q.size());
        assertTrue(q.offer("h"));
        assertEquals("h", q.poll());
        assertNull(q.poll());
        q.offer("i");
        var it = q.iterator();
        it.next();
        assertThrows(UnsupportedOperationException.class, it::remove, "a snapshot iterator does not remove");
        assertEquals(1, q.size());
    }

    @Test
    void aRemovalRollsBackWithItsTransaction() {
        TQueue<Integer> q = new TQueue<>();
        q.addAll(List.of(1, 2, 3));
        assertThrows(IllegalStateException.class, () -> Stm.atomic(() -> {
            q.removeIf(e -> e != 2);
            assertEquals(List.of(2), q.snapshot());
            throw new IllegalStateException("roll back");
        }));
        assertEquals(List.of(1, 2, 3), q.snapshot());
        assertEquals(3, q.size());
        q.offer(4);
        assertEquals(List.of(1, 2, 3, 4), q.snapshot());
    }

    /**
     * A filter that throws part-way through a removeIf inside a transaction that catches the
     * exception: the unlinks made before it were kept but the size was not updated (the removal
     * counted its elements only at the end), so size() said 3 for a queue of 2.
     */
    @Test
    void aRemovalWhoseFilterThrowsInsideATransactionRemovesNothing() {
        TQueue<Integer> q = new TQueue<>();
        q.addAll(List.of(1, 2, 3));
        Stm.atomic(() -> {
            try {
                q.removeIf(e -> {
                    if (e == 3) {
                        throw new IllegalStateException("filter fails");
                    }
                    return e == 1;
                });
                fail("the filter threw");
            } catch (IllegalStateException expected) {
                // the enclosing transaction goes on
            }
        });
        assertEquals(List.of(1, 2, 3), q.snapshot());
        assertEquals(3, q.size());
        assertEquals(1, q.poll());
    }

    /**
     * containsAll outside a transaction is atomic on its own: it took one snapshot per element, so a
     * queue that always holds exactly one of "a" and "b" was found to hold both when the other
     * thread swapped them between two lookups.
     */
    @Test
    void containsAllIsOneSnapshot() throws Exception {
        TQueue<String> q = new TQueue<>();
        q.offer("a");
        AtomicBoolean swapped = new AtomicBoolean();
        Collection<String> both = new AbstractCollection<>() {
            @Override
            public Iterator<String> iterator() {
                Iterator<String> it = List.of("a", "b").iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public String next() {
                        String s = it.next();
                        if (s.equals("b") && swapped.compareAndSet(false, true)) {
                            Thread t = new Thread(() -> Stm.atomic(() -> {
                                q.poll();
                                q.offer("b");
                            }));
                            t.start();
                            try {
                                t.join();
                            } catch (InterruptedException e) {
                                throw new AssertionError(e);
                            }
                        }
                        return s;
                    }
                };
            }

            @Override
            public int size() {
                return 2;
            }
        };
        assertFalse(q.containsAll(both), "the queue never holds both");
        assertTrue(swapped.get());
        assertEquals(List.of("b"), q.snapshot());
    }

    @Test
    void aQueueThatHoldsItselfPrintsWithoutEndlessRecursion() {
        TQueue<Object> q = new TQueue<>();
        q.offer("a");
        q.offer(q);
        assertEquals("[a, (this Collection)]", q.toString());
    }
}
