package io.stmactors.actors.internal;

import io.stmactors.actors.Behaviors;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

import java.util.concurrent.atomic.AtomicInteger;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The WAITING state: a handler calls {@code Stm.retry()} until a gate opens. One thread tells the
 * message, the other opens the gate. Whether the handler runs before or after the gate opens, and
 * whether the wake-up fires before or after the cell enters WAITING, the message must be handled
 * exactly once (a lost wake-up leaves it pending forever).
 *
 * <p>Reproduce alone: {@code mvn -B -pl jcstress -am verify -Djcstress.tests=.*RetryWakeRacesTell.*}
 */
@JCStressTest
@Outcome(id = "1", expect = ACCEPTABLE, desc = "the message was handled once the gate was open")
@Outcome(id = "0", expect = FORBIDDEN, desc = "lost wake-up: the handler never re-ran after the gate opened")
@Outcome(expect = FORBIDDEN, desc = "the message was handled more than once")
@State
public class RetryWakeRacesTellTest {
    final AtomicInteger handled = new AtomicInteger();
    final TLong gate = TLong.of(0);
    final ActorCell<Object> cell = new ActorCell<>(MailboxTestSupport.SYSTEM, "jcstress-waiting", null,
            Behaviors.receive((ctx, msg) -> {
                if (gate.get() == 0) {
                    Stm.retry();
                }
                Stm.afterCommit(handled::incrementAndGet);
                return Behaviors.same();
            }));

    public RetryWakeRacesTellTest() {
        cell.launch();
    }

    @Actor
    public void sender() {
        cell.tell("order");
    }

    @Actor
    public void opener() {
        gate.set(1);
    }

    @Arbiter
    public void check(I_Result r) {
        r.r1 = MailboxTestSupport.awaitHandled(handled, 1); // returns at once on 1; a second handling shows as 2
    }
}
