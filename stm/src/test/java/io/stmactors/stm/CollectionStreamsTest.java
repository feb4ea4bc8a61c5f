package io.stmactors.stm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Each call on a map view, a set or a queue outside a transaction is atomic on its own, streams
 * included: a stream walks one snapshot and is sized by it. The default spliterator took the
 * snapshot and then {@code size()} in another transaction, so a concurrent insertion or removal made
 * {@code stream().toArray()}, {@code toList()} and {@code sorted()} throw ("Accept exceeded fixed
 * size", ArrayIndexOutOfBoundsException); those tests failed within a second before the fix.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CollectionStreamsTest {

    /** Runs {@code check} repeatedly while a writer inserts and removes keys (changing the size). */
    private static List<String> underChurn(TMap<Integer, Integer> m, TSet<Integer> s, int millis,
                                           Supplier<String> check) throws Exception {
        for (int i = 0; i < 100; i++) {
            m.put(i, i);
            s.add(i);
        }
        int[] k = {0};
        return whileChurning(() -> {
            int key = 1000 + (k[0]++ % 50);
            if (m.putIfAbsent(key, key) != null) {
                m.remove(key);
            }
            if (!s.add(key)) {
                s.remove(key);
            }
        }, millis, check);
    }

    /**
     * Runs {@code check} repeatedly for {@code millis} (or until 5 failures) while another thread
     * repeats {@code churnStep}; returns what {@code check} reported or threw.
     */
    private static List<String> whileChurning(Runnable churnStep, int millis, Supplier<String> check)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> bad = new ConcurrentLinkedQueue<>();
        StmTestSupport.Workers w = new StmTestSupport.Workers();
        w.start("churn", 1, idx -> {
            while (!stop.get()) {
                churnStep.run();
            }
        });
        w.start("reader", 1, idx -> {
            StmTestSupport.Deadline d = new StmTestSupport.Deadline(millis);
            while (!d.expired() && bad.size() < 5) {
                try {
                    String b = check.get();
                    if (b != null) {
                        bad.add(b);
                    }
                } catch (RuntimeException e) {
                    bad.add(e.toString());
                }
            }
            stop.set(true);
        });
        w.joinAll(millis + 5000);
        return new ArrayList<>(bad);
    }

    @Test
    void keySetStreamToArrayOutsideTransaction() throws Exception {
        TMap<Integer, Integer> m = new TMap<>();
        TSet<Integer> s = new TSet<>();
        List<String> bad = underChurn(m, s, 1500, () -> {
            Object[] a = m.keySet().stream().toArray();
            return a.length >= 100 && a.length <= 150 ? null : "length " + a.length;
        });
        assertTrue(bad.isEmpty(), "keySet().stream().toArray(): " + bad);
    }

    @Test
    void tsetStreamToListOutsideTransaction() throws Exception {
        TMap<Integer, Integer> m = new TMap<>();
        TSet<Integer> s = new TSet<>();
        List<String> bad = underChurn(m, s, 1500, () -> {
            List<Integer> l = s.stream().toList();
            return l.size() >= 100 && l.size() <= 150 ? null : "size " + l.size();
        });
        assertTrue(bad.isEmpty(), "TSet.stream().toList(): " + bad);
    }

    @Test
    void valuesAndEntriesStreamToArrayOutsideTransaction() throws Exception {
        TMap<Integer, Integer> m = new TMap<>();
        TSet<Integer> s = new TSet<>();
        List<String> bad = underChurn(m, s, 1500, () -> {
            int a = m.values().stream().toArray().length;
            int b = m.entrySet().stream().toArray().length;
            return a >= 100 && b >= 100 ? null : "lengths " + a + " " + b;
        });
        assertTrue(bad.isEmpty(), "values()/entrySet().stream().toArray(): " + bad);
    }

    @Test
    void bulkReadsOutsideAreSelfConsistent() throws Exception {
        TMap<Integer, Integer> m = new TMap<>();
        TSet<Integer> s = new TSet<>();
        List<String> bad = underChurn(m, s, 1500, () -> {
            Map<Integer, Integer> snap = m.snapshot();
            String str = m.toString();
            int commas = str.length() <= 2 ? 0 : str.split(", ").length;
            if (commas < 100 || commas > 150) {
                return "toString entries " + commas;
            }
            Object[] ks = m.keySet().toArray();
            Integer[] ks2 = m.keySet().toArray(new Integer[0]);
            Object[] ss = s.toArray();
            if (ks.length < 100 || ks2.length < 100 || ss.length < 100) {
                return "toArray " + ks.length + " " + ks2.length + " " + ss.length;
            }
            for (Object o : ks2) {
                if (o == null) {
                    return "null in toArray(T[])";
                }
            }
            if (snap.size() < 100) {
                return "snapshot " + snap.size();
            }
            Set<Integer> sset = s.snapshot();
            if (sset.size() < 100) {
                return "set snapshot " + sset.size();
            }
            return null;
        });
        assertTrue(bad.isEmpty(), "bulk reads: " + bad);
    }

    @Test
    void keySetEqualityOutsideUnderChurnIsAtomic() throws Exception {
        // The key set of 0..99 never changes; keys >= 1000 churn. A copy's equality with itself
        // taken atomically must hold; spliterator-based collectors must not throw.
        TMap<Integer, Integer> m = new TMap<>();
        TSet<Integer> s = new TSet<>();
        List<String> bad = underChurn(m, s, 1000, () -> {
            long n = m.keySet().stream().filter(k -> k < 100).count();
            if (n != 100) {
                return "filtered count " + n;
            }
            long c = s.parallelStream().filter(k -> k < 100).count();
            return c == 100 ? null : "parallel count " + c;
        });
        assertTrue(bad.isEmpty(), "stream count: " + bad);
    }

    @Test
    void keySetStreamSortedOutsideTransaction() throws Exception {
        TMap<Integer, Integer> m = new TMap<>();
        TSet<Integer> s = new TSet<>();
        List<String> bad = underChurn(m, s, 1500, () -> {
            List<Integer> l = m.keySet().stream().sorted().toList();
            return l.size() >= 100 ? null : "size " + l.size();
        });
        assertTrue(bad.isEmpty(), "keySet().stream().sorted().toList(): " + bad);
    }

    /** The same calls inside a transaction are consistent (control: the engine is fine). */
    @Test
    void streamsInsideTransactionAreFine() throws Exception {
        TMap<Integer, Integer> m = new TMap<>();
        TSet<Integer> s = new TSet<>();
        List<String> bad = underChurn(m, s, 1000, () -> Stm.atomic(() -> {
            int a = m.keySet().stream().toArray().length;
            int b = s.stream().toList().size();
            return a >= 100 && b >= 100 ? null : "lengths " + a + " " + b;
        }));
        assertTrue(bad.isEmpty(), "inside a transaction: " + bad);
    }

    @Test
    void queueStreamsUnderChurnOutsideTransaction() throws Exception {
        TQueue<Integer> q = new TQueue<>();
        for (int i = 0; i < 100; i++) {
            q.offer(i);
        }
        List<Integer> first = java.util.stream.IntStream.range(0, 100).boxed().toList();
        int[] k = {0};
        List<String> bad = whileChurning(() -> {
            if (k[0]++ % 2 == 0) {
                q.offer(1000 + k[0]);
            } else {
                q.removeIf(e -> e >= 1000); // one transaction: the first 100 elements stay
            }
        }, 1500, () -> {
            List<Integer> l = q.stream().sorted().toList();
            Object[] a = q.stream().toArray();
            return l.size() >= 100 && a.length >= 100 && l.subList(0, 100).equals(first)
                    ? null : "sizes " + l.size() + " " + a.length;
        });
        assertTrue(bad.isEmpty(), "TQueue streams: " + bad);
    }
}
