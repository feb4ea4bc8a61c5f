package io.stmactors.transport;

import io.stmactors.transport.EchoWorkerMain.Ping;
import io.stmactors.transport.EchoWorkerMain.Pong;
import io.stmactors.transport.internal.InboxFileDescriptor;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.stmactors.transport.TransportTestSupport.deleteRecursively;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs {@link EchoWorkerMain} in a second JVM and exchanges 10,000 codec-encoded messages with it over shared
 * memory, some of them large enough to be fragmented. The child is always killed and the directory always removed.
 */
class CrossProcessTransportTest
{
    private static final int PARENT_ID = 1;
    private static final int CHILD_ID = 2;
    private static final int MESSAGES = 10_000;
    private static final int WINDOW = 128;
    private static final List<String> JVM_FLAGS = List.of(
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang.invoke=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "--add-opens", "java.base/java.util=ALL-UNNAMED");

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldExchangeTenThousandMessagesWithAnotherJvm() throws Exception
    {
        final Path directory = tmp.resolve("cluster");
        final KryoCodec codec = KryoCodec.builder().userTypes(EchoWorkerMain.USER_TYPES).build();
        final Path childLog = tmp.resolve("child.log");

        Process child = null;
        SharedMemoryTransport parent = null;
        try
        {
            parent = SharedMemoryTransport.open(TransportTestSupport.config(directory, PARENT_ID).build());
            child = startChild(directory, childLog);

            final long[] childFingerprint = {0};
            final List<Pong> pongs = new ArrayList<>(MESSAGES);
            final FrameHandler handler = (source, type, buffer, offset, length) ->
            {
                assertEquals(CHILD_ID, source);
                if (EchoWorkerMain.HELLO == type)
                {
                    childFingerprint[0] = buffer.getLong(offset);
                }
                else
                {
                    pongs.add((Pong)codec.decode(buffer, offset, length));
                }
            };

            final Process running = child;
            final SharedMemoryTransport transport = parent;
            awaitOrFail(transport, handler, () -> 0 != childFingerprint[0], running, childLog, Duration.ofSeconds(60));
            assertEquals(codec.fingerprint(), childFingerprint[0], "both JVMs must register the same types");

            final Random random = new Random(11);
            final ExpandableArrayBuffer out = new ExpandableArrayBuffer(1024);
            final List<Integer> checksums = new ArrayList<>(MESSAGES);
            for (int seq = 0; seq < MESSAGES; seq++)
            {
                final byte[] blob = new byte[seq % 1_000 == 999 ? 200_000 : random.nextInt(64)];
                random.nextBytes(blob);
                checksums.add(EchoWorkerMain.checksum(blob));
                final int length = codec.encode(new Ping(seq, "m" + seq, blob), out, 0);
                parent.send(CHILD_ID, EchoWorkerMain.PING, out, 0, length);

                final int sent = seq + 1;
                awaitOrFail(transport, handler, () -> sent - pongs.size() < WINDOW, running, childLog,
                    Duration.ofSeconds(30));
            }
            awaitOrFail(transport, handler, () -> pongs.size() == MESSAGES, running, childLog, Duration.ofSeconds(30));

            for (int seq = 0; seq < MESSAGES; seq++)
            {
                final Pong pong = pongs.get(seq);
                assertEquals(seq, pong.seq());
                assertEquals("m" + seq, pong.text());
                assertEquals(checksums.get(seq), pong.blobChecksum());
            }
            assertEquals(0, parent.counters().framesRejected());

            parent.send(CHILD_ID, EchoWorkerMain.STOP, new byte[0]);
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not stop: " + readLog(childLog));
            assertEquals(0, child.exitValue(), readLog(childLog));
            assertFalse(Files.exists(directory.resolve(InboxFileDescriptor.fileName(CHILD_ID))),
                "the child removes its inbox when it closes");
        }
        finally
        {
            if (null != child && child.isAlive())
            {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
            }
            if (null != parent)
            {
                parent.close();
            }
            deleteRecursively(directory);
        }
        assertFalse(Files.exists(directory));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldFailSendsPromptlyOnceACachedDestinationWasKilled() throws Exception
    {
        final Path directory = tmp.resolve("cluster");
        final KryoCodec codec = KryoCodec.builder().userTypes(EchoWorkerMain.USER_TYPES).build();
        final Path childLog = tmp.resolve("child.log");

        Process child = null;
        SharedMemoryTransport parent = null;
        try
        {
            parent = SharedMemoryTransport.open(TransportTestSupport.config(directory, PARENT_ID).build());
            child = startChild(directory, childLog);
            final int[] received = {0};
            final FrameHandler handler = (source, type, buffer, offset, length) -> received[0]++;
            final SharedMemoryTransport transport = parent;
            awaitOrFail(transport, handler, () -> 1 == received[0], child, childLog, Duration.ofSeconds(30)); // HELLO

            final ExpandableArrayBuffer out = new ExpandableArrayBuffer(256);
            final int length = codec.encode(new Ping(0, "before", new byte[0]), out, 0);
            parent.send(CHILD_ID, EchoWorkerMain.PING, out, 0, length); // maps and caches the child's inbox
            awaitOrFail(transport, handler, () -> 2 == received[0], child, childLog, Duration.ofSeconds(30)); // Pong
            assertTrue(parent.isReachable(CHILD_ID));

            child.destroyForcibly().waitFor(); // SIGKILL: the child never marks its inbox closed

            final EndpointClosedException dead = sendUntilNoticedDead(transport, out, length);
            final long start = System.nanoTime();
            assertEquals(CHILD_ID, dead.endpointId());
            assertTrue(dead.getMessage().contains("is gone"), dead.getMessage());
            assertFalse(parent.isReachable(CHILD_ID));
            for (int i = 0; i < 1_000; i++)
            {
                assertThrows(EndpointClosedException.class,
                    () -> transport.send(CHILD_ID, EchoWorkerMain.PING, out, 0, length));
            }
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(elapsedMs < 2_000, "1,001 sends to a dead endpoint took " + elapsedMs +
                " ms; each must fail at once, not wait for room (send timeout 5 s)");
            assertEquals(0, parent.counters().backPressureWaits());
        }
        finally
        {
            if (null != child && child.isAlive())
            {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
            }
            if (null != parent)
            {
                parent.close();
            }
            deleteRecursively(directory);
        }
    }

    /**
     * The child JVM runs under a shell, so its owner is not a child of this process and {@link ProcessHandle#onExit()}
     * would notice its death only after 300 ms or more: the transport's watch thread must notice it, off the send
     * path, within its 10 ms interval. Closing the transport stops that thread.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldNoticeAKilledDestinationThatIsNotAChildAndStopTheWatchThreadOnClose() throws Exception
    {
        final Path directory = tmp.resolve("cluster");
        final KryoCodec codec = KryoCodec.builder().userTypes(EchoWorkerMain.USER_TYPES).build();
        final Path childLog = tmp.resolve("child.log");
        final String watchThreadName = "stm-actors-inbox-owner-watch-" + PARENT_ID;

        Process shell = null;
        ProcessHandle worker = null;
        SharedMemoryTransport parent = null;
        try
        {
            parent = SharedMemoryTransport.open(TransportTestSupport.config(directory, PARENT_ID).build());
            // the worker exits when its stdin ends, and sh gives a background job /dev/null unless told otherwise
            final List<String> command = new ArrayList<>(
                List.of("sh", "-c", "exec 3<&0; \"$@\" <&3 3<&- & wait", "sh"));
            command.addAll(childCommand(directory));
            shell = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(childLog.toFile()).start();
            final int[] received = {0};
            final FrameHandler handler = (source, type, buffer, offset, length) -> received[0]++;
            final SharedMemoryTransport transport = parent;
            awaitOrFail(transport, handler, () -> 1 == received[0], shell, childLog, Duration.ofSeconds(30)); // HELLO
            worker = shell.toHandle().children().findFirst().orElseThrow();
            assertTrue(worker.parent().map(ProcessHandle::pid).orElse(-1L) != ProcessHandle.current().pid());
            assertEquals(List.of(), watchThreads(watchThreadName), "no watch before a destination of another process");

            final ExpandableArrayBuffer out = new ExpandableArrayBuffer(256);
            final int length = codec.encode(new Ping(0, "before", new byte[0]), out, 0);
            parent.send(CHILD_ID, EchoWorkerMain.PING, out, 0, length); // maps and caches the worker's inbox
            awaitOrFail(transport, handler, () -> 2 == received[0], shell, childLog, Duration.ofSeconds(30)); // Pong
            assertTrue(parent.isReachable(CHILD_ID));
            final List<Thread> watch = watchThreads(watchThreadName);
            assertEquals(1, watch.size(), "one watch thread per transport");
            assertTrue(watch.get(0).isDaemon());

            worker.destroyForcibly(); // SIGKILL: the worker never marks its inbox closed
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (worker.isAlive() && System.nanoTime() - deadline < 0)
            {
                Thread.sleep(1);
            }
            assertFalse(worker.isAlive());

            final EndpointClosedException dead = sendUntilNoticedDead(transport, out, length);
            assertTrue(dead.getMessage().contains("is gone"), dead.getMessage());
            assertFalse(parent.isReachable(CHILD_ID));
            assertEquals(0, parent.counters().backPressureWaits());

            parent.close();
            assertFalse(watch.get(0).isAlive(), "close stops the watch thread");
            assertEquals(List.of(), watchThreads(watchThreadName));
        }
        finally
        {
            if (null != worker)
            {
                worker.destroyForcibly();
            }
            if (null != shell)
            {
                shell.destroyForcibly();
                shell.waitFor(30, TimeUnit.SECONDS);
            }
            if (null != parent)
            {
                parent.close();
            }
            deleteRecursively(directory);
        }
    }

    private static List<Thread> watchThreads(final String name)
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> name.equals(thread.getName()) && thread.isAlive())
            .toList();
    }

    private static Process startChild(final Path directory, final Path log) throws Exception
    {
        return new ProcessBuilder(childCommand(directory))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    }

    private static List<String> childCommand(final Path directory)
    {
        final String java = ProcessHandle.current().info().command().orElse(
            Path.of(System.getProperty("java.home"), "bin", "java").toString());
        final List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(JVM_FLAGS);
        command.add("-Xmx128m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(EchoWorkerMain.class.getName());
        command.add(directory.toString());
        command.add(Integer.toString(CHILD_ID));
        command.add(Integer.toString(PARENT_ID));
        command.add(Long.toHexString(TransportTestSupport.SECRET));
        command.add("100");
        return command;
    }

    private static void awaitOrFail(
        final Transport transport,
        final FrameHandler handler,
        final java.util.function.BooleanSupplier done,
        final Process child,
        final Path childLog,
        final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean())
        {
            if (0 == transport.poll(handler, 64))
            {
                if (!child.isAlive())
                {
                    fail("child exited with " + child.exitValue() + ": " + readLog(childLog));
                }
                if (System.nanoTime() - deadline > 0)
                {
                    fail("timed out after " + timeout + "; parent " + transport.counters() + "; child log: " +
                        readLog(childLog));
                }
                Thread.onSpinWait();
            }
        }
    }

    private static String readLog(final Path log)
    {
        try
        {
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        }
        catch (final Exception ex)
        {
            return "(unreadable log: " + ex + ")";
        }
    }

    /**
     * Sends to the killed child once a millisecond until a send fails: the watch thread checks every 10 ms, but on a
     * busy 2-core machine it may run late, so the bound is generous (a detection that never comes fails the test).
     */
    private static EndpointClosedException sendUntilNoticedDead(
        final SharedMemoryTransport transport, final ExpandableArrayBuffer out, final int length) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true)
        {
            try
            {
                transport.send(CHILD_ID, EchoWorkerMain.PING, out, 0, length);
            }
            catch (final EndpointClosedException ex)
            {
                return ex;
            }
            assertTrue(System.nanoTime() - deadline < 0, "a killed destination was not noticed within 5 s");
            Thread.sleep(1);
        }
    }
}
