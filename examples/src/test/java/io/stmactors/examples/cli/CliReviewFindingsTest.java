package io.stmactors.examples.cli;

import io.stmactors.examples.Main;
import io.stmactors.examples.MainTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.stmactors.examples.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input found in a review of the command line: each gives one clear line on stderr and the documented exit code. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliReviewFindingsTest {
    /** A worker command line whose environment holds {@code secret} as the cluster secret. */
    static CommandLine workerWithSecret(String secret) {
        CommandLine cl = Main.commandLine();
        WorkerCommand worker = cl.getSubcommands().get("worker").getCommand();
        worker.environment = Map.of(io.stmactors.actors.isolated.WorkerMain.SECRET_ENV, secret)::get;
        return cl;
    }

    @Test
    void workerWithABadSecretOrPortIsAnArgumentErrorNotAFailure() {
        for (String[] args : new String[][] {
                {"zz", "--join", "127.0.0.1:25520", "--id", "1"},
                {"123456789abcdef01", "--join", "127.0.0.1:25520", "--id", "1"},
                {"ab", "--join", "127.0.0.1:99999", "--id", "1"},
                {"ab", "--join", "127.0.0.1:0", "--id", "1"},
                {"ab", "--join", "127.0.0.1:25520", "--id", "1", "--port", "-5"},
                {"ab", "--join", "127.0.0.1:25520", "--id", "1", "--port", "70000"}}) {
            String[] argv = new String[args.length];
            argv[0] = "worker";
            System.arraycopy(args, 1, argv, 1, args.length - 1);
            Run r = run(workerWithSecret(args[0]), argv);
            String line = "secret " + args[0] + ": " + String.join(" ", argv);
            assertEquals(2, r.exitCode(), () -> line + " -> " + r);
            assertEquals(1, r.errLines().size(), () -> line + " -> stderr:\n" + r.err());
            assertTrue(r.errLines().get(0).startsWith("stm-actors: "), r.err());
            assertFalse(r.err().contains("Exception"), () -> line + " -> " + r.err());
        }
    }

    @Test
    void reactorRefusesMoreConnectionsThanItCanStartThreadsFor() {
        Run r = run(Main.commandLine(), "demo", "reactor", "--connections", "100000", "--size", "10",
                "--mode", "shared", "--workers", "1", "--warmup", "0");
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        assertTrue(r.errLines().get(0).contains("--connections"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void aDemoThatRunsOutOfMemoryEndsWithOneLineAndExitCode1() {
        Run r = run(Main.commandLine(), "demo", "bank", "--accounts", Integer.toString(Integer.MAX_VALUE), "--size", "10",
                "--mode", "shared", "--workers", "1", "--warmup", "0");
        assertEquals(1, r.exitCode(), r::toString);
        // (The progress bar's last redraw may end up on the same line: look for the message anywhere.)
        assertEquals(1, r.err().split("stm-actors: demo bank: out of memory", -1).length - 1, r::toString);
        assertFalse(r.err().contains("\tat "), "no stack trace");
    }

    @Test
    void scalingRefusesAPercentageThatOverflowsAPartsSize() {
        // 50000% of bank's 6,000,000 transfers is 3,000,000,000: more than an int holds.
        for (String size : List.of("50000", "35792", "2147483647")) {
            Run r = run(Main.commandLine(), "demo", "scaling", "--size", size, "--mode", "shared", "--workers", "1",
                    "--warmup", "0");
            assertEquals(2, r.exitCode(), () -> size + " -> " + r);
            assertEquals(1, r.errLines().size(), () -> size + " -> " + r);
            assertTrue(r.errLines().get(0).startsWith("stm-actors: --size must be at most 35791"), r.err());
            assertEquals("", r.out());
        }
    }

    @Test
    void contentionRunsARepeatedConflictLevelOnceSoThatEachSpeedupHasItsOwnBaseline() {
        Run r = run(Main.commandLine(), "demo", "contention", "--conflict", "0,0", "--size", "300", "--work", "1",
                "--mode", "shared", "--workers", "1,2", "--warmup", "0");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(2, r.out().lines().filter(l -> l.startsWith("p=0% ")).count(), r::out);
    }
}
