package io.stmactors.stm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A replication runtime may bind a reference while a transaction that already wrote it is still
 * running (an isolated-mode worker binds a new reference when another of its commits ships it).
 * That transaction must still commit through the hook, or the runtime never sees the write.
 */
class ReplicationBindAfterWriteTest {

    /** Records the values of bound references each commit ships. */
    private static final class RecordingHooks implements Replication.Hooks {
        final List<Object> shipped = new ArrayList<>();

        @Override
        public void beforeRead(Object binding) {
        }

        @Override
        public Object onCommit(Replication.CommitView commit) {
            for (int i = 0; i < commit.writeCount(); i++) {
                if (commit.writeBinding(i) != null) {
                    shipped.add(commit.writeValue(i));
                }
            }
            return null;
        }
    }

    private static void withHooks(RecordingHooks hooks, Runnable test) {
        Replication.install(hooks);
        try {
            test.run();
        } finally {
            Replication.uninstall(hooks);
        }
    }

    @Test
    void aReferenceBoundAfterItWasWrittenCommitsThroughTheHook() {
        RecordingHooks hooks = new RecordingHooks();
        withHooks(hooks, () -> {
            TRef<String> r = TRef.of("old");
            TLong n = TLong.of(1);
            Stm.atomic(() -> {
                r.set("new");
                n.set(2);
                Replication.bind(r, "r's binding"); // as if another thread bound it now
                Replication.bind(n, "n's binding");
            });
            assertEquals(List.of("new", 2L), hooks.shipped);
            assertEquals("new", Replication.peek(r));
        });
    }

    @Test
    void anInevitableTransactionDoesTooAndAnUnboundCommitStaysLocal() {
        RecordingHooks hooks = new RecordingHooks();
        withHooks(hooks, () -> {
            TRef<String> r = TRef.of("old");
            Stm.atomic(() -> {
                Stm.inevitable();
                r.set("inevitable");
                Replication.bind(r, "r's binding");
            });
            assertEquals(List.of("inevitable"), hooks.shipped);

            TRef<String> local = TRef.of("a");
            Stm.atomic(() -> local.set("b"));
            assertEquals(1, hooks.shipped.size(), "a commit of unbound references never calls the hook");
            assertEquals("b", local.get());
            Replication.bind(r, null);
        });
    }
}
