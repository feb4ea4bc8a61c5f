package io.stmactors.actors.isolated;

import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemConfig;
import io.stmactors.actors.Behaviors;
import io.stmactors.actors.Mode;
import io.stmactors.stm.Stm;
import io.stmactors.stm.TMap;
import io.stmactors.transport.Transport;
import io.stmactors.transport.pekko.PekkoTransportConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Isolated mode over a Pekko cluster (Artery TCP on 127.0.0.1): the same programs give the same
 * results as over shared memory, a killed worker loses no committed state, and a worker started by
 * hand joins like {@code stm-actors worker --join host:port --id N}.
 */
@Tag("stress")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class IsolatedPekkoTest {
    record Transfer(int from, int to, long amount) {
    }

    record Inc(ActorRef<Long> replyTo) {
    }

    private static PekkoTransportConfig fastCluster() {
        return Transport.pekko().toBuilder()
                .failureDetector(Duration.ofMillis(200), Duration.ofSeconds(2))
                .downingStableAfter(Duration.ofSeconds(2))
                .build();
    }

    private static long total(TMap<Integer, Long> bank, int accounts) {
        return Stm.atomic(() -> {
            long sum = 0;
            for (int i = 0; i < accounts; i++) {
                sum += bank.get(i);
            }
            return sum;
        });
    }

    @Test
    void bankAndCounterOverAPekkoClusterSurviveAKilledWorker() throws Exception {
        int accounts = 8;
        TMap<Integer, Long> bank = TMap.named("bank");
        for (int i = 0; i < accounts; i++) {
            bank.put(i, 1_000L);
        }
        try (ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().mode(Mode.ISOLATED_PROCESSES)
                .workers(2).transport(fastCluster()).register(Transfer.class, Inc.class)
                .closeTimeout(Duration.ofSeconds(20)).build())) {
            IsolatedActorSystem iso = (IsolatedActorSystem) system;
            assertTrue(iso.coordinatorAddress().startsWith("127.0.0.1:"), iso.coordinatorAddress());
            List<ActorRef<Transfer>> tellers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                tellers.add(system.spawn(Behaviors.receive((ctx, tr) -> {
                    bank.put(tr.from(), bank.get(tr.from()) - tr.amount());
                    bank.put(tr.to(), bank.get(tr.to()) + tr.amount());
                    return Behaviors.same();
                }), "teller-" + t));
            }
            ActorRef<Inc> counter = system.spawn(Behaviors.withState(0L, (ctx, n, inc) -> {
                inc.replyTo().tell(n + 1);
                return n + 1;
            }), "counter");
            long acknowledged = 0;
            for (int i = 0; i < 20; i++) {
                acknowledged = system.<Inc, Long>ask(counter, Inc::new, Duration.ofSeconds(30)).get();
            }
            assertEquals(20, acknowledged);
            Random rnd = new Random(3);
            for (int i = 0; i < 500; i++) {
                int from = rnd.nextInt(accounts);
                tellers.get(i % 4).tell(new Transfer(from, (from + 1) % accounts, 1 + rnd.nextInt(5)));
            }
            assertEquals(accounts * 1_000L, total(bank, accounts), "money is conserved while transfers run");

            int victim = iso.workerOf("counter");
            iso.workerProcess(victim).destroyForcibly();
            assertEquals(accounts * 1_000L, total(bank, accounts), "no committed transfer lost or half-applied");

            long after = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (after == 0 && System.nanoTime() < deadline) {
                try {
                    after = system.<Inc, Long>ask(counter, Inc::new, Duration.ofSeconds(5)).get();
                } catch (ExecutionException e) {
                    Thread.sleep(200); // the worker re-joins the cluster, then re-creates its actors
                }
            }
            assertTrue(after > acknowledged, "the counter came back with its committed state: acknowledged "
                    + acknowledged + ", next answer " + after);
            assertEquals(1, iso.workerRestarts());
            assertEquals(accounts * 1_000L, total(bank, accounts));
        }
    }

    @Test
    void aWorkerStartedByHandJoinsTheCluster() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        long secret = new Random().nextLong();
        // What 'STM_ACTORS_CLUSTER_SECRET=<hex> stm-actors worker --join 127.0.0.1:<port> --id 1' runs.
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(IsolatedActorSystem.REQUIRED_JVM_FLAGS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), WorkerMain.class.getName(),
                "--transport=pekko", "--join=127.0.0.1:" + port, "--id=1", "--heartbeat-ms=200", "--pause-ms=2000",
                "--stable-ms=2000"));
        Path log = java.nio.file.Files.createTempFile("stm-actors-joined-worker", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put(WorkerMain.SECRET_ENV, Long.toHexString(secret));
        Process worker = pb.start();
        try (ActorSystem system = ActorSystem.create(ActorSystemConfig.builder().mode(Mode.ISOLATED_PROCESSES)
                .workers(1).launchWorkers(false).register(Inc.class).workerStartTimeout(Duration.ofSeconds(120))
                .transport(fastCluster().toBuilder().port(port).clusterSecret(secret).build()).build())) {
            ActorRef<Inc> counter = system.spawn(Behaviors.withState(0L, (ctx, n, inc) -> {
                inc.replyTo().tell(n + 1);
                return n + 1;
            }), "counter");
            long last = 0;
            for (int i = 0; i < 5; i++) {
                last = system.<Inc, Long>ask(counter, Inc::new, Duration.ofSeconds(30)).get();
            }
            assertEquals(5, last, "the hand-started worker hosts the actor");
        } finally {
            boolean exited = worker.waitFor(30, TimeUnit.SECONDS);
            if (!exited) {
                worker.destroyForcibly();
            }
            String output = java.nio.file.Files.readString(log);
            java.nio.file.Files.deleteIfExists(log);
            assertTrue(exited, "the worker exits when the coordinator shuts it down; its output:\n" + output);
            assertTrue(output.contains("READY 127.0.0.1:"), output);
        }
    }
}
