package io.stmactors.transport.pekko;

import io.stmactors.transport.FrameHandler;
import io.stmactors.transport.Transport;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Helpers shared by the Pekko transport tests: configs with test-sized timeouts, bounded polling, JVM flags for
 * child processes.
 */
final class PekkoTestSupport
{
    static final long SECRET = 0x5EC2E7_0000_0042L;

    private PekkoTestSupport()
    {
    }

    /**
     * A loopback endpoint on a free port, with short timeouts and small windows (so flow control is exercised).
     */
    static PekkoTransportConfig.Builder config(final int endpointId, final String... seeds)
    {
        return PekkoTransportConfig.builder()
            .endpointId(endpointId)
            .clusterSecret(SECRET)
            .seedNodes(seeds)
            .maxFrameSize(64 * 1024)
            .sendWindow(32, 256 * 1024)
            .sendTimeout(Duration.ofSeconds(3))
            .joinTimeout(Duration.ofSeconds(40))
            .closeTimeout(Duration.ofSeconds(10))
            .failureDetector(Duration.ofMillis(500), Duration.ofSeconds(3))
            .downingStableAfter(Duration.ofSeconds(5));
    }

    /** Closes the transports that were opened (nulls skipped), in the order given. */
    static void closeAll(final Transport... transports)
    {
        for (final Transport t : transports)
        {
            if (null != t)
            {
                t.close();
            }
        }
    }

    /** Poll until the condition holds; fail after the timeout. */
    static void pollUntil(
        final Transport transport, final FrameHandler handler, final BooleanSupplier done, final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean())
        {
            if (0 == transport.poll(handler, 64))
            {
                Thread.onSpinWait();
                Thread.yield();
            }
            if (System.nanoTime() - deadline > 0)
            {
                fail("condition not met within " + timeout + "; counters: " + transport.counters());
            }
        }
    }

    /** Wait up to 20 s for {@code condition}, looking every millisecond; fails with {@code what} otherwise. */
    static void awaitTrue(final BooleanSupplier condition, final Supplier<String> what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, () -> "not within 20 s: " + what.get());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Poll until the inbox stays empty for {@code quietMs}. */
    static int drain(final Transport transport, final FrameHandler handler, final long quietMs)
    {
        int taken = 0;
        long idleSince = System.nanoTime();
        while (System.nanoTime() - idleSince < quietMs * 1_000_000L)
        {
            final int n = transport.poll(handler, 256);
            if (n > 0)
            {
                taken += n;
                idleSince = System.nanoTime();
            }
            else
            {
                Thread.yield();
            }
        }
        return taken;
    }

    /**
     * The {@code --add-opens} flags this JVM was started with (the root pom's {@code stmactors.jvm.flags}, passed
     * to surefire), to start child JVMs the same way.
     */
    static List<String> addOpensFlags()
    {
        final List<String> input = ManagementFactory.getRuntimeMXBean().getInputArguments();
        final List<String> flags = new ArrayList<>();
        for (int i = 0; i < input.size(); i++)
        {
            final String arg = input.get(i);
            if ("--add-opens".equals(arg) && i + 1 < input.size())
            {
                flags.add(arg);
                flags.add(input.get(++i));
            }
            else if (arg.startsWith("--add-opens="))
            {
                flags.add(arg);
            }
        }
        return flags;
    }
}
