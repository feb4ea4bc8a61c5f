package io.stmactors.transport.pekko;

import io.stmactors.transport.FrameDescriptor;
import io.stmactors.transport.Transport;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static io.stmactors.transport.pekko.PekkoTestSupport.config;
import static io.stmactors.transport.pekko.PekkoTestSupport.pollUntil;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The credit protocol on a fresh pair of endpoints (the send counters start at zero, so the frames in flight are
 * exactly the ones the test sends): windows of 32 frames and 256 KiB, frames of at most 60 KiB of payload.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PekkoFlowControlTest
{
    private static final int A = 1;
    private static final int B = 2;
    private static final int FULL_FRAME = 64 * 1024 - PekkoTransportConfig.FRAME_HEADROOM;

    private PekkoTransport a;
    private PekkoTransport b;

    @AfterEach
    void close()
    {
        PekkoTestSupport.closeAll(b, a);
    }

    /**
     * Small frames raise a credit request at half the frame window; large frames sent after it, before the receiver
     * polls, fill most of the byte window. Once the receiver has read them all, a large frame must fit again: the
     * credit answering the small frames' request leaves the large ones in flight, so one of those must have asked
     * for the next credit. (It did not: the sender waited for a credit nobody had asked for and failed with
     * back-pressure after the send timeout, with the receiver idle and its inbox empty.)
     */
    @Test
    void aLargeFrameFitsAgainOnceTheReceiverReadEverythingAfterSmallFramesRaisedTheRequest()
    {
        a = Transport.pekko(config(A).build());
        b = PekkoTransport.open(config(B, a.address()).build());
        assertTrue(a.awaitReachable(B, Duration.ofSeconds(30)), "A should see B");
        assertTrue(b.awaitReachable(A, Duration.ofSeconds(30)), "B should list A's inbox, to send it credit");

        for (int i = 0; i < 16; i++)
        {
            a.send(B, 1, new byte[]{(byte)i}); // the 16th brings half of the 32-frame window: it asks for credit
        }
        for (int i = 0; i < 4; i++)
        {
            a.send(B, 2, new byte[FULL_FRAME]); // 4 × 60 KiB: 240 KiB of the 256 KiB window, without waiting
        }
        final List<Integer> lengths = new ArrayList<>();
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 20,
            Duration.ofSeconds(20));

        final long timeoutsBefore = a.counters().backPressureTimeouts();
        assertDoesNotThrow(() -> a.send(B, 2, new byte[FULL_FRAME]), "B read everything A sent");
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 21,
            Duration.ofSeconds(20));
        assertEquals(FULL_FRAME, lengths.get(20));
        assertEquals(timeoutsBefore, a.counters().backPressureTimeouts());
    }

    /**
     * The receptionist listing of a sender's inbox travels by gossip and can reach the receiver seconds after the
     * sender's first frames. Credits the receiver owes meanwhile must go out when the listing arrives, not on the
     * receiver's next poll: a receiver that has read everything may be waiting for the very message the sender is
     * blocked on. (They waited for the next poll: the sender failed with back-pressure after the send timeout, with
     * the receiver idle and its inbox empty. Fresh-clone CI saw it once, when B listed A late.)
     * <p>
     * The test tells B's membership actor the listings a receptionist would send: first none for A (as before A's
     * registration reached B), then A's inbox.
     */
    @Test
    void creditsOwedToASenderNotListedYetGoOutWhenItsInboxIsListedWithoutAnotherPoll()
    {
        a = Transport.pekko(config(A).build());
        b = PekkoTransport.open(config(B, a.address()).build());
        assertTrue(a.awaitReachable(B, Duration.ofSeconds(30)), "A should see B");
        assertTrue(b.awaitReachable(A, Duration.ofSeconds(30)), "B should see A");
        final ActorRef<WireMessage> aInbox = b.directory.get(A).destination.ref;
        b.membershipActor().tell(Receptionist.listing(InboxBehavior.serviceKey(A), Set.of()));
        awaitTrue(() -> null == b.directory.get(A).destination, () -> "B no longer lists A's inbox");

        for (int i = 0; i < 16; i++)
        {
            a.send(B, 1, new byte[]{(byte)i}); // the 16th asks for credit
        }
        for (int i = 0; i < 4; i++)
        {
            a.send(B, 2, new byte[FULL_FRAME]); // the 19th asks again; 240 KiB of the 256 KiB window in flight
        }
        final List<Integer> lengths = new ArrayList<>();
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 20,
            Duration.ofSeconds(20));
        assertEquals(1, b.credits.pendingCount(), "B owes A a credit it could not send");

        b.membershipActor().tell(Receptionist.listing(InboxBehavior.serviceKey(A), Set.of(aInbox)));

        final long timeoutsBefore = a.counters().backPressureTimeouts();
        assertDoesNotThrow(() -> a.send(B, 2, new byte[FULL_FRAME]), "B read everything A sent and listed A");
        assertEquals(0, b.credits.pendingCount());
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 21,
            Duration.ofSeconds(20));
        assertEquals(FULL_FRAME, lengths.get(20));
        assertEquals(timeoutsBefore, a.counters().backPressureTimeouts());
    }

    /**
     * While the failure detector suspects the receiver, a sender on a full window waits quietly: no probes into the
     * void, no spinning, and the monitor stays free for the membership actor, which must be able to say the receiver
     * is back. (With probes added, a sender spun on the monitor once the first probe was due: markUnreachable(false)
     * blocked until the sender's deadline, and the send failed as "stayed unreachable".)
     */
    @Test
    void aSenderWaitingOnAnUnreachableReceiverNeitherSpinsNorProbes() throws Exception
    {
        a = Transport.pekko(config(A).sendTimeout(Duration.ofSeconds(10)).build());
        b = PekkoTransport.open(config(B, a.address()).build());
        assertTrue(a.awaitReachable(B, Duration.ofSeconds(30)), "A should see B");
        assertTrue(b.awaitReachable(A, Duration.ofSeconds(30)), "B should see A");
        for (int i = 0; i < 32; i++)
        {
            a.send(B, 1, new byte[]{(byte)i}); // the whole frame window; B does not poll yet
        }
        final Destination bSeenByA = a.directory.get(B).destination;
        bSeenByA.markUnreachable(true); // as the membership actor does when the failure detector suspects B

        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final AtomicLong senderThread = new AtomicLong();
        final CompletableFuture<Void> send = CompletableFuture.runAsync(() ->
        {
            senderThread.set(Thread.currentThread().getId());
            a.send(B, 2, new byte[]{32});
        });
        Thread.sleep(1_500); // past the first probe's time (1 s)
        final long cpuBefore = threads.getThreadCpuTime(senderThread.get());
        Thread.sleep(1_000);
        final long cpuMs = TimeUnit.NANOSECONDS.toMillis(threads.getThreadCpuTime(senderThread.get()) - cpuBefore);
        assertFalse(send.isDone(), "still waiting for credit");
        assertTrue(cpuMs < 300, "the waiting sender used " + cpuMs + " ms of CPU in 1 s");
        assertEquals(0, a.counters().creditProbes(), "no probe while B is unreachable");

        final long start = System.nanoTime();
        bSeenByA.markUnreachable(false);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 1_000, "the monitor was free");
        final List<Integer> lengths = new ArrayList<>();
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 33,
            Duration.ofSeconds(20));
        send.get(20, TimeUnit.SECONDS);
        assertEquals(0, a.counters().backPressureTimeouts());
    }

    /**
     * Frames of a sender's previous incarnation travel on their own association and can still arrive after the first
     * frames of its successor. Counting must not start afresh for either at every switch: the successor's credits
     * would then count only what came after the late frame, and the frames before it would stay in flight for good.
     * (They did.) The test queues frames of a made-up previous incarnation of A at B, around A's real ones.
     */
    @Test
    void aLateFrameOfASendersPreviousIncarnationDoesNotResetTheCountOfTheCurrentOne()
    {
        a = Transport.pekko(config(A).build());
        b = PekkoTransport.open(config(B, a.address()).build());
        assertTrue(a.awaitReachable(B, Duration.ofSeconds(30)), "A should see B");
        assertTrue(b.awaitReachable(A, Duration.ofSeconds(30)), "B should see A");
        final int previousUid = a.creditProbe().senderUid() + 1;
        final List<Integer> lengths = new ArrayList<>();

        b.inbound.offer(previousIncarnationFrame(previousUid));
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 1,
            Duration.ofSeconds(20));
        for (int i = 0; i < 3; i++)
        {
            a.send(B, 1, new byte[]{(byte)i});
        }
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 4,
            Duration.ofSeconds(20));
        b.inbound.offer(previousIncarnationFrame(previousUid)); // late
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 5,
            Duration.ofSeconds(20));
        for (int i = 3; i < 16; i++)
        {
            a.send(B, 1, new byte[]{(byte)i}); // the 16th asks for credit
        }
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 18,
            Duration.ofSeconds(20));

        final Destination bSeenByA = a.directory.get(B).destination;
        awaitTrue(() -> 0 == bSeenByA.inFlightFrames(), () -> "B credits all 16 frames of A: " + bSeenByA);
    }

    private static WireMessage.Frame previousIncarnationFrame(final int uid)
    {
        return new WireMessage.Frame(A, uid, 1, PekkoTestSupport.SECRET, FrameDescriptor.UNFRAGMENTED, 0, 1, 0,
            new byte[]{-1});
    }

    private static void awaitTrue(final BooleanSupplier condition, final Supplier<String> what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, () -> "not within 20 s: " + what.get());
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /**
     * Artery delivers at most once: a credit can be lost (across a reconnect, say). A sender whose window is full and
     * whose request was answered by a lost credit must ask again rather than wait for a credit that will never come.
     * (It waited: every later send to that member failed with back-pressure after the send timeout, for good.)
     * <p>
     * The test makes B's credits to A go astray (to B's own inbox, which ignores a credit about another endpoint's
     * incarnation) while B reads A's frames, then points them at A again; B keeps polling, as a receiver does.
     */
    @Test
    void aSenderWhoseCreditWasLostAsksAgainAndGoesOn() throws Exception
    {
        a = Transport.pekko(config(A).build());
        b = PekkoTransport.open(config(B, a.address()).build());
        assertTrue(a.awaitReachable(B, Duration.ofSeconds(30)), "A should see B");
        assertTrue(b.awaitReachable(A, Duration.ofSeconds(30)), "B should see A");
        final EndpointDirectory.Entry aSeenByB = b.directory.get(A);
        final Destination listed = aSeenByB.destination;
        final Destination astray = new Destination(A, listed.uid, b.directory.get(B).destination.ref, listed.address,
            32, 256 * 1024, b::creditProbe);
        aSeenByB.destination = astray;

        for (int i = 0; i < 16; i++)
        {
            a.send(B, 1, new byte[]{(byte)i});
        }
        for (int i = 0; i < 4; i++)
        {
            a.send(B, 2, new byte[FULL_FRAME]);
        }
        final List<Integer> lengths = new ArrayList<>();
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 20,
            Duration.ofSeconds(20));
        assertEquals(0, b.credits.pendingCount(), "B sent both credits (astray)");
        aSeenByB.destination = listed;

        final long timeoutsBefore = a.counters().backPressureTimeouts();
        final long probesBefore = a.counters().creditProbes();
        final CompletableFuture<Void> send = CompletableFuture.runAsync(() -> a.send(B, 2, new byte[FULL_FRAME]));
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 21,
            Duration.ofSeconds(20));
        send.get(20, TimeUnit.SECONDS);
        assertEquals(FULL_FRAME, lengths.get(20));
        assertEquals(timeoutsBefore, a.counters().backPressureTimeouts());
        assertTrue(a.counters().creditProbes() > probesBefore, "A asked B for credit again: " + a.counters());
    }

    /**
     * A probe is answered only for the cluster's members: one without the secret is dropped and counted like a frame
     * without it.
     */
    @Test
    void aCreditProbeWithoutTheClusterSecretIsRejected()
    {
        a = Transport.pekko(config(A).build());
        b = PekkoTransport.open(config(B, a.address()).build());
        assertTrue(b.awaitReachable(A, Duration.ofSeconds(30)), "B should see A");
        a.send(B, 1, new byte[]{1});
        final List<Integer> lengths = new ArrayList<>();
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 1,
            Duration.ofSeconds(20));

        b.directory.get(B).destination.ref.tell(new WireMessage.CreditProbe(A, a.creditProbe().senderUid(), 0xBADL));
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length),
            () -> b.counters().framesRejected() == 1, Duration.ofSeconds(20));
        assertEquals(1, lengths.size(), "nothing delivered");
        assertEquals(0, b.credits.pendingCount());
    }
}
