package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.stm.TLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;

@Tag("probe")
class IsolatedContentionProbe {
    @Test
    void probe() throws Exception {
        TLong hot = TLong.named("hot", 0);
        try (ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().mode(Mode.ISOLATED_PROCESSES)
                .workers(2).build())) {
            ActorRef<String> a = system.spawn(Behaviors.receive((ctx, m) -> { hot.increment(); return Behaviors.same(); }), "a");
            ActorRef<String> b = system.spawn(Behaviors.receive((ctx, m) -> { hot.increment(); return Behaviors.same(); }), "b-x");
            System.out.println("a on " + ((IsolatedActorSystem) system).workerOf("a") + ", b on " + ((IsolatedActorSystem) system).workerOf("b-x"));
            long t0 = System.nanoTime();
            for (int i = 0; i < 200; i++) { a.tell("x"); b.tell("y"); }
            long last = -1; int stuck = 0;
            while (hot.get() < 400 && stuck < 100) {
                Thread.sleep(100);
                long now = hot.get();
                System.out.println("hot=" + now);
                stuck = now == last ? stuck + 1 : 0;
                last = now;
                if (stuck == 10) {
                    IsolatedActorSystem iso = (IsolatedActorSystem) system;
                    for (long pid : new long[] {ProcessHandle.current().pid(), iso.workerProcess(0).pid(), iso.workerProcess(1).pid()}) {
                        Process p = new ProcessBuilder("jstack", "-l", String.valueOf(pid)).redirectErrorStream(true).start();
                        String dump = new String(p.getInputStream().readAllBytes());
                        java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/dump-" + pid + ".txt"), dump);
                        System.out.println("dumped " + pid);
                    }
                    for (var f : java.nio.file.Files.list(iso.directory()).toList()) {
                        if (f.toString().endsWith(".log")) {
                            java.nio.file.Files.copy(f, java.nio.file.Path.of("/tmp/" + f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                    break;
                }
            }
            System.out.printf("400 contended increments in %.1f ms%n", (System.nanoTime() - t0) / 1e6);
            System.out.println(system.diagnostics().report());
        }
    }
}
