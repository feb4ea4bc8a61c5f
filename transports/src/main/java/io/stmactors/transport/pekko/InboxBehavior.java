package io.stmactors.transport.pekko;

import io.stmactors.transport.FrameDescriptor;
import io.stmactors.transport.RejectReason;
import io.stmactors.transport.pekko.EndpointDirectory.Entry;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * An endpoint's inbox: the actor other endpoints tell {@link WireMessage}s to, registered with the cluster
 * receptionist under {@code ServiceKey("stm-actors-endpoint-<id>")}.
 * <ul>
 *     <li>A {@link WireMessage.Frame} carrying the cluster secret goes to the transport's inbound queue, which
 *     {@link PekkoTransport#poll} drains; any other frame becomes a {@link PekkoTransport.Rejection} in the same
 *     queue, so that the polling thread counts and reports it (and never delivers it).</li>
 *     <li>A {@link WireMessage.Credit} for this incarnation is applied to the {@link Destination} it is about.</li>
 * </ul>
 * Its path uid identifies the incarnation: frames carry it as {@code senderUid}, credits as {@code receiverUid}.
 * <p>
 * Thread-safety: an actor; it is the inbound queue's only producer, and only reads the directory.
 */
final class InboxBehavior extends AbstractBehavior<WireMessage>
{
    static final String SERVICE_KEY_PREFIX = "stm-actors-endpoint-";

    private final PekkoTransport transport;
    private final long secret;
    private final int selfUid;

    private InboxBehavior(final ActorContext<WireMessage> context, final PekkoTransport transport)
    {
        super(context);
        this.transport = transport;
        this.secret = transport.config.clusterSecret();
        this.selfUid = context.getSelf().path().uid();
        transport.onInboxStarted(selfUid);
        Receptionist.get(context.getSystem()).ref()
            .tell(Receptionist.register(serviceKey(transport.localId()), context.getSelf()));
    }

    static Behavior<WireMessage> create(final PekkoTransport transport)
    {
        return Behaviors.setup(context -> new InboxBehavior(context, transport));
    }

    static ServiceKey<WireMessage> serviceKey(final int endpointId)
    {
        return ServiceKey.create(WireMessage.class, SERVICE_KEY_PREFIX + endpointId);
    }

    /** {@inheritDoc} */
    public Receive<WireMessage> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(WireMessage.Frame.class, this::onFrame)
            .onMessage(WireMessage.Credit.class, this::onCredit)
            .onMessage(WireMessage.CreditProbe.class, this::onCreditProbe)
            .build();
    }

    private Behavior<WireMessage> onFrame(final WireMessage.Frame frame)
    {
        if (frame.clusterSecret() == secret)
        {
            transport.inbound.offer(frame);
        }
        else
        {
            transport.inbound.offer(new PekkoTransport.Rejection(RejectReason.WRONG_SECRET, frame.sourceId(),
                "frame of type " + frame.messageType() + " claiming endpoint " + frame.sourceId() +
                " does not carry this cluster's secret"));
        }
        return this;
    }

    private Behavior<WireMessage> onCreditProbe(final WireMessage.CreditProbe probe)
    {
        if (probe.clusterSecret() == secret)
        {
            transport.inbound.offer(probe); // behind the frames it followed: the poll answers it
        }
        else
        {
            transport.inbound.offer(new PekkoTransport.Rejection(RejectReason.WRONG_SECRET, probe.senderId(),
                "credit probe claiming endpoint " + probe.senderId() + " does not carry this cluster's secret"));
        }
        return this;
    }

    private Behavior<WireMessage> onCredit(final WireMessage.Credit credit)
    {
        if (credit.clusterSecret() != secret)
        {
            transport.inbound.offer(new PekkoTransport.Rejection(RejectReason.WRONG_SECRET, credit.receiverId(),
                "credit claiming endpoint " + credit.receiverId() + " does not carry this cluster's secret"));
            return this;
        }
        final int receiverId = credit.receiverId();
        final Entry entry = receiverId >= 0 && receiverId <= FrameDescriptor.MAX_ENDPOINT_ID ?
            transport.directory.get(receiverId) : null;
        final Destination destination = null == entry ? null : entry.destination;
        if (null != destination && destination.uid == credit.receiverUid() && credit.senderUid() == selfUid)
        {
            destination.onCredit(credit.consumedFrames(), credit.consumedBytes());
        }
        // otherwise it is about an incarnation that is gone: nothing waits for it
        return this;
    }
}
