package io.stmactors.transport.pekko;

import io.stmactors.transport.SharedMemoryTransport;
import io.stmactors.transport.Transport;
import io.stmactors.transport.TransportConfig;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures {@link PekkoTransport} (Artery TCP on loopback) against {@link SharedMemoryTransport} in the same run:
 * round-trip latency (p50, p99) and one-way throughput for 64 B, 1 KiB and 64 KiB payloads.
 * <p>
 * Both endpoints of a pair live in this JVM (two Pekko actor systems talking TCP over 127.0.0.1; two shared-memory
 * inboxes in {@code /dev/shm} or the temp directory). Rounds interleave the two transports (A B A B ...), and the
 * table reports the median of the rounds and the Pekko/shared-memory ratio, as {@code shared/BENCHMARKING.md} asks.
 * Pollers wait with a {@link BackoffIdleStrategy} (100 spins, 10 yields, parks of 1 to 100 µs) on both transports,
 * so that Pekko's own threads get a core on a small machine.
 * <p>
 * Usage: {@code TransportLatencyMain [rounds] [millisPerMeasurement]}, default 3 rounds of 1000 ms. Prints a
 * Markdown table to stdout.
 */
public final class TransportLatencyMain
{
    private static final int[] SIZES = {64, 1024, 64 * 1024};
    private static final int ECHO_TYPE = 1;
    private static final int STREAM_TYPE = 2;
    private static final int MAX_SAMPLES = 1 << 21;

    private TransportLatencyMain()
    {
    }

