package io.stmactors.transport.pekko;

import io.stmactors.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.stmactors.transport.pekko.PekkoTestSupport.config;
import static io.stmactors.transport.pekko.PekkoTestSupport.pollUntil;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
     * The test hides A's inbox from B's directory, as before the listing arrives, and then publishes it again and
     * flushes the kept credits, as B's membership actor does when a listing names an inbox.
     */
    @Test
    void creditsOwedToASenderNotListedYetGoOutWhenItsInboxIsListedWithoutAnotherPoll()
    {
        a = Transport.pekko(config(A).build());
        b = PekkoTransport.open(config(B, a.address()).build());
        assertTrue(a.awaitReachable(B, Duration.ofSeconds(30)), "A should see B");
        assertTrue(b.awaitReachable(A, Duration.ofSeconds(30)), "B should see A");
        final EndpointDirectory.Entry aSeenByB = b.directory.get(A);
        final Destination listed = aSeenByB.destination;
        aSeenByB.destination = null; // B has not listed A's inbox yet

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

        aSeenByB.destination = listed;
        b.credits.flush();

        final long timeoutsBefore = a.counters().backPressureTimeouts();
        assertDoesNotThrow(() -> a.send(B, 2, new byte[FULL_FRAME]), "B read everything A sent and listed A");
        assertEquals(0, b.credits.pendingCount());
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 21,
            Duration.ofSeconds(20));
        assertEquals(FULL_FRAME, lengths.get(20));
        assertEquals(timeoutsBefore, a.counters().backPressureTimeouts());
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
