package io.stmactors.transport.pekko;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The {@link EndpointMembershipListener}s of one {@link PekkoTransport}, told as one: every event goes to every
 * listener, and a listener that throws is logged and does not keep the others from hearing it.
 * <p>
 * Thread-safety: listeners are added and removed from any thread (copy-on-write list); events come from the
 * membership actor, one at a time.
 */
final class MembershipListeners implements EndpointMembershipListener
{
    private static final Logger LOG = LoggerFactory.getLogger(PekkoTransport.class);

    private final int localId;
    private final List<EndpointMembershipListener> listeners = new CopyOnWriteArrayList<>();

    MembershipListeners(final int localId)
    {
        this.localId = localId;
    }

    void add(final EndpointMembershipListener listener)
    {
        listeners.add(Objects.requireNonNull(listener, "membershipListener"));
    }

    void remove(final EndpointMembershipListener listener)
    {
        listeners.remove(listener);
    }

    /** {@inheritDoc} */
    public void onEndpointUp(final int endpointId, final String address)
    {
        fire(l -> l.onEndpointUp(endpointId, address), "onEndpointUp", endpointId);
    }

    /** {@inheritDoc} */
    public void onEndpointUnreachable(final int endpointId, final String address)
    {
        fire(l -> l.onEndpointUnreachable(endpointId, address), "onEndpointUnreachable", endpointId);
    }

    /** {@inheritDoc} */
    public void onEndpointReachable(final int endpointId, final String address)
    {
        fire(l -> l.onEndpointReachable(endpointId, address), "onEndpointReachable", endpointId);
    }

    /** {@inheritDoc} */
    public void onEndpointRemoved(final int endpointId, final String address, final RemovalReason reason)
    {
        fire(l -> l.onEndpointRemoved(endpointId, address, reason), "onEndpointRemoved", endpointId);
    }

    private void fire(final Consumer<EndpointMembershipListener> event, final String name, final int endpointId)
    {
        for (final EndpointMembershipListener listener : listeners)
        {
            try
            {
                event.accept(listener);
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("Endpoint {}: membership listener {} threw in {}({})", localId, listener, name, endpointId,
                    ex);
            }
        }
    }
}
