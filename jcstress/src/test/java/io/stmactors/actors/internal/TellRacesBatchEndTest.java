package io.stmactors.actors.internal;

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
 * {@link ActorCell}'s scheduling word (IDLE / SCHEDULED): two senders tell an ordinary actor one
 * message each while its only worker starts it and ends batches of one message. A sender that finds
 * the cell SCHEDULED relies on the worker's re-check after it sets IDLE; if either side's
 * store/load pair were not ordered, a message would sit in the mailbox with no worker to run it.
 *
 * <p>Reproduce alone: {@code mvn -B -pl jcstress -am verify -Djcstress.tests=.*TellRacesBatchEnd.*}
 */
@JCStressTest
@Outcome(id = "2", expect = ACCEPTABLE, desc = "both messages handled")
@Outcome(expect = FORBIDDEN, desc = "a message stranded in the mailbox (not handled within 2 s)")
@State
public class TellRacesBatchEndTest {
    final AtomicInteger handled = new AtomicInteger();
    final ActorCell<Object> cell = new ActorCell<>(MailboxTestSupport.SYSTEM, "jcstress-ordinary", null,
            MailboxTestSupport.counting(handled));

    public TellRacesBatchEndTest() {
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
