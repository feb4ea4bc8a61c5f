package io.stmactors.stm;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Consistent snapshot and opacity: a transfer moves 1 from {@code a} to {@code b} ({@code a + b}
 * stays 1) while a reader reads both, in either order. The committed reader must see the state
 * before or after the transfer, and no attempt of the reader, not even one about to abort, may see
 * a half (third field counts attempts that saw {@code a + b != 1}).
 *
 * <p>Reproduce alone: {@code mvn -B -pl jcstress -am verify -Djcstress.tests=.*SnapshotTest.*}
 */
@JCStressTest
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "reader serialized before the transfer")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "reader serialized after the transfer")
@Outcome(id = {"0, 0, 0", "1, 1, 0"}, expect = FORBIDDEN, desc = "inconsistent snapshot committed: half of the transfer")
@Outcome(expect = FORBIDDEN, desc = "an attempt observed an inconsistent state (zombie read, opacity broken)")
@State
public class SnapshotTest {
    final TLong a = TLong.of(1);
    final TLong b = TLong.of(0);
    long inconsistentAttempts; // written by the reader actor only

    @Actor
    public void transfer() {
        Stm.atomic(() -> {
            a.set(a.get() - 1);
            b.set(b.get() + 1);
        });
    }

    @Actor
    public void reader(JJJ_Result r) {
        long[] seen = Stm.atomic(() -> {
            long vb = b.get(); // opposite order to the writer
            long va = a.get();
            if (va + vb != 1) {
                inconsistentAttempts++;
            }
            return new long[] {va, vb};
        });
        r.r1 = seen[0];
        r.r2 = seen[1];
        r.r3 = inconsistentAttempts;
    }
}
