package io.stmactors.stm;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import static io.stmactors.stm.StmTestSupport.Deadline;
import static io.stmactors.stm.StmTestSupport.jitter;
import static io.stmactors.stm.StmTestSupport.runWorkers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A randomized serializability checker.
 *
 * <p>K threads run random small transactions over M references. Every reference holds the head of
 * an immutable list of the transactions that wrote it ({@link Node}): a write prepends the writing
 * transaction's id to the list it read, so each reference carries its complete version order.
 * Every transaction records, per reference read, the id of the version it saw. Some transactions
 * are read-only, some write inside a nested scope that rolls back or in an {@code orElse} branch
 * that retries (those writes must vanish), some run inevitable.
 *
 * <p>After the run the checker verifies that every committed write is in its reference's version
 * list exactly once and nothing else is (no lost or phantom writes), then builds the precedence
 * graph of the committed transactions — write-read (reads-from), write-write (version order) and
 * read-write anti-dependencies (a reader precedes the writer of the next version) — and checks that
 * it is acyclic, i.e. that the history is conflict-serializable.
 */
@Tag("stress")
class SerializabilityCheckerTest {

    /** One version of a reference: written by transaction {@code txn}, on top of {@code prev}. */
    record Node(long txn, Node prev) {
    }

    /** A committed transaction: the versions it read and the references it wrote. */
    record Committed(long id, int[] readRefs, long[] readVersions, int[] writeRefs) {
    }

    /** What a transaction will do; chosen before it starts so that every attempt does the same. */
    record Plan(int[] reads, int[] writes, Style style) {
    }

    enum Style { PLAIN, NESTED_ROLLBACK_THEN_WRITE, OR_ELSE_RETRY_THEN_WRITE, INEVITABLE, INEVITABLE_MID }

