package io.stmactors.stm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The conflict properties the collections promise, measured with {@link Stm#diagnostics()}: two
 * threads doing independent work on one collection must (nearly) never abort each other.
 */
class CollectionConflictTest {
    private static final int N = 20_000;

    /** Runs {@code a} and {@code b} on two threads started together; rethrows their failures. */
    static void inParallel(Runnable a, Runnable b) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (Runnable r : List.of(a, b)) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    r.run();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(30_000);
            assertFalse(t.isAlive(), "worker did not finish in time");
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    private static void assertFewAborts(String what) {
        StmDiagnostics d = Stm.diagnostics();
        long commits = d.commits();
        long aborts = d.aborts();
        System.out.println(what + ": " + d.report());
        assertTrue(commits > 0);
        assertTrue(aborts * 100 < commits, what + ": " + aborts + " aborts for " + commits + " commits\n" + d.report());
    }

    @Test
    @Timeout(60)
    void twoThreadsPuttingDisjointKeysIntoOneMapBarelyConflict() throws Exception {
        TMap<Integer, Integer> map = TMap.named("disjoint");
        Stm.diagnostics().reset();
        inParallel(() -> {
            for (int i = 0; i < N; i++) {
                map.put(i, i);
            }
        }, () -> {
            for (int i = N; i < 2 * N; i++) {
                map.put(i, i);
            }
        });
        assertFewAborts("TMap disjoint puts");
        assertEquals(2 * N, map.size());
        assertEquals(N - 1, map.get(N - 1));
    }

    @Test
    @Timeout(60)
    void twoThreadsAddingDisjointElementsToOneSetBarelyConflict() throws Exception {
        TSet<Integer> set = new TSet<>();
        Stm.diagnostics().reset();
        inParallel(() -> {
            for (int i = 0; i < N; i++) {
                int x = 2 * i;
                Stm.atomic(() -> set.add(x));
            }
        }, () -> {
            for (int i = 0; i < N; i++) {
                int x = 2 * i + 1;
                Stm.atomic(() -> set.add(x));
            }
        });
        assertFewAborts("TSet disjoint adds");
        assertEquals(2 * N, set.size());
    }

    @Test
    @Timeout(60)
    void producerAndConsumerOnANonEmptyQueueDoNotConflict() throws Exception {
        for (TQueue<Integer> q : List.of(TQueue.<Integer>named("unbounded"), TQueue.<Integer>named("bounded", 4 * N))) {
            for (int i = 0; i < N; i++) {
                q.offer(i); // the consumer takes N elements: the queue never runs empty
            }
            List<Integer> received = new ArrayList<>(N);
            Stm.diagnostics().reset();
            inParallel(() -> {
                for (int i = N; i < 2 * N; i++) {
                    assertTrue(q.offer(i));
                }
            }, () -> {
                for (int i = 0; i < N; i++) {
                    received.add(q.poll());
                }
            });
            assertFewAborts("TQueue producer/consumer (" + q.name() + ")");
            assertEquals(N, q.size());
            for (int i = 0; i < N; i++) {
                assertEquals(i, received.get(i));
            }
        }
    }

    @Test
    @Timeout(60)
    void writersOfDifferentArrayElementsNeverConflict() throws Exception {
        TArray<Integer> a = TArray.named("a", 64);
        Stm.diagnostics().reset();
        inParallel(() -> {
            for (int i = 0; i < N; i++) {
                int k = (i % 32) * 2;
                int v = i;
                Stm.atomic(() -> a.set(k, v));
            }
        }, () -> {
            for (int i = 0; i < N; i++) {
                int k = (i % 32) * 2 + 1;
                int v = i;
                Stm.atomic(() -> a.set(k, v));
            }
        });
        assertEquals(0, Stm.diagnostics().aborts(), Stm.diagnostics().report());
    }

    /** Opacity through the collections: a transaction iterating a map sees a constant total. */
    @Test
    @Timeout(60)
    void iterationInsideATransactionIsAConsistentSnapshot() throws Exception {
        TMap<Integer, Integer> accounts = TMap.named("accounts");
        for (int i = 0; i < 200; i++) {
            accounts.put(i, 100);
        }
        inParallel(() -> {
            java.util.Random rnd = new java.util.Random(1);
            for (int i = 0; i < 20_000; i++) {
                int from = rnd.nextInt(200);
                int to = rnd.nextInt(200);
                Stm.atomic(() -> {
                    accounts.merge(from, -1, Integer::sum);
                    accounts.merge(to, 1, Integer::sum);
                });
            }
        }, () -> {
            for (int i = 0; i < 300; i++) {
                int total = Stm.atomic(() -> {
                    int sum = 0;
                    for (int v : accounts.values()) {
                        sum += v;
                    }
                    assertEquals(200, accounts.size());
                    return sum;
                });
                assertEquals(200 * 100, total);
                int outside = 0;
                for (int v : accounts.values()) { // outside: a snapshot too
                    outside += v;
                }
                assertEquals(200 * 100, outside);
            }
        });
    }
}
