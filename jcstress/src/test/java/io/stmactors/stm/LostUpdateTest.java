package io.stmactors.stm;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.J_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Commit path (read, lock, validate, publish): two read-modify-write transactions on one counter.
 * One of them must see the other's commit, or fail validation and re-run.
 *
 * <p>Reproduce alone: {@code mvn -B -pl jcstress -am verify -Djcstress.tests=.*LostUpdate.*}
 */
@JCStressTest
@Outcome(id = "2", expect = ACCEPTABLE, desc = "both increments committed, one after the other")
@Outcome(id = "1", expect = FORBIDDEN, desc = "lost update: both read 0 and both committed")
@Outcome(expect = FORBIDDEN, desc = "a value no serial order produces")
@State
public class LostUpdateTest {
    final TLong x = TLong.of(0);

    @Actor
    public void first() {
        Stm.atomic(() -> x.set(x.get() + 1));
    }

    @Actor
    public void second() {
        Stm.atomic(() -> x.set(x.get() + 1));
    }

    @Arbiter
    public void check(J_Result r) {
        r.r1 = x.get();
    }
}
