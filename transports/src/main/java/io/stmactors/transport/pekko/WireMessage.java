package io.stmactors.transport.pekko;

/**
 * What endpoints of a {@link PekkoTransport} tell each other's inbox actors over Artery. Bound to
 * {@link PekkoFrameSerializer} in the Pekko configuration; nothing else of ours crosses the network.
 * <p>
 * Thread-safety: immutable records, except that the payload array of a {@link Frame} is owned by whoever holds the
 * frame and must not be changed after it is sent.
 */
sealed interface WireMessage permits WireMessage.Frame, WireMessage.Credit, WireMessage.CreditProbe
{
    /** Frame flag: the sender asks for a {@link Credit} once this frame is consumed (see {@link Destination}). */
    byte CREDIT_REQUEST_FLAG = 0x01;

    /**
     * One message, or one chunk of a message larger than an Artery frame. The fields mirror
     * {@link io.stmactors.transport.FrameDescriptor}: {@code flags} carries its begin/end/abort bits plus
     * {@link #CREDIT_REQUEST_FLAG}; a whole message is {@code BEGIN|END} with message id 0 and offset 0.
     *
     * @param sourceId       sending endpoint id.
     * @param senderUid      incarnation of the sending inbox actor (its Pekko path uid).
     * @param messageType    the caller's type, {@code >= 0}.
     * @param clusterSecret  must equal the receiver's secret, or the frame is dropped and counted.
     * @param flags          begin, end, abort and credit-request bits.
     * @param messageId      per source, shared by the chunks of one message; 0 for a whole message.
     * @param messageLength  length of the whole message.
     * @param fragmentOffset position of this chunk in the message.
     * @param payload        this frame's bytes.
     */
    record Frame(
        int sourceId,
        int senderUid,
        int messageType,
        long clusterSecret,
        byte flags,
        long messageId,
        int messageLength,
        int fragmentOffset,
        byte[] payload) implements WireMessage
    {
    }

    /**
     * Flow-control credit: how much of one sender incarnation's traffic a receiver incarnation has consumed so far.
     * Totals rather than increments, so a credit that overtakes or replaces another does no harm.
     *
     * @param receiverId     the endpoint that consumed (and sends this credit).
     * @param receiverUid    its inbox incarnation.
     * @param senderUid      the sender incarnation the totals are about.
     * @param clusterSecret  must equal the sender's secret, or the credit is ignored and counted.
     * @param consumedFrames frames of that sender consumed by polls, in total.
     * @param consumedBytes  payload bytes of those frames, in total.
     */
    record Credit(
        int receiverId,
        int receiverUid,
        int senderUid,
        long clusterSecret,
        long consumedFrames,
        long consumedBytes) implements WireMessage
    {
    }

    /**
     * A sender that has waited a while on a full window asks the receiver for its totals again (a credit can be lost:
     * Artery delivers at most once, for example across a reconnect). It travels behind the frames sent before it, so
     * when the receiver's poll takes it, each of those frames was either taken before it or lost on the way: the
     * receiver counts the difference to the sender's totals as lost (and consumed) and answers with a {@link Credit}
     * holding the totals, which gives the lost frames' room in the window back.
     *
     * @param senderId      the sending endpoint id.
     * @param senderUid     its inbox incarnation.
     * @param clusterSecret must equal the receiver's secret, or the probe is dropped and counted.
     * @param sentFrames    frames that incarnation had sent to the receiver when it probed, in total.
     * @param sentBytes     payload bytes of those frames, in total.
     */
    record CreditProbe(int senderId, int senderUid, long clusterSecret, long sentFrames, long sentBytes)
        implements WireMessage
    {
    }
}
