package io.stmactors.transport.pekko;

import io.stmactors.transport.EndpointClosedException;
import io.stmactors.transport.RejectReason;
import io.stmactors.transport.TransportException;
import io.stmactors.transport.TransportListener;
import io.stmactors.transport.pekko.EndpointMembershipListener.RemovalReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.stmactors.transport.pekko.PekkoTestSupport.config;
import static io.stmactors.transport.pekko.PekkoTestSupport.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cluster-level behaviour in one JVM: frames without the cluster secret are dropped and counted, a duplicate
 * endpoint id is refused, and an endpoint that closes is reported as having left, after which sends to it fail at
 * once.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PekkoMembershipTest
{
    @Test
    void shouldDropFramesWithoutTheSecretAndReportAnEndpointThatLeaves() throws Exception
    {
        final List<String> rejected = new CopyOnWriteArrayList<>();
        final TransportListener rejections = new TransportListener()
        {
            public void onFrameRejected(final RejectReason reason, final int claimedSourceId, final String detail)
            {
                rejected.add(reason + " from " + claimedSourceId);
            }
        };
        final CountDownLatch left = new CountDownLatch(1);
        final AtomicReference<RemovalReason> reason = new AtomicReference<>();

        PekkoTransport owner = null;
        PekkoTransport intruder = null;
        try
        {
            owner = PekkoTransport.open(config(1).listener(rejections).build());
            owner.addMembershipListener(new EndpointMembershipListener()
            {
                public void onEndpointRemoved(final int endpointId, final String address, final RemovalReason why)
                {
                    if (3 == endpointId)
                    {
                        reason.set(why);
                        left.countDown();
                    }
                }
            });
            // A member of the same Pekko cluster that does not know the secret.
            intruder = PekkoTransport.open(config(3, owner.address()).clusterSecret(0xBAD).build());
            assertTrue(intruder.awaitReachable(1, Duration.ofSeconds(30)));

            intruder.send(1, 9, new byte[]{1, 2, 3});
            final AtomicInteger delivered = new AtomicInteger();
            final PekkoTransport receiver = owner;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (receiver.counters().framesRejected() < 1 && System.nanoTime() < deadline)
            {
                receiver.poll((s, t, b, o, l) -> delivered.incrementAndGet(), 16);
                Thread.yield();
            }
            assertEquals(1, owner.counters().framesRejected(), "counted");
            assertEquals(List.of("WRONG_SECRET from 3"), rejected, "reported to the listener");
            assertEquals(0, drain(owner, (s, t, b, o, l) -> delivered.incrementAndGet(), 200));
            assertEquals(0, delivered.get(), "never delivered");
            assertEquals(0, owner.counters().messagesReceived());

            // The intruder closes: a graceful leave, reported as LEFT; sends to it then fail at once.
            intruder.close();
            assertTrue(left.await(30, TimeUnit.SECONDS), "the owner hears that endpoint 3 left");
            assertEquals(RemovalReason.LEFT, reason.get());
            assertFalse(owner.isReachable(3));
            final PekkoTransport sender = owner;
            final long start = System.nanoTime();
            final EndpointClosedException ex =
                assertThrows(EndpointClosedException.class, () -> sender.send(3, 1, new byte[1]));
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 1_000, "fails at once");
            assertTrue(ex.getMessage().contains("left the cluster"), ex.getMessage());

            // The closed endpoint itself refuses to work.
            final PekkoTransport closed = intruder;
            assertThrows(EndpointClosedException.class, () -> closed.send(1, 1, new byte[1]));
            assertThrows(EndpointClosedException.class, () -> closed.poll((s, t, b, o, l) -> { }, 1));
        }
        finally
        {
            if (null != intruder)
            {
                intruder.close();
            }
            if (null != owner)
            {
                owner.close();
            }
        }
    }

    @Test
    void shouldRefuseADuplicateEndpointId()
    {
        PekkoTransport first = null;
        try
        {
            first = PekkoTransport.open(config(5).build());
            final String seed = first.address();
            final TransportException ex = assertThrows(TransportException.class,
                () -> PekkoTransport.open(config(5, seed).build()).close());
            assertTrue(ex.getMessage().contains("already served"), ex.getMessage());
        }
        finally
        {
            if (null != first)
            {
                first.close();
            }
        }
    }
}
