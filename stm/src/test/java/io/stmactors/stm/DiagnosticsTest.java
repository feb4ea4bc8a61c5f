package io.stmactors.stm;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.stmactors.stm.StmTestSupport.awaitParked;
import static io.stmactors.stm.StmTestSupport.onOtherThread;
import static io.stmactors.stm.StmTestSupport.runWorkers;
import static io.stmactors.stm.StmTestSupport.startDaemon;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code Stm.diagnostics()}: counters, and a conflict report that names the right references. */
class DiagnosticsTest {

    /** Runs a transaction named {@code name} that is forced to lose exactly one conflict on {@code ref}. */
    private static void loseOnceOn(String name, TLong ref, String winner) {
        loseOnceTo(name, ref, () -> Stm.atomic(winner, () -> ref.increment()));
    }

    /**
     * Runs a transaction named {@code name} that reads {@code ref}, lets {@code winner} run on
     * another thread (it must write {@code ref}) in its first attempt only, then adds 10.
     */
    private static void loseOnceTo(String name, TLong ref, Runnable winner) {
        AtomicInteger attempt = new AtomicInteger();
        Stm.atomic(name, () -> {
            long v = ref.get();
            if (attempt.incrementAndGet() == 1) {
                onOtherThread(winner);
            }
            ref.set(v + 10);
            return null;
        });
    }

    @Test
    void theAbortsOfThisThreadCountConflictsOnlyAndOnlyThisThreads() {
        StmDiagnostics d = Stm.diagnostics();
        TLong x = TLong.of(0);
        long before = d.abortsOnThisThread();
        String label = "mostly reads";
        for (int i = 0; i < 5; i++) {
            Stm.atomic(label, () -> x.get()); // read-only runs: the next run of this label starts without a log
        }
        Stm.atomic(label, () -> x.set(x.get() + 1)); // restarted to record its reads: not an abort
        assertEquals(before, d.abortsOnThisThread(), "a restart of the read-only fast path is not an abort");
        onOtherThread(() -> loseOnceOn("elsewhere", x, "winner elsewhere"));
        assertEquals(before, d.abortsOnThisThread(), "another thread's abort");
        loseOnceOn("here", x, "winner");
        assertEquals(before + 1, d.abortsOnThisThread());
        assertEquals(23, x.get()); // 1, then each loser: its winner's 1 plus its own 10
    }

