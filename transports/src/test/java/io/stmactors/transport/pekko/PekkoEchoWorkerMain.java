package io.stmactors.transport.pekko;

import io.stmactors.transport.EndpointClosedException;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A worker JVM for {@link PekkoCrossProcessTest}: joins the parent's cluster, prints {@code READY <address>} on
 * stdout, then echoes every message back to its sender with the same type. It exits when the parent leaves the
 * cluster or after two minutes, so a forgotten child cannot outlive a test run for long.
 * <p>
 * Arguments: endpoint id, seed {@code host:port}, cluster secret (decimal).
 */
public final class PekkoEchoWorkerMain
{
    static final Duration MAX_LIFETIME = Duration.ofMinutes(2);

    private PekkoEchoWorkerMain()
    {
    }

    /**
     * @param args endpoint id, seed {@code host:port}, cluster secret.
     */
    public static void main(final String[] args)
    {
        final int endpointId = Integer.parseInt(args[0]);
        final String seed = args[1];
        final long secret = Long.parseLong(args[2]);
        final PekkoTransport transport = PekkoTransport.open(
            PekkoCrossProcessTest.clusterConfig(endpointId, seed).clusterSecret(secret).build());
        transport.addMembershipListener(new EndpointMembershipListener()
        {
            public void onEndpointRemoved(final int id, final String address, final RemovalReason reason)
            {
                System.exit(0); // the parent is gone: so are we
            }
        });
        System.out.println("READY " + transport.address());
        System.out.flush();

        final long deadline = System.nanoTime() + MAX_LIFETIME.toNanos();
        try
        {
            while (System.nanoTime() < deadline)
            {
                final int taken = transport.poll((source, type, buffer, offset, length) ->
                    transport.send(source, type, buffer, offset, length), 16);
                if (0 == taken)
                {
                    TimeUnit.MICROSECONDS.sleep(100);
                }
            }
        }
        catch (final EndpointClosedException | InterruptedException ex)
        {
            // the parent left or we were removed
        }
        finally
        {
            transport.close();
        }
        System.exit(0);
    }
}
