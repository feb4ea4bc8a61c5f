package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A coordinator that dies (SIGKILL) leaves no worker JVM and no file behind. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CoordinatorDeathTest {

    /** The coordinator, in its own JVM: starts two workers, prints their pids and its directory, waits. */
    public static void main(String[] args) throws Exception {
        ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().mode(Mode.ISOLATED_PROCESSES).workers(2).build());
        system.spawn(Behaviors.<String>receive((ctx, m) -> Behaviors.same()), "idle");
        IsolatedActorSystem iso = (IsolatedActorSystem) system;
        System.out.println("DIR " + iso.directory());
        System.out.println("WORKERS " + iso.workerProcess(0).pid() + " " + iso.workerProcess(1).pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    @Test
    void workersExitAndFilesAreRemovedWhenTheCoordinatorIsKilled() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(IsolatedActorSystem.REQUIRED_JVM_FLAGS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CoordinatorDeathTest.class.getName()));
        Process coordinator = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<ProcessHandle> workers = new ArrayList<>();
        Path dir = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(coordinator.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("DIR ")) {
                    dir = Path.of(line.substring(4));
                }
                if (line.startsWith("WORKERS ")) {
                    for (String pid : line.substring(8).split(" ")) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(workers::add);
                    }
                    break;
                }
            }
            assertTrue(dir != null && Files.isDirectory(dir), "the coordinator started");
            assertTrue(workers.size() == 2 && workers.stream().allMatch(ProcessHandle::isAlive), "two live workers");
            coordinator.destroyForcibly();
            coordinator.waitFor(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && (workers.stream().anyMatch(ProcessHandle::isAlive) || Files.exists(dir))) {
                Thread.sleep(50);
            }
            for (ProcessHandle w : workers) {
                assertFalse(w.isAlive(), "worker " + w.pid() + " exits when its coordinator dies");
            }
            assertFalse(Files.exists(dir), "no file of the dead system is left: " + dir);
        } finally {
            coordinator.destroyForcibly();
            for (ProcessHandle w : workers) {
                w.destroyForcibly();
            }
        }
    }
}