    @Test
    void aForcedConflictIsAttributedToTheNamedReferenceTransactionAndWinner() {
        Stm.diagnostics().reset();
        TLong hot = TLong.named("hot", 0);
        loseOnceOn("incHot", hot, "hotWinner");
        assertEquals(11, hot.get());
        List<StmDiagnostics.Conflict> rows = Stm.diagnostics().conflicts();
        StmDiagnostics.Conflict row = rows.stream()
                .filter(r -> "incHot".equals(r.transaction()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no conflict row for transaction incHot: " + rows));
        assertTrue(row.reference().contains("hot"), "reference of the row: " + row.reference());
        assertEquals("hotWinner", row.conflictingWith(), "who last committed the reference");
        assertEquals(1, row.aborts());
        assertTrue(row.reason() != null && !row.reason().isEmpty());
        String report = Stm.diagnostics().report();
        assertTrue(report.contains("hot"), report);
        assertTrue(report.contains("incHot"), report);
    }

    /** The row of the single conflict that transaction {@code name} lost. */
    private static StmDiagnostics.Conflict rowOf(String name) {
        List<StmDiagnostics.Conflict> rows = Stm.diagnostics().conflicts();
        return rows.stream()
                .filter(r -> name.equals(r.transaction()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no conflict row for transaction " + name + ": " + rows));
    }

    @Test
    void aWinningWriteOutsideATransactionIsNamedAsSuch() {
        Stm.diagnostics().reset();
        TLong hot = TLong.named("hotSingle", 0);
        loseOnceTo("loserToASingleWrite", hot, hot::increment); // no transaction: one locked write
        assertEquals(11, hot.get());
        assertEquals("(single write outside a transaction)", rowOf("loserToASingleWrite").conflictingWith());
    }

    @Test
    void theWinnerIsNamedByItsWritingCommitNotByALaterReadOnlyOne() {
        Stm.diagnostics().reset();
        TLong hot = TLong.named("hotThenRead", 0);
        loseOnceTo("loserToAWriter", hot, () -> {
            Stm.atomic("theWriter", () -> hot.increment());
            Stm.atomic("aReaderAfterwards", () -> hot.get()); // commits, writes nothing
        });
        assertEquals(11, hot.get());
        assertEquals("theWriter", rowOf("loserToAWriter").conflictingWith());
    }

    @Test
    void countersAreExactWhenQuietAndResetStartsFromZero() throws Exception {
        StmDiagnostics diag = Stm.diagnostics();
        diag.reset();
        assertEquals(0, diag.commits());
        assertEquals(0, diag.aborts());
        assertEquals(0.0, diag.abortRate());
        assertTrue(diag.conflicts().isEmpty(), "reset must forget the conflict table: " + diag.conflicts());
        TLong x = TLong.named("counted", 0);
        for (int i = 0; i < 10; i++) {
            Stm.atomic(() -> x.increment());
        }
        Stm.atomic(() -> x.get()); // read-only commit counts too
        assertEquals(11, diag.commits(), diag.report());
        assertEquals(0, diag.aborts());
        loseOnceOn("countedLoser", x, "countedWinner"); // 1 abort, 2 commits (winner's and ours)
        assertEquals(13, diag.commits(), diag.report());
        assertEquals(1, diag.aborts(), diag.report());
        assertEquals(1.0 / 14, diag.abortRate(), 1e-9);
        long inevitable = diag.inevitableRuns();
        Stm.atomic(() -> {
            Stm.inevitable();
            x.increment();
        });
        assertEquals(inevitable + 1, diag.inevitableRuns());
        // a retry wait, on another thread that then ends (its counts must survive it)
        TLong gate = TLong.of(0);
        Thread waiter = startDaemon("diag-waiter", () -> Stm.atomic(() -> {
            if (gate.get() == 0) {
                Stm.retry();
            }
        }));
        awaitParked(waiter, 5_000);
        gate.set(1);
        waiter.join(5_000);
        assertFalse(waiter.isAlive());
        assertEquals(1, diag.retryWaits());
        assertEquals(14 + 1 + 1, diag.commits(), "inevitable commit, gate.set, the waiter's commit: " + diag.report());
        diag.reset();
        assertEquals(0, diag.commits());
        assertEquals(0, diag.retryWaits());
        assertEquals(0, diag.inevitableRuns());
    }

    @Test
    void countsOfEndedThreadsAreKept() throws Exception {
        StmDiagnostics diag = Stm.diagnostics();
        diag.reset();
        TLong x = TLong.of(0);
        runWorkers("short", 4, 10_000, w -> {
            for (int i = 0; i < 25; i++) {
                Stm.atomic(() -> x.increment());
            }
        });
        assertEquals(100, diag.commits());
        System.gc();
        assertEquals(100, diag.commits(), "commits of ended threads were dropped");
        assertEquals(100, diag.commits());
    }

    @Test
    void unnamedTransactionsAreNamedByTheirCallSite() {
        Stm.diagnostics().reset();
        TLong ref = TLong.named("site-ref", 0);
        AtomicInteger attempt = new AtomicInteger();
        Stm.atomic(() -> {
            long v = ref.get();
            if (attempt.incrementAndGet() == 1) {
                onOtherThread(() -> ref.set(5));
            }
            ref.set(v + 1);
        });
        StmDiagnostics.Conflict row = Stm.diagnostics().conflicts().stream()
                .filter(r -> r.reference().contains("site-ref"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(Stm.diagnostics().report()));
        assertTrue(row.transaction().contains("DiagnosticsTest"), "transaction named " + row.transaction());
    }

    /**
     * TRef's own helpers (updateAndGet, getAndSet, ...) run a body class of the engine's: every
     * caller shares it. Their aborts must not all be named by the line of whichever caller aborted
     * first (the call site was cached per body class); they are named by the helper (a stack walk
     * per abort, to find each caller's line, costs 10-30 µs), and the reference tells where.
     */
    @Test
    void abortsOfTRefHelpersAreNamedByTheHelperNotByAnotherCallersLine() {
        Stm.diagnostics().reset();
        TRef<Integer> a = TRef.named("helper-site-a", 0);
        TRef<Integer> b = TRef.named("helper-site-b", 0);
        updateLosingOnce(a);
        updateLosingOnce(b); // same helper body class from another call: named the same, by the helper
        assertEquals("TRef.updateAndGet", transactionOf("helper-site-a"), Stm.diagnostics().report());
        assertEquals("TRef.updateAndGet", transactionOf("helper-site-b"), Stm.diagnostics().report());
    }

    private static void updateLosingOnce(TRef<Integer> ref) {
        AtomicInteger calls = new AtomicInteger();
        ref.updateAndGet(v -> {
            if (calls.incrementAndGet() == 1) {
                onOtherThread(() -> ref.set(5));
            }
            return v + 1;
        });
    }

    private static String transactionOf(String refName) {
        return Stm.diagnostics().conflicts().stream()
                .filter(r -> r.reference().contains(refName))
                .findFirst()
                .orElseThrow(() -> new AssertionError(Stm.diagnostics().report()))
                .transaction();
    }

    /**
     * An afterRollback hook that runs a small transaction of its own (logging the conflict, say)
     * must not make the next aborts of the enclosing transaction anonymous.
     * <p>Fails against the engine as first written; reproduce with
     * {@code mvn -B -q -pl stm verify -Dtest=DiagnosticsTest#transactionInsideARollbackHookKeepsTheOuterTransactionsName}.
     */
    @Test
    void transactionInsideARollbackHookKeepsTheOuterTransactionsName() {
        Stm.diagnostics().reset();
        TLong ref = TLong.named("renamed-ref", 0);
        TLong rollbacks = TLong.of(0);
        AtomicInteger attempt = new AtomicInteger();
        Stm.atomic("keepsItsName", () -> {
            long v = ref.get();
            Stm.afterRollback(() -> Stm.atomic(() -> rollbacks.increment()));
            if (attempt.incrementAndGet() <= 2) { // lose twice
                onOtherThread(() -> ref.increment());
            }
            ref.set(v + 1);
            return null;
        });
        assertEquals(2, rollbacks.get());
        long attributed = Stm.diagnostics().conflicts().stream()
                .filter(r -> "keepsItsName".equals(r.transaction()))
                .mapToLong(StmDiagnostics.Conflict::aborts)
                .sum();
        assertEquals(2, attributed, "aborts attributed to the named transaction:\n" + Stm.diagnostics().report());
    }

    /** Two threads fighting over {@code TLong.named("hot")}: the report names it, rows name it. */
    @Test
    @Tag("stress")
    void contendedNamedReferenceAppearsInTheReport() throws Exception {
        Stm.diagnostics().reset();
        TLong hot = TLong.named("hot", 0);
        runWorkers("hot", 2, 20_000, w -> {
            for (int i = 0; i < 20_000; i++) {
                Stm.atomic("hotIncrement", () -> {
                    long v = hot.get();
                    StmTestSupport.jitter(20, 4);
                    hot.set(v + 1);
                    return null;
                });
            }
        });
        assertEquals(40_000, hot.get());
        StmDiagnostics diag = Stm.diagnostics();
        assertTrue(diag.aborts() > 0, "no conflict happened, the test proves nothing: " + diag.report());
        String report = diag.report();
        assertTrue(report.contains("'hot'"), report);
        List<StmDiagnostics.Conflict> rows = diag.conflicts();
        assertFalse(rows.isEmpty());
        long attributed = 0;
        for (StmDiagnostics.Conflict r : rows) {
            if (r.transaction().equals("hotIncrement")) {
                assertTrue(r.reference().contains("hot"), "row blames " + r.reference() + ": " + r);
                attributed += r.aborts();
            }
        }
        assertEquals(diag.aborts(), attributed, "every abort must be attributed to hot:\n" + report);
        System.out.print(report);
    }
}
