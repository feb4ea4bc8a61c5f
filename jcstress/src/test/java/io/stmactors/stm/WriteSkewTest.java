package io.stmactors.stm;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Write skew: two transactions read both {@code x} and {@code y} and each writes a different one,
 * only if both are still 0 (the invariant "at most one of them is 1"). Snapshot isolation lets both
 * commit; serializability must not (each read set holds the other's write set).
 *
 * <p>Reproduce alone: {@code mvn -B -pl jcstress -am verify -Djcstress.tests=.*WriteSkew.*}
 */
@JCStressTest
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the x-writer serialized first; the y-writer saw x = 1 and did nothing")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the y-writer serialized first; the x-writer saw y = 1 and did nothing")
@Outcome(id = "1, 1", expect = FORBIDDEN, desc = "write skew: both saw (0, 0) and both committed")
@Outcome(id = "0, 0", expect = FORBIDDEN, desc = "neither committed its write")
@Outcome(expect = FORBIDDEN, desc = "a value no serial order produces")
@State
public class WriteSkewTest {
    final TLong x = TLong.of(0);
    final TLong y = TLong.of(0);

    @Actor
    public void writeX() {
        Stm.atomic(() -> {
            if (x.get() + y.get() == 0) {
                x.set(1);
            }
        });
    }

    @Actor
    public void writeY() {
        Stm.atomic(() -> {
            if (x.get() + y.get() == 0) {
                y.set(1);
            }
        });
    }

    @Arbiter
    public void check(JJ_Result r) {
        r.r1 = x.get();
        r.r2 = y.get();
    }
}