    @ParameterizedTest(name = "{0} threads, {1} refs")
    @CsvSource({"3, 6", "4, 32"})
    void randomHistoriesAreConflictSerializable(int threads, int refCount) throws Exception {
        @SuppressWarnings("unchecked")
        TRef<Node>[] refs = new TRef[refCount];
        for (int i = 0; i < refCount; i++) {
            refs[i] = TRef.of(new Node(0, null)); // version 0: the initial state
        }
        AtomicLong ids = new AtomicLong();
        ConcurrentLinkedQueue<Committed> history = new ConcurrentLinkedQueue<>();
        Deadline deadline = new Deadline(1_500);
        runWorkers("ser", threads, 30_000, w -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            for (int n = 0; n < 30_000 && !deadline.expired(); n++) {
                Plan plan = plan(rnd, refCount);
                history.add(Stm.atomic(() -> run(plan, refs, ids.incrementAndGet())));
            }
        });
        check(refs, new ArrayList<>(history));
    }

    /** The checker itself must reject a write-skew history (as snapshot isolation would allow). */
    @org.junit.jupiter.api.Test
    void checkerRejectsWriteSkewAndLostUpdates() {
        Node initial = new Node(0, null);
        List<Committed> skew = new ArrayList<>();
        skew.add(new Committed(1, new int[] {0, 1}, new long[] {0, 0}, new int[] {0}));
        skew.add(new Committed(2, new int[] {0, 1}, new long[] {0, 0}, new int[] {1}));
        for (int i = 0; i < 200; i++) { // padding so that the "too few transactions" check is not what fails
            skew.add(new Committed(10 + i, new int[] {2}, new long[] {0}, new int[0]));
        }
        @SuppressWarnings("unchecked")
        TRef<Node>[] refs = new TRef[] {TRef.of(new Node(1, initial)), TRef.of(new Node(2, initial)), TRef.of(initial)};
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> check(refs, skew));
        assertTrue(e.getMessage().contains("not serializable"), e.getMessage());

        List<Committed> lost = new ArrayList<>(skew.subList(2, skew.size()));
        lost.add(new Committed(1, new int[] {0}, new long[] {0}, new int[] {0}));
        lost.add(new Committed(2, new int[] {0}, new long[] {0}, new int[] {0}));
        @SuppressWarnings("unchecked")
        TRef<Node>[] refs2 = new TRef[] {TRef.of(new Node(2, initial)), TRef.of(initial), TRef.of(initial)};
        AssertionError e2 = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> check(refs2, lost));
        assertTrue(e2.getMessage().contains("lost update"), e2.getMessage());
    }

    private static Plan plan(ThreadLocalRandom rnd, int refCount) {
        int nReads = 1 + rnd.nextInt(Math.min(4, refCount));
        int[] all = rnd.ints(0, refCount).distinct().limit(nReads).toArray();
        int nWrites = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(Math.min(2, nReads) + 1); // ~25% read-only
        int[] writes = Arrays.copyOf(all, nWrites); // writes are a subset of the reads (the list head is needed)
        Style[] styles = Style.values();
        int pick = rnd.nextInt(100);
        Style style = pick < 70 ? Style.PLAIN : pick < 80 ? Style.NESTED_ROLLBACK_THEN_WRITE
                : pick < 90 ? Style.OR_ELSE_RETRY_THEN_WRITE : pick < 95 ? Style.INEVITABLE : styles[4];
        // shuffle the read order so that writers lock and readers read in varying orders
        for (int i = all.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return new Plan(all, writes, style);
    }

    private static Committed run(Plan plan, TRef<Node>[] refs, long id) {
        if (plan.style() == Style.INEVITABLE) {
            Stm.inevitable();
        }
        int[] reads = plan.reads();
        long[] versions = new long[reads.length];
        Map<Integer, Node> heads = new HashMap<>();
        for (int i = 0; i < reads.length; i++) {
            Node head = refs[reads[i]].get();
            versions[i] = head.txn();
            heads.put(reads[i], head);
            jitter(5, 8);
            if (plan.style() == Style.INEVITABLE_MID && i == 0) {
                Stm.inevitable();
            }
        }
        if (plan.style() == Style.NESTED_ROLLBACK_THEN_WRITE) {
            try {
                Stm.atomic(() -> {
                    for (int r : plan.reads()) {
                        refs[r].set(new Node(-id, heads.get(r))); // must vanish
                    }
                    throw new IllegalStateException("roll back the inner scope");
                });
            } catch (IllegalStateException expected) {
                // go on
            }
        } else if (plan.style() == Style.OR_ELSE_RETRY_THEN_WRITE) {
            Stm.orElse(() -> {
                for (int r : plan.reads()) {
                    refs[r].set(new Node(-id, heads.get(r))); // must vanish
                }
                Stm.retry();
                return null;
            }, () -> null);
        }
        for (int r : plan.writes()) {
            Node current = refs[r].get(); // after a rolled-back scope: must be the head read before
            if (current != heads.get(r)) {
                throw new AssertionError("txn " + id + " re-read ref " + r + " and got " + current.txn()
                        + " instead of " + heads.get(r).txn());
            }
            refs[r].set(new Node(id, current));
            jitter(3, 16);
        }
        return new Committed(id, reads, versions, plan.writes());
    }

    private static void check(TRef<Node>[] refs, List<Committed> history) {
        Map<Long, Integer> index = new HashMap<>();
        for (int i = 0; i < history.size(); i++) {
            if (index.put(history.get(i).id(), i) != null) {
                fail("transaction id committed twice: " + history.get(i).id());
            }
        }
        int m = refs.length;
        // version order of every reference, oldest first (version 0 = initial), and each version's position
        List<long[]> order = new ArrayList<>();
        List<Map<Long, Integer>> position = new ArrayList<>();
        long writesInLists = 0;
        for (TRef<Node> ref : refs) {
            ArrayDeque<Long> chain = new ArrayDeque<>();
            for (Node n = ref.get(); n != null; n = n.prev()) {
                chain.addFirst(n.txn());
            }
            long[] versions = chain.stream().mapToLong(Long::longValue).toArray();
            assertEquals(0L, versions[0], "a version list does not start at the initial state");
            Map<Long, Integer> pos = new HashMap<>();
            for (int i = 0; i < versions.length; i++) {
                if (i > 0 && !index.containsKey(versions[i])) {
                    fail("version written by a transaction that never committed (or a rolled-back write): " + versions[i]);
                }
                if (pos.put(versions[i], i) != null) {
                    fail("transaction " + versions[i] + " appears twice in one version list");
                }
            }
            writesInLists += versions.length - 1;
            order.add(versions);
            position.add(pos);
        }
        long committedWrites = 0;
        for (Committed c : history) {
            for (int r : c.writeRefs()) {
                committedWrites++;
                if (!position.get(r).containsKey(c.id())) {
                    fail("lost update: committed transaction " + c.id() + " wrote ref " + r + " but is not in its version list");
                }
            }
        }
        assertEquals(committedWrites, writesInLists, "version lists and committed writes disagree");

        // precedence graph over committed transactions
        int n = history.size();
        List<Set<Integer>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new HashSet<>());
        }
        for (int t = 0; t < n; t++) {
            Committed c = history.get(t);
            for (int k = 0; k < c.readRefs().length; k++) {
                int r = c.readRefs()[k];
                long v = c.readVersions()[k];
                Integer p = position.get(r).get(v);
                if (p == null) {
                    fail("transaction " + c.id() + " read version " + v + " of ref " + r + ", which is not in its list");
                }
                long[] versions = order.get(r);
                if (v != 0) {
                    out.get(index.get(v)).add(t); // write -> read
                }
                if (p + 1 < versions.length) {
                    int next = index.get(versions[p + 1]);
                    if (next != t) {
                        out.get(t).add(next); // read -> next write (anti-dependency)
                    }
                }
            }
            for (int r : c.writeRefs()) {
                int p = position.get(r).get(c.id());
                long prev = order.get(r)[p - 1];
                if (prev != 0) {
                    out.get(index.get(prev)).add(t); // write -> write
                }
            }
        }
        // Kahn's algorithm
        int[] indegree = new int[n];
        for (Set<Integer> targets : out) {
            for (int target : targets) {
                indegree[target]++;
            }
        }
        ArrayDeque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            if (indegree[i] == 0) {
                ready.add(i);
            }
        }
        int sorted = 0;
        while (!ready.isEmpty()) {
            int t = ready.poll();
            sorted++;
            for (int target : out.get(t)) {
                if (--indegree[target] == 0) {
                    ready.add(target);
                }
            }
        }
        if (sorted != n) {
            fail("the history is not serializable: " + (n - sorted) + " of " + n
                    + " transactions are on or behind a cycle, e.g. " + describeCycle(history, out, indegree));
        }
        assertTrue(n > 100, "too few transactions ran: " + n);
        System.out.printf("serializability: %d transactions over %d refs, %d committed writes, acyclic%n",
                n, m, committedWrites);
    }

    /** A cycle among the unsorted nodes, for the failure message. */
    private static String describeCycle(List<Committed> history, List<Set<Integer>> out, int[] indegree) {
        int start = -1;
        for (int i = 0; i < indegree.length; i++) {
            if (indegree[i] > 0) {
                start = i;
                break;
            }
        }
        Map<Integer, Integer> seenAt = new HashMap<>();
        List<Integer> path = new ArrayList<>();
        int cur = start;
        while (!seenAt.containsKey(cur)) {
            seenAt.put(cur, path.size());
            path.add(cur);
            int nextNode = -1;
            for (int t : out.get(cur)) {
                if (indegree[t] > 0) {
                    nextNode = t;
                    break;
                }
            }
            if (nextNode < 0) {
                return "(no cycle found from " + start + ")";
            }
            cur = nextNode;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = seenAt.get(cur); i < path.size(); i++) {
            Committed c = history.get(path.get(i));
            sb.append("\n  txn ").append(c.id()).append(" read refs ").append(Arrays.toString(c.readRefs()))
                    .append(" versions ").append(Arrays.toString(c.readVersions()))
                    .append(" wrote ").append(Arrays.toString(c.writeRefs()));
        }
        return sb.toString();
    }
}
