package io.stmactors.transport.pekko;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.UniqueAddress;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What this endpoint knows about every other endpoint id: membership status and the current inbox incarnation.
 * <p>
 * Concurrency: the inbox actor is the only writer (of the entry table and of every entry's fields); sending
 * threads read. The table is a copy-on-write array published through a volatile field; an entry's published
 * fields are volatile. Senders that find an entry not ready wait on {@link #awaitChange}; the actor bumps
 * {@code version} and notifies after every change, and a waiter compares versions, so a change between a sender's
 * check and its wait is never missed.
 */
final class EndpointDirectory
{
    /** Membership status of an endpoint, as far as senders are concerned. */
    enum Status
    {
        /** An Up (or WeaklyUp) member. */
        UP,
        /** A member the failure detector suspects. */
        UNREACHABLE,
        /** This incarnation left, was downed or was removed. */
        REMOVED
    }

    /**
     * One endpoint id.
     */
    static final class Entry
    {
        final int endpointId;

        /** Null until the endpoint is a member. Written by the inbox actor. */
        volatile Status status;
        /** The inbox incarnation to send to; null until the receptionist lists one on the current member. */
        volatile Destination destination;
        /** The current member's address, for messages. */
        volatile String address;
        /** Why the endpoint is {@link Status#REMOVED}. */
        volatile String removedReason;
        /** The current member's largest message, as its role announces it; 0 if it announces none. */
        volatile int maxMessageSize;
        /** The current member's Artery frame size, as its role announces it; 0 if it announces none. */
        volatile int maxFrameSize;

        // Inbox actor only.
        UniqueAddress member;
        Set<ActorRef<WireMessage>> listed = Set.of();
        boolean subscribed;

        Entry(final int endpointId)
        {
            this.endpointId = endpointId;
        }
    }

    private final Object changeMonitor = new Object();
    private volatile Entry[] entries = new Entry[0];
    private long version; // guarded by changeMonitor

    /**
     * @param endpointId an id in range.
     * @return its entry, or null if nothing is known about it. Any thread.
     */
    Entry get(final int endpointId)
    {
        final Entry[] table = entries;
        return endpointId < table.length ? table[endpointId] : null;
    }

    /**
     * @param endpointId an id in range.
     * @return its entry, created if absent. Inbox actor only.
     */
    Entry getOrCreate(final int endpointId)
    {
        Entry[] table = entries;
        if (endpointId >= table.length)
        {
            table = Arrays.copyOf(table, Math.max(endpointId + 1, 2 * table.length));
        }
        else if (null != table[endpointId])
        {
            return table[endpointId];
        }
        else
        {
            table = table.clone();
        }
        final Entry entry = new Entry(endpointId);
        table[endpointId] = entry;
        entries = table;
        return entry;
    }

    /**
     * @return every entry (a snapshot; slots may be null). Any thread.
     */
    Entry[] entries()
    {
        return entries;
    }

    /**
     * @return the current change version; read it before checking an entry, then pass it to {@link #awaitChange}.
     */
    long version()
    {
        synchronized (changeMonitor)
        {
            return version;
        }
    }

    /** Wake every sender waiting for a change. Inbox actor (and close). */
    void signalChange()
    {
        synchronized (changeMonitor)
        {
            version++;
            changeMonitor.notifyAll();
        }
    }

    /**
     * Wait until the version moves past {@code seenVersion} or the time is up.
     *
     * @param seenVersion version read before the caller's check.
     * @param nanos       longest wait.
     * @throws InterruptedException if interrupted.
     */
    void awaitChange(final long seenVersion, final long nanos) throws InterruptedException
    {
        final long deadline = System.nanoTime() + nanos;
        synchronized (changeMonitor)
        {
            while (version == seenVersion)
            {
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0)
                {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(changeMonitor, remaining);
            }
        }
    }
}
