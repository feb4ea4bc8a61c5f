package io.stmactors.actors.internal;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behaviors;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.ref.WeakReference;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An actor stopped while its handler waits in {@code Stm.retry()} on a reference nobody writes any
 * more: the STM keeps the wake-up callback on that reference's waiter list, and it must not keep the
 * stopped actor (and through it its system) reachable.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoppedWaiterReachabilityTest {

    /** Long-lived, like a flag in a static field: the waiter lists hang off it. */
    private static final TLong FLAG = TLong.of(0);

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aStoppedActorWaitingInRetryIsNotKeptReachableByWhatItRead(boolean concurrent) throws Exception {
        WeakReference<Object> cell;
        try (ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().workers(2).build())) {
            ActorRef<String> waiter = system.spawn(concurrent
                    ? Behaviors.concurrent(waitingBehavior())
                    : waitingBehavior(), concurrent ? "concurrent-waiter" : "waiter");
            waiter.tell("wait for the flag");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (system.diagnostics().retryWaits() == 0) {
                assertTrue(System.nanoTime() < deadline, "the handler never waited");
                Thread.sleep(1);
            }
            cell = new WeakReference<>(waiter);
            ((ActorCell<?>) waiter).requestStop();
            waiter = null;
            while (system.diagnostics().liveActors() != 0) {
                assertTrue(System.nanoTime() < deadline, "the actor never stopped");
                Thread.sleep(1);
            }
        }
        for (int i = 0; i < 50 && cell.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(cell.get(), "the stopped actor is still reachable (from the waiter list of the flag)");
        assertEquals(0, FLAG.get());
    }

    private static io.stmactors.actors.Behavior<String> waitingBehavior() {
        return Behaviors.receive((ctx, m) -> {
            if (FLAG.get() == 0) {
                Stm.retry();
            }
            return Behaviors.same();
        });
    }
}
