package io.stmactors.actors.internal;

import io.stmactors.actors.Behaviors;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A tell racing the actor's stop (the parent's {@code ctx.stop(child)} then {@code child.tell(late)}, as in
 * the soak test): the message must be handled, or be left for {@code doStop}'s drain, or be drained by the
 * sender itself when it sees STOPPED. It must never stay in the mailbox of a stopped actor.
 *
 * <p>The suspected hole (RELIABILITY.md, F6): {@code enqueue} links the message with an ordered store and then
 * reads the status; {@code doStop} stores STOPPED and then polls. Without a full fence between the link and
 * the status read, the sender can read "SCHEDULED" while the stopping worker's poll does not see the link yet.
 *
 * <p>Reproduce alone: {@code mvn -B -pl jcstress -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Djcstress.tests=.*TellRacesStop.* -Djcstress.mode=tough}
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the message was dead-lettered (or drained) after the stop")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the message was handled before the stop")
@Outcome(id = {"1, 0", "1, 1"}, expect = FORBIDDEN, desc = "a message stranded in the mailbox of a stopped actor")
@Outcome(expect = FORBIDDEN, desc = "the actor never stopped within 2 s")
@State
public class TellRacesStopTest {
    final AtomicInteger handled = new AtomicInteger();
    final AtomicInteger started = new AtomicInteger();
    final ActorCell<Object> cell = new ActorCell<>(MailboxTestSupport.SYSTEM, "jcstress-stopping", null,
            Behaviors.setup(ctx -> {
                started.set(1);
                return MailboxTestSupport.counting(handled);
            }));

    public TellRacesStopTest() {
        cell.launch();
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (started.get() == 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000); // the cell goes IDLE right after its start
        }
    }

    @Actor
    public void stopper() {
        cell.requestStop();
    }

    @Actor
    public void sender() {
        cell.tell("late");
    }

    @Arbiter
    public void check(II_Result r) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!cell.isStopped() && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000);
        }
        if (!cell.isStopped()) {
            r.r1 = 2;
            r.r2 = handled.get();
            return;
        }
        // doStop drains after it stores STOPPED: give a stop in progress a moment to finish its drain
        long drain = System.nanoTime() + 100_000_000L;
        while (cell.mailboxSize() > 0 && System.nanoTime() - drain < 0) {
            LockSupport.parkNanos(1_000);
        }
        r.r1 = cell.mailboxSize() > 0 ? 1 : 0;
        r.r2 = handled.get();
    }
}
