package io.stmactors.transport.pekko;

import io.stmactors.transport.pekko.EndpointDirectory.Entry;
import io.stmactors.transport.pekko.EndpointDirectory.Status;
import io.stmactors.transport.pekko.EndpointMembershipListener.RemovalReason;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;

/**
 * The guardian of an endpoint's actor system: it starts the {@link InboxBehavior inbox} as its child and keeps the
 * {@link EndpointDirectory} current from cluster membership and reachability events and receptionist listings,
 * feeding the {@link EndpointMembershipListener}s on the way.
 * <p>
 * Every member carries the role {@code stm-endpoint-<id>}, which maps membership events to endpoint ids, and the
 * roles {@code stm-max-message-<bytes>} and {@code stm-max-frame-<bytes>}, its limits, which senders keep to; each
 * endpoint registers its inbox with the receptionist under {@code ServiceKey("stm-actors-endpoint-<id>")}, and this
 * actor subscribes to the key of every endpoint that becomes a member. An id's destination is the listed inbox
 * whose address is the id's current member, so a stale registration of a dead incarnation is never used.
 * <p>
 * The inbox is a separate actor for two reasons: the receptionist cannot watch one actor both as a registered
 * service and as a subscriber, and membership events should not queue behind a burst of frames.
 * <p>
 * Thread-safety: an actor; the directory entries it writes are published through volatile fields.
 */
final class MembershipBehavior extends AbstractBehavior<Object>
{
    private static final Logger LOG = LoggerFactory.getLogger(PekkoTransport.class);

    private final PekkoTransport transport;
    private final EndpointDirectory directory;
    private final int localId;
    private final Address selfAddress;
    private final ActorRef<Receptionist.Command> receptionist;

    private MembershipBehavior(final ActorContext<Object> context, final PekkoTransport transport)
    {
        super(context);
        this.transport = transport;
        this.directory = transport.directory;
        this.localId = transport.localId();
        this.receptionist = Receptionist.get(context.getSystem()).ref();

        final Cluster cluster = Cluster.get(context.getSystem());
        this.selfAddress = cluster.selfMember().address();

        context.spawn(InboxBehavior.create(transport), "inbox");
        subscribe(directory.getOrCreate(localId));
        cluster.subscriptions().tell(Subscribe.create(
            context.getSelf().<ClusterEvent.MemberEvent>narrow(), ClusterEvent.MemberEvent.class));
        cluster.subscriptions().tell(Subscribe.create(
            context.getSelf().<ClusterEvent.ReachabilityEvent>narrow(), ClusterEvent.ReachabilityEvent.class));
    }

    static Behavior<Object> create(final PekkoTransport transport)
    {
        return Behaviors.setup(context -> new MembershipBehavior(context, transport));
    }

