package io.stmactors.actors.internal;

import io.stmactors.actors.Behaviors;
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
 * A {@code Behaviors.concurrent} actor: its drainers leave when they find the mailbox empty (drainer
 * count down, re-check the mailbox), while senders add a drainer only below the limit (one worker,
 * so one drainer). Two tells race the start marker and a drainer's exit; neither may be stranded.
 *
 * <p>Reproduce alone: {@code mvn -B -pl jcstress -am verify -Djcstress.tests=.*ConcurrentDrainer.*}
 */
@JCStressTest
@Outcome(id = "2", expect = ACCEPTABLE, desc = "both messages handled")
@Outcome(expect = FORBIDDEN, desc = "a message stranded in the mailbox of a concurrent actor (not handled within 2 s)")
@State
public class ConcurrentDrainerRaceTest {
    final AtomicInteger handled = new AtomicInteger();
    final ActorCell<Object> cell = new ActorCell<>(MailboxTestSupport.SYSTEM, "jcstress-concurrent", null,
            Behaviors.concurrent(MailboxTestSupport.counting(handled)));

    public ConcurrentDrainerRaceTest() {
        cell.launch();
    }

    @Actor
    public void sender1() {
        cell.tell("one");
    }

    @Actor
    public void sender2() {
        cell.tell("two");
    }

    @Arbiter
    public void check(I_Result r) {
        r.r1 = MailboxTestSupport.awaitHandled(handled, 2);
    }
}