    /**
     * @param args optional: rounds, milliseconds per measurement.
     * @throws Exception if a transport fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        final long millis = args.length > 1 ? Long.parseLong(args[1]) : 1000;
        final double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        final long secret = ThreadLocalRandom.current().nextLong();

        final Path shmRoot = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") :
            Path.of(System.getProperty("java.io.tmpdir"));
        final Path directory = shmRoot.resolve("stm-actors-latency-" + ProcessHandle.current().pid());
        final Transport shmA = SharedMemoryTransport.open(TransportConfig.builder()
            .directory(directory).endpointId(1).clusterSecret(secret).build());
        final Transport shmB = SharedMemoryTransport.open(TransportConfig.builder()
            .directory(directory).endpointId(2).clusterSecret(secret).build());
        final PekkoTransport pekkoA = PekkoTransport.open(PekkoTransportConfig.builder()
            .endpointId(1).clusterSecret(secret).build());
        final PekkoTransport pekkoB = PekkoTransport.open(PekkoTransportConfig.builder()
            .endpointId(2).clusterSecret(secret).seedNodes(pekkoA.address()).build());
        try
        {
            if (!pekkoA.awaitReachable(2, java.time.Duration.ofSeconds(30)) ||
                !pekkoB.awaitReachable(1, java.time.Duration.ofSeconds(30)))
            {
                throw new IllegalStateException("the two Pekko endpoints did not see each other");
            }
            final Pair[] pairs = {new Pair("shared memory", shmA, shmB), new Pair("Pekko Artery TCP", pekkoA, pekkoB)};

            // Warm-up: every measurement once, short, discarded.
            for (final int size : SIZES)
            {
                for (final Pair pair : pairs)
                {
                    latency(pair, size, Math.max(200, millis / 4));
                    throughput(pair, size, Math.max(200, millis / 4));
                }
            }

            final double[][][] p50 = new double[pairs.length][SIZES.length][rounds];
            final double[][][] p99 = new double[pairs.length][SIZES.length][rounds];
            final double[][][] rate = new double[pairs.length][SIZES.length][rounds];
            for (int round = 0; round < rounds; round++)
            {
                for (int s = 0; s < SIZES.length; s++)
                {
                    for (int p = 0; p < pairs.length; p++)
                    {
                        final long[] percentiles = latency(pairs[p], SIZES[s], millis);
                        p50[p][s][round] = percentiles[0] / 1000.0;
                        p99[p][s][round] = percentiles[1] / 1000.0;
                        rate[p][s][round] = throughput(pairs[p], SIZES[s], millis);
                    }
                }
            }

            final double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            print(pairs, p50, p99, rate, rounds, millis, loadBefore, loadAfter);
        }
        finally
        {
            pekkoB.close();
            pekkoA.close();
            shmB.close();
            shmA.close();
        }
        System.exit(0);
    }

    /**
     * Ping-pong: A sends, B echoes, A waits for the echo; one message in flight.
     *
     * @return p50 and p99 round-trip time in nanoseconds.
     */
    private static long[] latency(final Pair pair, final int size, final long millis) throws InterruptedException
    {
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread echo = new Thread(() ->
        {
            final IdleStrategy idle = idleStrategy();
            while (running.get())
            {
                idle.idle(pair.b.poll((source, type, buffer, offset, length) ->
                    pair.b.send(source, type, buffer, offset, length), 16));
            }
        }, "echo");
        echo.setDaemon(true);
        echo.start();

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[size]);
        final long[] samples = new long[MAX_SAMPLES];
        final boolean[] replied = new boolean[1];
        final IdleStrategy idle = idleStrategy();
        int count = 0;
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end && count < samples.length)
        {
            replied[0] = false;
            payload.putInt(0, count, ByteOrder.LITTLE_ENDIAN);
            final long start = System.nanoTime();
            pair.a.send(2, ECHO_TYPE, payload, 0, size);
            idle.reset();
            while (!replied[0])
            {
                idle.idle(pair.a.poll((source, type, buffer, offset, length) -> replied[0] = true, 1));
            }
            samples[count++] = System.nanoTime() - start;
        }
        running.set(false);
        echo.join();
        final long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        return new long[]{sorted[count / 2], sorted[Math.min(count - 1, (int)(count * 0.99))]};
    }

    /**
     * One-way stream: a thread sends to B for {@code millis}; B counts what arrives.
     *
     * @return messages per second received.
     */
    private static double throughput(final Pair pair, final int size, final long millis) throws InterruptedException
    {
        final AtomicLong sent = new AtomicLong(-1);
        final long start = System.nanoTime();
        final Thread sender = new Thread(() ->
        {
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[size]);
            final long end = start + TimeUnit.MILLISECONDS.toNanos(millis);
            long count = 0;
            while (System.nanoTime() < end)
            {
                for (int i = 0; i < 64; i++)
                {
                    pair.a.send(2, STREAM_TYPE, payload, 0, size);
                }
                count += 64;
            }
            sent.set(count);
        }, "sender");
        sender.start();

        final long[] received = {0};
        final IdleStrategy idle = idleStrategy();
        long lastArrival = start;
        final long giveUp = start + TimeUnit.MILLISECONDS.toNanos(millis) + TimeUnit.SECONDS.toNanos(30);
        while ((sent.get() < 0 || received[0] < sent.get()) && System.nanoTime() < giveUp)
        {
            final int taken = pair.b.poll((source, type, buffer, offset, length) -> received[0]++, 256);
            if (taken > 0)
            {
                lastArrival = System.nanoTime();
            }
            idle.idle(taken);
        }
        sender.join();
        if (received[0] != sent.get())
        {
            throw new IllegalStateException(pair.name + ": received " + received[0] + " of " + sent.get());
        }
        return received[0] * 1e9 / (lastArrival - start);
    }

    private static IdleStrategy idleStrategy()
    {
        return new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
    }

    private static void print(
        final Pair[] pairs,
        final double[][][] p50,
        final double[][][] p99,
        final double[][][] rate,
        final int rounds,
        final long millis,
        final double loadBefore,
        final double loadAfter)
    {
        final StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Machine: %d cores (%s), %s %s; JDK %s (%s); %s; load average %.2f " +
            "before, %.2f after.%n", Runtime.getRuntime().availableProcessors(), cpuModel(),
            System.getProperty("os.name"), System.getProperty("os.arch"),
            System.getProperty("java.version"), System.getProperty("java.vm.name"),
            LocalDate.now(), loadBefore, loadAfter));
        out.append(String.format(Locale.ROOT, "Medians of %d interleaved rounds of %d ms per measurement " +
            "(min–max over the rounds in parentheses); both endpoints in one JVM.%n%n", rounds, millis));
        out.append("| payload | transport | round trip p50 (µs) | round trip p99 (µs) | throughput (msg/s) | " +
            "throughput (MiB/s) |\n");
        out.append("|---|---|---|---|---|---|\n");
        for (int s = 0; s < SIZES.length; s++)
        {
            for (int p = 0; p < pairs.length; p++)
            {
                final double messages = median(rate[p][s]);
                out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.1f |%n", sizeName(SIZES[s]),
                    pairs[p].name, spread(p50[p][s], "%.1f"), spread(p99[p][s], "%.1f"), spread(rate[p][s], "%,.0f"),
                    messages * SIZES[s] / (1024.0 * 1024.0)));
            }
        }
        out.append("\nPekko / shared memory (medians):\n\n| payload | p50 latency | p99 latency | throughput |\n" +
            "|---|---|---|---|\n");
        for (int s = 0; s < SIZES.length; s++)
        {
            out.append(String.format(Locale.ROOT, "| %s | %.1f× | %.1f× | %.3f× |%n", sizeName(SIZES[s]),
                median(p50[1][s]) / median(p50[0][s]), median(p99[1][s]) / median(p99[0][s]),
                median(rate[1][s]) / median(rate[0][s])));
        }
        System.out.print(out);
    }

    private static String spread(final double[] values, final String format)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final String median = String.format(Locale.ROOT, format, median(values));
        return sorted.length < 2 ? median : median + " (" + String.format(Locale.ROOT, format, sorted[0]) + "–" +
            String.format(Locale.ROOT, format, sorted[sorted.length - 1]) + ")";
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] :
            (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static String sizeName(final int size)
    {
        return size >= 1024 ? size / 1024 + " KiB" : size + " B";
    }

    private static String cpuModel()
    {
        try
        {
            final List<String> lines = new ArrayList<>(Files.readAllLines(Path.of("/proc/cpuinfo")));
            for (final String line : lines)
            {
                if (line.startsWith("model name"))
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // not Linux
        }
        return "unknown CPU";
    }

    private record Pair(String name, Transport a, Transport b)
    {
    }
}
