package io.stmactors.stm;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The lazy global clock (TL2 "GV5": commits stamp {@code clock + 1} without advancing it) and the
 * own-slot shortcut must keep causality: the writer commits {@code x = 1}, then, in a second
 * transaction, {@code y = 1}. Both commits may stamp the same version. A reader transaction that
 * sees {@code y = 1} must also see {@code x = 1}, whatever order it reads them in.
 *
 * <p>Reproduce alone: {@code mvn -B -pl jcstress -am verify -Djcstress.tests=.*LazyClock.*}
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "reader serialized before both commits")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "reader serialized between the two commits")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "reader serialized after both commits")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "causality broken: the second commit seen without the first")
@State
public class LazyClockCausalityTest {
    final TLong x = TLong.of(0);
    final TLong y = TLong.of(0);

    @Actor
    public void writer() {
        Stm.atomic(() -> x.set(1));
        Stm.atomic(() -> y.set(1));
    }

    @Actor
    public void reader(JJ_Result r) {
        long[] seen = Stm.atomic(() -> new long[] {y.get(), x.get()});
        r.r1 = seen[0];
        r.r2 = seen[1];
    }
}
