package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.actors.SupervisorStrategy;
import io.stmactors.stm.TRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A worker that cannot install an update of a shared reference it holds (the value fails to decode there) must
 * not keep serving the old value. Before, the replica kept it for good: a handler that only read the reference
 * (a read-only transaction never goes to the owner) answered with a value overwritten long before, silently.
 * Now the replica forgets the value, and the next read fetches it again, which fails visibly if it still cannot
 * be decoded.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReplicaUpdateFailureTest {
    /** Set in the test's JVM only (at run time, so worker processes do not inherit it). */
    static final String COORDINATOR = "stmactors.test.replicaUpdateFailure.coordinator";

    /** A value that cannot be decoded in a worker process when it is 13. */
    public record Flaky(int value) {
        public Flaky {
            if (value == 13 && System.getProperty(COORDINATOR) == null) {
                throw new IllegalStateException("13 cannot be decoded in a worker process");
            }
        }
    }

    /** Asks for the value a reader sees. */
    public record Read(ActorRef<Integer> replyTo) {
    }

    @Test
    void aReplicaThatCannotInstallAnUpdateDoesNotServeTheOldValue() throws Exception {
        System.setProperty(COORDINATOR, "true");
        TRef<Flaky> shared = TRef.named("flaky", new Flaky(1));
        try (ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().mode(Mode.ISOLATED_PROCESSES)
                .workers(1).register(Flaky.class, Read.class).closeTimeout(Duration.ofSeconds(10)).build())) {
            ActorRef<Read> reader = system.spawn(Behaviors.supervise(Behaviors.<Read>receive((ctx, r) -> {
                r.replyTo().tell(shared.get().value()); // read-only: committed by the worker alone
                return Behaviors.same();
            })).onFailure(RuntimeException.class, SupervisorStrategy.resume()), "reader");
            assertEquals(1, system.<Read, Integer>ask(reader, Read::new, Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS),
                    "the worker now holds a replica of the reference");

            shared.set(new Flaky(13)); // the owner's update to the worker fails to decode there
            CompletableFuture<Integer> afterFailedUpdate = system.ask(reader, Read::new, Duration.ofSeconds(3));
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> System.out.println("answered " + afterFailedUpdate.get(10, TimeUnit.SECONDS)),
                    "the reader must not answer with the value the failed update replaced");
            assertEquals(java.util.concurrent.TimeoutException.class, failed.getCause().getClass(),
                    "the reader's handler failed (its read could not decode the value): " + failed.getCause());

            shared.set(new Flaky(14)); // decodable again: the next update installs it
            assertEquals(14, system.<Read, Integer>ask(reader, Read::new, Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS));
        } finally {
            System.clearProperty(COORDINATOR);
        }
    }
}
