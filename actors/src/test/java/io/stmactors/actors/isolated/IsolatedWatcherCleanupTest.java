package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.stmactors.actors.isolated.IsolatedModeTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A watcher in one worker process of an actor in another is taken off the coordinator's list of that actor when it
 * stops, as in the shared modes. (The entry stayed: the list of a long-lived actor grew with every short-lived
 * watcher, and when the actor stopped, a new actor that had taken the watcher's name was told of a watch it never
 * made.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IsolatedWatcherCleanupTest {

    @Test
    void aStoppedWatcherLeavesTheListOfWhatItWatched() throws Exception {
        TLong told = TLong.named("watch-cleanup-told", 0);
        try (ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().mode(Mode.ISOLATED_PROCESSES)
                .workers(2).placement((name, n) -> name.equals("watcher") ? 0 : 1)
                .closeTimeout(Duration.ofSeconds(10)).build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            ActorRef<String> target = system.spawn(Behaviors.<String>receive((ctx, m) ->
                    m.equals("stop") ? Behaviors.stopped() : Behaviors.same()), "target");
            ActorRef<Object> watcher = system.spawn(Behaviors.<Object>setup(ctx -> {
                ctx.watch(target);
                return Behaviors.receive((c, m) -> "leave".equals(m) ? Behaviors.stopped() : Behaviors.same());
            }), "watcher");
            await(() -> iso.tables().watches() == 1, Duration.ofSeconds(20), "the watch to reach the coordinator");

            watcher.tell("leave");
            await(() -> iso.tables().actors() == 1, Duration.ofSeconds(20), "the watcher to stop");
            await(() -> iso.tables().watches() == 0, Duration.ofSeconds(5),
                    "the stopped watcher to leave the target's list (watched actors: " + iso.tables().watches() + ")");

            system.spawn(Behaviors.<Object>receive((c, m) -> {
                told.increment(); // a Terminated of the target would land here
                return Behaviors.same();
            }), "watcher"); // the name again, on the same worker: a new actor that watches nothing
            target.tell("stop");
            await(() -> iso.tables().actors() == 1, Duration.ofSeconds(20), "the target to stop");
            Thread.sleep(1_000); // time for a Terminated to arrive, were one sent
            assertEquals(0, told.get(), "the new actor named like the stopped watcher was told the target stopped");
        }
    }
}
