package io.stmactors.actors.reliability;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.actors.reliability.FaultInjectionTest.Add;
import io.stmactors.actors.reliability.FaultInjectionTest.Get;
import io.stmactors.actors.reliability.FaultInjectionTest.Hog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM of {@link FaultInjectionTest} (run with a small {@code -Xmx}): an actor allocates until
 * {@link OutOfMemoryError}; the system must stop that actor, name it in the log, and keep serving the
 * others. Exits 0 and prints a {@code RELIABILITY} line when it did; 1 otherwise.
 */
public final class OutOfMemoryWorkerMain {
    private OutOfMemoryWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        Mode mode = Mode.valueOf(args[0]);
        int exit = 1;
        try (ActorSystem system = ReliabilityModes.system(mode, "oom-" + mode, 2, Hog.class, Add.class, Get.class)) {
            ActorRef<Object> bystander = system.spawn(FaultInjectionTest.bystander(), "bystander");
            ActorRef<Object> hog = system.spawn(Behaviors.receive((ctx, msg) -> {
                List<long[]> hoard = new ArrayList<>();
                while (true) {
                    hoard.add(new long[128 * 1024]); // 1 MiB at a time, until the heap is gone
                }
            }), "hog");
            bystander.tell(new Add(5));
            hog.tell(new Hog());
            ReliabilityModes.await(() -> system.diagnostics().failures() == 1, Duration.ofSeconds(30),
                    () -> "the hog's failure");
            for (int i = 0; i < 10; i++) {
                bystander.tell(new Add(1));
            }
            long sum = system.<Object, Long>ask(bystander, Get::new, Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
            ReliabilityModes.await(() -> system.diagnostics().liveActors() == 1, Duration.ofSeconds(10),
                    () -> "the hog to be stopped");
            if (sum == 15) {
                System.out.println("RELIABILITY faults kind=oom mode=" + mode + " injected=1 survived=true");
                exit = 0;
            } else {
                System.out.println("bystander sum " + sum + ", expected 15");
            }
        } catch (Throwable t) {
            t.printStackTrace(System.out);
        }
        System.out.flush();
        System.exit(exit);
    }
}
