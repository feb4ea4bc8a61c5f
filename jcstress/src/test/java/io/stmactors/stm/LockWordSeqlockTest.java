package io.stmactors.stm;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The versioned lock word of {@link TVar} as a seqlock: a reader racing a committer.
 *
 * <p>The committer commits {@code x = 1} through the engine (lock CAS, release store of the value,
 * release store of the new word). The reader performs exactly the engine's read protocol
 * ({@code TxnDescriptor.readLong}): acquire-load the word, acquire-load the value, acquire-load the
 * word again, retry while they differ or the lock bit is set. It reports the value and whether the
 * word it accepted is the committed one. A value must always come with its own word: the old value
 * with the old word, or the new value with the new word. Anything else is a torn read (the value of
 * one commit vouched for by the word of another), or an uncommitted value (seen while locked).
 *
 * <p>Reproduce alone: {@code mvn -B -pl jcstress -am verify -Djcstress.tests=.*LockWordSeqlock.*}
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "read before the commit: old value with the old word")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "read after the commit: new value with the new word")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "torn: the new value accepted under the old word (published before the lock, or the word re-read too early)")
@Outcome(id = "0, 1", expect = FORBIDDEN, desc = "torn: the old value accepted under the new word (word released before the value)")
@Outcome(expect = FORBIDDEN, desc = "a locked word or an unknown word was accepted")
@State
public class LockWordSeqlockTest {
    final TLong x = TLong.of(0);
    final long oldWord = (long) TVar.LOCK.getVolatile(x);

    @Actor
    public void committer() {
        Stm.atomic(() -> x.set(1));
    }

    @Actor
    public void reader(JJ_Result r) {
        for (;;) {
            long w1 = (long) TVar.LOCK.getAcquire(x);
            long value = x.load();
            long w2 = (long) TVar.LOCK.getAcquire(x);
            if (w1 == w2 && (w1 & TVar.LOCKED) == 0) {
                r.r1 = value;
                r.r2 = w1 == oldWord ? 0 : (TVar.version(w1) > TVar.version(oldWord) ? 1 : 2);
                return;
            }
            Thread.onSpinWait();
        }
    }
}