    /** {@inheritDoc} */
    public Receive<Object> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(Receptionist.Listing.class, this::onListing)
            .onMessage(ClusterEvent.MemberEvent.class, this::onMemberEvent)
            .onMessage(ClusterEvent.UnreachableMember.class, event -> onReachability(event.member(), false))
            .onMessage(ClusterEvent.ReachableMember.class, event -> onReachability(event.member(), true))
            .build();
    }

    private Behavior<Object> onListing(final Receptionist.Listing listing)
    {
        final String keyId = listing.getKey().id();
        if (!keyId.startsWith(InboxBehavior.SERVICE_KEY_PREFIX))
        {
            return this;
        }
        final int endpointId = Integer.parseInt(keyId.substring(InboxBehavior.SERVICE_KEY_PREFIX.length()));
        final Entry entry = directory.getOrCreate(endpointId);
        entry.listed = new HashSet<>(listing.getAllServiceInstances(InboxBehavior.serviceKey(endpointId)));
        refreshDestination(entry);
        return this;
    }

    private Behavior<Object> onMemberEvent(final ClusterEvent.MemberEvent event)
    {
        final Member member = event.member();
        final int endpointId = endpointIdOf(member);
        if (endpointId < 0)
        {
            return this; // a Pekko node that is not one of ours
        }
        final boolean self = member.uniqueAddress().equals(selfUniqueAddress());

        if (!self && endpointId == localId)
        {
            if (event instanceof ClusterEvent.MemberUp || event instanceof ClusterEvent.MemberWeaklyUp)
            {
                LOG.error("Member {} claims endpoint id {}, which is this endpoint's; ignoring it (ids must be unique)",
                    member.address(), endpointId);
            }
            return this;
        }
        if (event instanceof ClusterEvent.MemberUp || event instanceof ClusterEvent.MemberWeaklyUp)
        {
            final Entry entry = directory.getOrCreate(endpointId);
            if (!member.uniqueAddress().equals(entry.member) || Status.REMOVED == entry.status)
            {
                if (!self && Status.UP == entry.status && null != entry.member)
                {
                    LOG.warn("Endpoint {} is now served by {}, replacing {} which has not been removed yet",
                        endpointId, member.address(), entry.member.address());
                }
                entry.member = member.uniqueAddress();
                entry.address = member.address().toString();
                entry.maxMessageSize = announcedLimit(member, PekkoSettings.MAX_MESSAGE_ROLE_PREFIX);
                entry.maxFrameSize = announcedLimit(member, PekkoSettings.MAX_FRAME_ROLE_PREFIX);
                entry.removedReason = null;
                entry.status = Status.UP;
                subscribe(entry);
                refreshDestination(entry);
                if (!self)
                {
                    transport.membershipListeners.onEndpointUp(endpointId, entry.address);
                }
            }
        }
        else if (event instanceof ClusterEvent.MemberLeft || event instanceof ClusterEvent.MemberExited ||
            event instanceof ClusterEvent.MemberDowned || event instanceof ClusterEvent.MemberRemoved)
        {
            final RemovalReason reason = event instanceof ClusterEvent.MemberDowned ? RemovalReason.DOWNED :
                event instanceof ClusterEvent.MemberRemoved ? removalReasonOf((ClusterEvent.MemberRemoved)event) :
                RemovalReason.LEFT;
            if (self)
            {
                if (!(event instanceof ClusterEvent.MemberLeft || event instanceof ClusterEvent.MemberExited) ||
                    !transport.isClosed())
                {
                    transport.onSelfRemoved("this endpoint was " + describe(reason) + " by the cluster");
                }
                return this;
            }
            final Entry entry = directory.get(endpointId);
            if (null != entry && member.uniqueAddress().equals(entry.member) && Status.REMOVED != entry.status)
            {
                final String why = "it " + (RemovalReason.LEFT == reason ? "left the cluster" :
                    RemovalReason.DOWNED == reason ? "was downed (presumed dead)" : "was removed from the cluster") +
                    " (" + member.address() + ")";
                entry.status = Status.REMOVED;
                entry.removedReason = why;
                final Destination destination = entry.destination;
                entry.destination = null;
                if (null != destination)
                {
                    destination.close(endpointId, why);
                }
                directory.signalChange();
                transport.credits.flush(); // drops the credits kept for it
                transport.membershipListeners.onEndpointRemoved(endpointId, entry.address, reason);
            }
        }
        return this;
    }

    private Behavior<Object> onReachability(final Member member, final boolean reachable)
    {
        final int endpointId = endpointIdOf(member);
        final Entry entry = endpointId < 0 ? null : directory.get(endpointId);
        if (null == entry || !member.uniqueAddress().equals(entry.member) || Status.REMOVED == entry.status)
        {
            return this;
        }
        entry.status = reachable ? Status.UP : Status.UNREACHABLE;
        final Destination destination = entry.destination;
        if (null != destination)
        {
            destination.markUnreachable(!reachable);
        }
        directory.signalChange();
        if (reachable)
        {
            transport.membershipListeners.onEndpointReachable(endpointId, entry.address);
        }
        else
        {
            transport.membershipListeners.onEndpointUnreachable(endpointId, entry.address);
        }
        return this;
    }

    private void subscribe(final Entry entry)
    {
        if (!entry.subscribed)
        {
            entry.subscribed = true;
            receptionist.tell(Receptionist.subscribe(
                InboxBehavior.serviceKey(entry.endpointId), getContext().getSelf().<Receptionist.Listing>narrow()));
        }
    }

    /**
     * Pick the listed inbox on the entry's current member; replace the destination if it changed.
     */
    private void refreshDestination(final Entry entry)
    {
        if (null == entry.member || Status.REMOVED == entry.status)
        {
            return; // wait for the member to be Up: a listing can overtake the membership event
        }
        ActorRef<WireMessage> chosen = null;
        for (final ActorRef<WireMessage> ref : entry.listed)
        {
            final Address address = ref.path().address();
            final Address resolved = address.hasLocalScope() ? selfAddress : address;
            if (resolved.equals(entry.member.address()))
            {
                chosen = ref;
            }
        }

        final Destination current = entry.destination;
        if (null != current && null != chosen && current.ref.equals(chosen))
        {
            return;
        }
        if (null != current)
        {
            current.close(entry.endpointId, "its inbox incarnation " + current.uid + " was replaced or deregistered");
        }
        if (null == chosen)
        {
            entry.destination = null;
        }
        else
        {
            final Destination destination = new Destination(entry.endpointId, chosen.path().uid(), chosen,
                entry.address, transport.config.sendWindowFrames(), transport.config.sendWindowBytes(),
                transport::creditProbe);
            if (Status.UNREACHABLE == entry.status)
            {
                destination.markUnreachable(true);
            }
            entry.destination = destination;
            LOG.debug("Endpoint {}: inbox {} (uid {})", entry.endpointId, chosen.path(), destination.uid);
        }
        directory.signalChange();
        transport.credits.flush(); // credits for frames that arrived before this inbox was listed
    }

    private org.apache.pekko.cluster.UniqueAddress selfUniqueAddress()
    {
        return Cluster.get(getContext().getSystem()).selfMember().uniqueAddress();
    }

    static int endpointIdOf(final Member member)
    {
        final int id = roleNumber(member, PekkoSettings.ROLE_PREFIX);
        return id <= io.stmactors.transport.FrameDescriptor.MAX_ENDPOINT_ID ? id : -1;
    }

    /** The positive number a role of {@code member} starting with {@code prefix} announces, or 0 if none does. */
    static int announcedLimit(final Member member, final String prefix)
    {
        return Math.max(0, roleNumber(member, prefix));
    }

    /** The number that follows {@code prefix} in a role of {@code member} (0 or more), or -1 if no role has one. */
    private static int roleNumber(final Member member, final String prefix)
    {
        for (final String role : member.getRoles())
        {
            if (role.startsWith(prefix))
            {
                try
                {
                    final int n = Integer.parseInt(role.substring(prefix.length()));
                    if (n >= 0)
                    {
                        return n;
                    }
                }
                catch (final NumberFormatException ignore)
                {
                    // not ours
                }
            }
        }
        return -1;
    }

    private static RemovalReason removalReasonOf(final ClusterEvent.MemberRemoved removed)
    {
        final org.apache.pekko.cluster.MemberStatus previous = removed.previousStatus();
        if (previous.equals(org.apache.pekko.cluster.MemberStatus.down()))
        {
            return RemovalReason.DOWNED;
        }
        if (previous.equals(org.apache.pekko.cluster.MemberStatus.exiting()) ||
            previous.equals(org.apache.pekko.cluster.MemberStatus.leaving()))
        {
            return RemovalReason.LEFT;
        }
        return RemovalReason.REMOVED;
    }

    private static String describe(final RemovalReason reason)
    {
        return switch (reason)
        {
            case LEFT -> "taken out (left)";
            case DOWNED -> "downed";
            case REMOVED -> "removed";
        };
    }
}
