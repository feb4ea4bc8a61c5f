package io.stmactors.transport.pekko;

import io.stmactors.transport.FrameDescriptor;
import io.stmactors.transport.Transport;
import io.stmactors.transport.TransportBackPressureException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.stmactors.transport.pekko.PekkoTestSupport.awaitTrue;
import static io.stmactors.transport.pekko.PekkoTestSupport.config;
import static io.stmactors.transport.pekko.PekkoTestSupport.pollUntil;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    /** Opens A with {@code configOfA} and B joining it, and waits until each lists the other's inbox. */
    private void openPair(final PekkoTransportConfig.Builder configOfA)
    {
        a = Transport.pekko(configOfA.build());
        b = PekkoTransport.open(config(B, a.address()).build());
        assertTrue(a.awaitReachable(B, Duration.ofSeconds(30)), "A should see B");
        assertTrue(b.awaitReachable(A, Duration.ofSeconds(30)), "B should see A (list its inbox, to send it credit)");
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
        openPair(config(A));

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
        openPair(config(A));
        final ActorRef<WireMessage> aInbox = b.directory.get(A).destination.ref;
        b.system().tell(Receptionist.listing(InboxBehavior.serviceKey(A), Set.of()));
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

        b.system().tell(Receptionist.listing(InboxBehavior.serviceKey(A), Set.of(aInbox)));

        final long timeoutsBefore = a.counters().backPressureTimeouts();
        assertDoesNotThrow(() -> a.send(B, 2, new byte[FULL_FRAME]), "B read everything A sent and listed A");
        awaitTrue(() -> 0 == b.credits.pendingCount(), () -> "B's membership actor sent the credit it kept");
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
        openPair(config(A).sendTimeout(Duration.ofSeconds(10)));
        for (int i = 0; i < 32; i++)
        {
            a.send(B, 1, new byte[]{(byte)i}); // the whole frame window; B does not poll yet
        }
        final Destination bSeenByA = a.directory.get(B).destination;
        bSeenByA.markUnreachable(true); // as the membership actor does when the failure detector suspects B

        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final CompletableFuture<Void> send = new CompletableFuture<>();
        final Thread sender = new Thread(() ->
        {
            try
            {
                a.send(B, 2, new byte[]{32});
                send.complete(null);
            }
            catch (final RuntimeException ex)
            {
                send.completeExceptionally(ex);
            }
        }, "waiting-sender");
        sender.start();
        Thread.sleep(1_500); // past the first probe's time (1 s)
        final long cpuBefore = threads.getThreadCpuTime(sender.getId());
        Thread.sleep(1_000);
        final long cpuMs = TimeUnit.NANOSECONDS.toMillis(threads.getThreadCpuTime(sender.getId()) - cpuBefore);
        assertFalse(send.isDone(), "still waiting for credit");
        if (cpuBefore >= 0) // -1: this JVM does not measure thread CPU time (the monitor check below still holds)
        {
            assertTrue(cpuMs < 300, "the waiting sender used " + cpuMs + " ms of CPU in 1 s");
        }
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
     * Frames of a sender's earlier incarnations travel on their own associations and can still arrive after the first
     * frames of its current one. Counting must not start afresh for the current one at every switch: its credits would
     * then count only what came after the late frames, and the frames before them would stay in flight for good.
     * (They did; and with room for two incarnations per sender, late frames of two older ones pushed the current one
     * out.) The test queues frames of two made-up earlier incarnations of A at B, around A's real ones.
     */
    @Test
    void lateFramesOfASendersEarlierIncarnationsDoNotResetTheCountOfTheCurrentOne()
    {
        openPair(config(A));
        final int current = a.inboxUid();
        final int older = current + 1;
        final int oldest = current + 2;
        final List<Integer> lengths = new ArrayList<>();

        b.inbound.offer(frameOf(older, FrameDescriptor.UNFRAGMENTED, 0, 1, (byte)0));
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 1,
            Duration.ofSeconds(20));
        for (int i = 0; i < 3; i++)
        {
            a.send(B, 1, new byte[]{(byte)i});
        }
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 4,
            Duration.ofSeconds(20));
        b.inbound.offer(frameOf(oldest, FrameDescriptor.UNFRAGMENTED, 0, 1, (byte)0)); // late
        b.inbound.offer(frameOf(older, FrameDescriptor.UNFRAGMENTED, 0, 1, (byte)0)); // late too
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 6,
            Duration.ofSeconds(20));
        for (int i = 3; i < 16; i++)
        {
            a.send(B, 1, new byte[]{(byte)i}); // the 16th asks for credit
        }
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 19,
            Duration.ofSeconds(20));

        final Destination bSeenByA = a.directory.get(B).destination;
        awaitTrue(() -> 0 == bSeenByA.inFlightFrames(), () -> "B credits all 16 frames of A: " + bSeenByA);
    }

    /**
     * A late chunk of a sender's previous incarnation must not land in a message of its current one: message ids
     * start at 1 in every process, so a chunk with the same id, offset and length fitted in, and the current
     * incarnation's message was delivered with the dead one's bytes. (It was.) The chunks are queued at B by hand.
     */
    @Test
    void aLateChunkOfASendersPreviousIncarnationIsNotSplicedIntoAMessageOfTheCurrentOne()
    {
        openPair(config(A));
        final int current = a.inboxUid();
        final int previous = current + 1;

        b.inbound.offer(frameOf(current, FrameDescriptor.BEGIN_FLAG, 0, 200, (byte)1));
        b.inbound.offer(frameOf(previous, FrameDescriptor.END_FLAG, 100, 200, (byte)2));
        b.inbound.offer(frameOf(current, FrameDescriptor.END_FLAG, 100, 200, (byte)1));
        final List<byte[]> messages = new ArrayList<>();
        pollUntil(b, (source, type, buffer, offset, length) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            messages.add(bytes);
        }, () -> b.inbound.isEmpty(), Duration.ofSeconds(20));

        assertEquals(1, messages.size(), "the current incarnation's message, whole");
        final byte[] expected = new byte[200];
        Arrays.fill(expected, (byte)1);
        assertArrayEquals(expected, messages.get(0));
        assertEquals(1, b.counters().framesRejected(), "the dead incarnation's chunk, which begins no message");
    }

    /**
     * Late frames of two dead incarnations, between two chunks of a message of a live one that B has not listed
     * yet, must not push the live one out: its message completes. (With room for two incarnations per sender, the
     * second straggler pushed it out, and its last chunk was refused as beginning no message.)
     */
    @Test
    void lateFramesOfTwoDeadIncarnationsDoNotPushOutALiveOneInTheMiddleOfAMessage()
    {
        openPair(config(A));
        final int live = a.inboxUid() + 1; // not the incarnation B lists
        final int dead = live + 1;
        final int deader = live + 2;

        b.inbound.offer(frameOf(live, FrameDescriptor.BEGIN_FLAG, 0, 200, (byte)1));
        b.inbound.offer(frameOf(dead, FrameDescriptor.UNFRAGMENTED, 0, 1, (byte)2));
        b.inbound.offer(frameOf(deader, FrameDescriptor.UNFRAGMENTED, 0, 1, (byte)3));
        b.inbound.offer(frameOf(live, FrameDescriptor.END_FLAG, 100, 200, (byte)1));
        final List<Integer> lengths = new ArrayList<>();
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> b.inbound.isEmpty(),
            Duration.ofSeconds(20));

        assertEquals(List.of(1, 1, 200), lengths);
        assertEquals(0, b.counters().framesRejected());
    }

    /**
     * Beyond four incarnations of one sender, B forgets the one quiet longest, never the one it lists, and throws
     * away that one's message in progress (counted as an incomplete message discarded); a live incarnation that
     * keeps sending, mid-message, stays. Frames are queued at B by hand: A's listed incarnation, then five made-up
     * ones.
     */
    @Test
    void beyondFourIncarnationsTheQuietestUnlistedOneIsForgottenWithItsMessageInProgress()
    {
        openPair(config(A));
        final int listed = a.inboxUid();
        final int live = listed + 1;
        final int dead1 = listed + 2;
        final int dead2 = listed + 3;
        final int dead3 = listed + 4;
        final int dead4 = listed + 5;

        b.inbound.offer(frameOf(listed, FrameDescriptor.UNFRAGMENTED, 0, 1, (byte)0)); // the oldest, but listed
        b.inbound.offer(frameOf(dead1, FrameDescriptor.BEGIN_FLAG, 0, 200, (byte)1)); // never finished
        b.inbound.offer(frameOf(live, FrameDescriptor.BEGIN_FLAG, 0, 200, (byte)2));
        b.inbound.offer(frameOf(dead2, FrameDescriptor.UNFRAGMENTED, 0, 1, (byte)3));
        b.inbound.offer(frameOf(dead3, FrameDescriptor.UNFRAGMENTED, 0, 1, (byte)4)); // fifth: dead1 is forgotten
        final List<Integer> lengths = new ArrayList<>();
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> b.inbound.isEmpty(),
            Duration.ofSeconds(20));
        assertEquals(1, b.counters().incompleteMessagesDiscarded(), "dead1's message in progress, not the listed one");

        b.inbound.offer(frameOf(live, FrameDescriptor.END_FLAG, 100, 200, (byte)2));
        b.inbound.offer(frameOf(dead4, FrameDescriptor.UNFRAGMENTED, 0, 1, (byte)5)); // fifth again: dead2 goes
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> b.inbound.isEmpty(),
            Duration.ofSeconds(20));

        assertEquals(List.of(1, 1, 1, 200, 1), lengths);
        assertEquals(1, b.counters().incompleteMessagesDiscarded(), "dead1's message in progress");
        assertEquals(0, b.counters().framesRejected());
    }

    /**
     * A credit B keeps for a sender it has not listed is dropped once that sender is gone (its member removed) or
     * another incarnation of it is listed: it could never be sent. (The first version kept them for good.)
     */
    @Test
    void aKeptCreditIsDroppedWhenItsSenderIsGone() throws Exception
    {
        openPair(config(A));
        final int current = a.inboxUid();

        b.inbound.offer(frameOf(current + 1, (byte)(FrameDescriptor.UNFRAGMENTED | WireMessage.CREDIT_REQUEST_FLAG),
            0, 1, (byte)0)); // another incarnation of A than the one B lists, asking for credit
        final List<Integer> lengths = new ArrayList<>();
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 1,
            Duration.ofSeconds(20));
        assertEquals(0, b.credits.pendingCount(), "not kept: B lists another incarnation of A");

        b.system().tell(Receptionist.listing(InboxBehavior.serviceKey(A), Set.of()));
        awaitTrue(() -> null == b.directory.get(A).destination, () -> "B no longer lists A's inbox");
        for (int i = 0; i < 16; i++)
        {
            a.send(B, 1, new byte[]{(byte)i}); // the 16th asks for credit
        }
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 17,
            Duration.ofSeconds(20));
        assertEquals(1, b.credits.pendingCount(), "kept: A is a member whose inbox B has not listed");

        a.close();
        a = null;
        awaitTrue(() -> 0 == b.credits.pendingCount(), () -> "dropped once A left: " + b.directory.get(A).status);
    }

    /** A frame from endpoint A's incarnation {@code uid}, of type 1, whose payload bytes are all {@code fill}. */
    private static WireMessage.Frame frameOf(
        final int uid, final byte flags, final int offset, final int messageLength, final byte fill)
    {
        final boolean whole = FrameDescriptor.UNFRAGMENTED == (flags & FrameDescriptor.UNFRAGMENTED);
        final byte[] payload = new byte[whole ? messageLength : messageLength / 2];
        Arrays.fill(payload, fill);
        return new WireMessage.Frame(A, uid, 1, PekkoTestSupport.SECRET, flags, whole ? 0 : 1, messageLength, offset,
            payload);
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
        openPair(config(A));
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
     * A receiver that does not poll answers no probe: its sender probes at doubling intervals, not every interval,
     * then fails with back-pressure at the send timeout, saying what was in flight. (With a 3 s timeout: probes at
     * 0.75 s and 2.25 s; at a fixed interval there was a third at 2.25 s, and one more every 0.75 s for as long as
     * senders kept trying.) Each wait starts again at the first interval.
     */
    @Test
    void aSenderWhoseProbesGoUnansweredProbesAtDoublingIntervalsWithinEachWaitThenFails()
    {
        openPair(config(A));
        for (int i = 0; i < 32; i++)
        {
            a.send(B, 1, new byte[]{(byte)i}); // the whole frame window; B never polls
        }
        final TransportBackPressureException ex =
            assertThrows(TransportBackPressureException.class, () -> a.send(B, 1, new byte[]{32}));
        assertTrue(ex.getMessage().contains("32 frames / 32 bytes in flight"), ex.getMessage());
        final long probes = a.counters().creditProbes();
        assertTrue(probes >= 1 && probes <= 2, "probes in 3 s: " + probes);
        assertEquals(1, a.counters().backPressureTimeouts());

        // The next send that waits probes again from the first interval: a probe whose answer was lost must not
        // leave every later send without one (backing off across sends did: past the send timeout, for good).
        assertThrows(TransportBackPressureException.class, () -> a.send(B, 1, new byte[]{33}));
        assertTrue(a.counters().creditProbes() > probes, "the second wait probed too: " + a.counters());
    }

    /**
     * Frames Artery loses (it drops messages when its outbound queue is full, or across a reconnect) no longer keep
     * their room in the window: the sender's probe, sent behind them, finds them missing at the receiver, which counts
     * them lost and answers with the sender's totals. (Before, B did not answer a probe from an incarnation it had
     * taken nothing from: A's whole window stayed full and every later send failed with back-pressure, for good.)
     * <p>
     * The test takes A's frames out of B's inbound queue before B polls, as if they had never arrived.
     */
    @Test
    void framesLostOnTheWayAreCountedAtTheNextProbeAndTheirRoomInTheWindowComesBack() throws Exception
    {
        openPair(config(A));
        for (int i = 0; i < 32; i++)
        {
            a.send(B, 1, new byte[]{(byte)i}); // the whole frame window
        }
        awaitTrue(() -> 32 == b.inbound.size(), () -> "A's 32 frames reached B's inbound queue: " + b.inbound.size());
        b.inbound.clear(); // lost on the way

        final List<byte[]> received = new ArrayList<>();
        final CompletableFuture<Void> send = CompletableFuture.runAsync(() -> a.send(B, 1, new byte[]{99}));
        pollUntil(b, (source, type, buffer, offset, length) -> received.add(copy(buffer, offset, length)),
            () -> received.size() == 1, Duration.ofSeconds(20));
        send.get(20, TimeUnit.SECONDS);
        assertArrayEquals(new byte[]{99}, received.get(0));
        assertEquals(32, b.counters().framesLost(), "B counted the frames it never took: " + b.counters());
        assertEquals(0, a.counters().backPressureTimeouts());
        assertTrue(a.counters().creditProbes() >= 1, "A probed: " + a.counters());

        // The whole window is free again: 31 more frames go out without waiting.
        final long waitsBefore = a.counters().backPressureWaits();
        for (int i = 0; i < 31; i++)
        {
            a.send(B, 1, new byte[]{(byte)(100 + i)});
        }
        assertEquals(waitsBefore, a.counters().backPressureWaits(), "no wait for credit: " + a.counters());
        pollUntil(b, (source, type, buffer, offset, length) -> received.add(copy(buffer, offset, length)),
            () -> received.size() == 32, Duration.ofSeconds(20));
        assertArrayEquals(new byte[]{(byte)130}, received.get(31));
        assertEquals(32, b.counters().framesLost(), "nothing else lost: " + b.counters());
    }

    /**
     * Under a send timeout shorter than the probe interval's floor (50 ms), a full window is still probed before the
     * send gives up, so frames lost on the way do not wedge it: a later send goes through. (Every wait ended at its
     * deadline before a probe was due, and nothing else ever probed: every send to B failed, for good.)
     */
    @Test
    void aShortSendTimeoutStillProbesAFullWindow() throws Exception
    {
        openPair(config(A).sendTimeout(Duration.ofMillis(20)));
        for (int i = 0; i < 32; i++)
        {
            a.send(B, 1, new byte[]{(byte)i}); // the whole frame window
        }
        awaitTrue(() -> 32 == b.inbound.size(), () -> "A's 32 frames reached B's inbound queue: " + b.inbound.size());
        b.inbound.clear(); // lost on the way

        final List<byte[]> received = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        boolean sent = false;
        int refused = 0;
        while (!sent)
        {
            assertTrue(System.nanoTime() < deadline, "no send to B went through after " + refused
                + " back-pressure failures: " + a.counters());
            try
            {
                a.send(B, 1, new byte[]{99});
                sent = true;
            }
            catch (final TransportBackPressureException ex)
            {
                refused++;
                b.poll((source, type, buffer, offset, length) -> received.add(copy(buffer, offset, length)), 16);
            }
        }
        pollUntil(b, (source, type, buffer, offset, length) -> received.add(copy(buffer, offset, length)),
            () -> received.size() == 1, Duration.ofSeconds(20));
        assertArrayEquals(new byte[]{99}, received.get(0));
        assertEquals(32, b.counters().framesLost(), "B counted the frames it never took: " + b.counters());
        assertTrue(a.counters().creditProbes() >= 1, "A probed: " + a.counters());
    }

    /**
     * The same when B had taken some of A's frames: the probe's totals make up the frames and the bytes lost since.
     * Four full frames (240 KiB of the 256 KiB byte window) are lost; a small frame still fits, the next full one
     * waits, probes, and goes on. (Before, the probe's answer held only what B had taken: the 240 KiB stayed in
     * flight and every full frame to B failed with back-pressure, for good.)
     */
    @Test
    void lostFramesAndTheirBytesAreMadeUpForAnIncarnationTheReceiverHadTakenFramesFrom() throws Exception
    {
        openPair(config(A));
        final List<byte[]> received = new ArrayList<>();
        for (int i = 0; i < 8; i++)
        {
            a.send(B, 1, new byte[]{(byte)i}); // no credit request: less than half of either window
        }
        pollUntil(b, (source, type, buffer, offset, length) -> received.add(copy(buffer, offset, length)),
            () -> received.size() == 8, Duration.ofSeconds(20));

        for (int i = 0; i < 4; i++)
        {
            final byte[] large = new byte[FULL_FRAME];
            large[0] = (byte)(8 + i);
            a.send(B, 2, large);
        }
        awaitTrue(() -> 4 == b.inbound.size(), () -> "A's 4 full frames reached B's inbound queue: " + b.inbound.size());
        b.inbound.clear(); // lost on the way, the credit request among them
        a.send(B, 1, new byte[]{12}); // fits: 240 KiB + 1 byte in flight

        final byte[] last = new byte[FULL_FRAME];
        last[0] = 13;
        final CompletableFuture<Void> send = CompletableFuture.runAsync(() -> a.send(B, 2, last)); // does not fit
        pollUntil(b, (source, type, buffer, offset, length) -> received.add(copy(buffer, offset, length)),
            () -> received.size() == 10, Duration.ofSeconds(20));
        send.get(20, TimeUnit.SECONDS);
        assertArrayEquals(new byte[]{12}, received.get(8));
        assertArrayEquals(last, received.get(9));
        assertEquals(4, b.counters().framesLost(), "B counted the 4 frames it never took: " + b.counters());
        assertEquals(0, a.counters().backPressureTimeouts());
        assertTrue(a.counters().creditProbes() >= 1, "A probed: " + a.counters());
    }

    /**
     * A probe from an incarnation B neither lists nor took anything from (a straggler of a dead one) counts nothing
     * as lost and is not answered: counting it could push a live incarnation out of B's four.
     */
    @Test
    void aProbeFromAnUnlistedIncarnationBTookNothingFromCountsNothingLost()
    {
        openPair(config(A));
        final ActorRef<WireMessage> bInbox = b.directory.get(B).destination.ref;
        bInbox.tell(new WireMessage.CreditProbe(A, a.inboxUid() + 1, PekkoTestSupport.SECRET, 5, 500));
        awaitTrue(() -> 1 == b.inbound.size(), () -> "the probe reached B's inbound queue");
        final List<Integer> lengths = new ArrayList<>();
        b.poll((source, type, buffer, offset, length) -> lengths.add(length), 64);
        assertTrue(b.inbound.isEmpty(), "B took the probe");
        assertEquals(0, b.counters().framesLost(), "nothing counted lost: " + b.counters());
        assertEquals(0, b.credits.pendingCount(), "no credit kept for it");
        assertEquals(0, b.counters().framesRejected(), "a member's probe, not rejected");
        assertEquals(List.of(), lengths);
    }

    /**
     * A probe is answered only for the cluster's members: one without the secret is dropped and counted like a frame
     * without it.
     */
    @Test
    void aCreditProbeWithoutTheClusterSecretIsRejected()
    {
        openPair(config(A));
        a.send(B, 1, new byte[]{1});
        final List<Integer> lengths = new ArrayList<>();
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length), () -> lengths.size() == 1,
            Duration.ofSeconds(20));

        b.directory.get(B).destination.ref.tell(new WireMessage.CreditProbe(A, a.inboxUid(), 0xBADL, 1, 1));
        pollUntil(b, (source, type, buffer, offset, length) -> lengths.add(length),
            () -> b.counters().framesRejected() == 1, Duration.ofSeconds(20));
        assertEquals(1, lengths.size(), "nothing delivered");
        assertEquals(0, b.credits.pendingCount());
    }

    private static byte[] copy(final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }
}
