package io.stmactors.stm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A transaction whose commit another process decides must not be escalated to inevitable after repeated
 * conflicts when the replication hooks say so (an isolated-mode worker: an inevitable attempt there held the
 * process-wide token while it waited for the worker's update installer, which needed the token to escalate
 * in turn, until the owner timeout). Other transactions still escalate, and {@link Stm#inevitable()} is
 * still honoured.
 */
class ReplicationEscalationTest {

    /** Rejects the first {@code rejections} commits of bound references; answers mayEscalate as told. */
    private static final class RejectingHooks implements Replication.Hooks {
        final boolean escalates;
        int rejections;
        final List<Object> escalationQuestions = new ArrayList<>();

        RejectingHooks(boolean escalates, int rejections) {
            this.escalates = escalates;
            this.rejections = rejections;
        }

        @Override
        public void beforeRead(Object binding) {
        }

        @Override
        public Object onCommit(Replication.CommitView commit) {
            if (rejections > 0) {
                rejections--;
                return commit.writeRef(0);
            }
            return null;
        }

        @Override
        public boolean mayEscalate(Replication.CommitView aborted) {
            // the aborted attempt is still in view: the hook can see what it wrote
            escalationQuestions.add(aborted.writeCount() > 0 ? aborted.writeBinding(0) : null);
            return escalates;
        }
    }

    private static void withHooks(Replication.Hooks hooks, Runnable test) {
        Replication.install(hooks);
        try {
            test.run();
        } finally {
            Replication.uninstall(hooks);
        }
    }

    /** Runs {@code r += 1} as one transaction; returns, per attempt, whether it ran inevitable. */
    private static List<Boolean> incrementRecordingAttempts(TLong r) {
        List<Boolean> attempts = new ArrayList<>();
        Stm.atomic(() -> {
            attempts.add(Stm.isInevitable());
            r.increment();
        });
        return attempts;
    }

    @Test
    void aTransactionTheHooksKeepFromEscalatingOnlyBacksOffUntilItCommits() {
        int rejections = 3 * TxnDescriptor.ESCALATE_AFTER;
        RejectingHooks hooks = new RejectingHooks(false, rejections);
        withHooks(hooks, () -> {
            TLong r = TLong.of(0);
            Replication.bind(r, "r's binding");
            List<Boolean> attempts = incrementRecordingAttempts(r);
            assertEquals(rejections + 1, attempts.size(), "every rejection re-runs the body");
            assertFalse(attempts.contains(true), () -> "no attempt ran inevitable: " + attempts);
            assertEquals(1L, Replication.peek(r));
            assertEquals(rejections - TxnDescriptor.ESCALATE_AFTER + 1, hooks.escalationQuestions.size(),
                    "asked after each conflict from the escalation threshold on");
            assertTrue(hooks.escalationQuestions.stream().allMatch("r's binding"::equals),
                    () -> "each question showed the aborted attempt's write: " + hooks.escalationQuestions);
            Replication.bind(r, null);
        });
    }

    @Test
    void byDefaultTheSameConflictsEscalateAfterTheThreshold() {
        int rejections = TxnDescriptor.ESCALATE_AFTER;
        RejectingHooks hooks = new RejectingHooks(true, rejections);
        withHooks(hooks, () -> {
            TLong r = TLong.of(0);
            Replication.bind(r, "r's binding");
            List<Boolean> attempts = incrementRecordingAttempts(r);
            assertEquals(rejections + 1, attempts.size());
            assertFalse(attempts.subList(0, rejections).contains(true), attempts::toString);
            assertTrue(attempts.get(rejections), "the attempt after the threshold runs inevitable");
            assertEquals(1L, Replication.peek(r));
            Replication.bind(r, null);
        });
    }

    @Test
    void anExplicitInevitableIsHonouredEvenWhenEscalationIsNot() {
        RejectingHooks hooks = new RejectingHooks(false, 0);
        withHooks(hooks, () -> {
            TLong r = TLong.of(0);
            Replication.bind(r, "r's binding");
            boolean[] inevitable = {false};
            Stm.atomic(() -> {
                r.increment();
                Stm.inevitable();
                inevitable[0] = Stm.isInevitable();
            });
            assertTrue(inevitable[0]);
            assertEquals(1L, Replication.peek(r));
            assertTrue(hooks.escalationQuestions.isEmpty(), "no conflict, no question");
            Replication.bind(r, null);
        });
    }
    /**
     * An inevitable transaction locks what it reads: at its commit, a reference it read but did not write is
     * locked by itself, and that read is still valid. (It was reported stale, so a runtime that rejects stale
     * reads rejected every attempt of an inevitable transaction that read a bound reference it did not write.)
     */
    @Test
    void anInevitableTransactionsReadsOfReferencesItDidNotWriteAreStillValidAtItsCommit() {
        List<Boolean> validity = new ArrayList<>();
        Replication.Hooks hooks = new Replication.Hooks() {
            @Override
            public void beforeRead(Object binding) {
            }

            @Override
            public Object onCommit(Replication.CommitView commit) {
                for (int i = 0; i < commit.readCount(); i++) {
                    validity.add(commit.readStillValid(i));
                }
                return null;
            }
        };
        withHooks(hooks, () -> {
            TLong read = TLong.of(7);
            TLong written = TLong.of(0);
            Replication.bind(read, "read's binding");
            Replication.bind(written, "written's binding");
            List<Boolean> attempts = new ArrayList<>();
            Stm.atomic(() -> {
                Stm.inevitable();
                attempts.add(Stm.isInevitable());
                written.set(read.get() + 1);
            });
            assertEquals(List.of(true), attempts, "one attempt, inevitable");
            assertEquals(8L, Replication.peek(written));
            assertFalse(validity.isEmpty(), "the hook saw the reads");
            assertFalse(validity.contains(false), () -> "every read still valid: " + validity);
            Replication.bind(read, null);
            Replication.bind(written, null);
        });
    }

    @Test
    void aRestartWithoutAReasonRunsTheAttemptAgainLikeAnyConflict() {
        // A conflict signalled without a reason must not read as a retry() (which waits for a change).
        TLong x = TLong.of(1);
        int[] runs = {0};
        long seen = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                () -> Stm.atomic(() -> {
                    long v = x.get();
                    if (++runs[0] == 1) {
                        Replication.restartAttempt(null);
                    }
                    return v;
                }));
        assertEquals(1, seen);
        assertEquals(2, runs[0]);
    }
}
