package io.stmactors.transport.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Notices that the owner of a mapped destination inbox was killed, off the send path. A process killed with SIGKILL
 * never marks its inbox closed, and asking the process table costs about 10 µs, far too much for every send. So one
 * daemon thread per transport, named {@code stm-actors-inbox-owner-watch-<endpoint id>} and started when the first
 * inbox owned by another process is watched, calls {@link InboxFile#checkOwnerAlive()} on every watched inbox each
 * {@link #CHECK_INTERVAL_NS}; a death sets the inbox's volatile {@code ownerGone}, which senders read with the status
 * word ({@link InboxFile#canReceive()}). An owner that is a child of this process is also marked gone by
 * {@link ProcessHandle#onExit()}, which the JDK completes as soon as the child exits (for other processes it polls
 * every 300 ms or more, so it would not help).
 * <p>
 * Cost: about 10 µs of this thread per watched owner per interval (0.1% of a core each); sends pay one volatile
 * load.
 * <p>
 * Thread-safety: {@link #watch}, {@link #unwatch} and {@link #close} may be called from any thread; the watched set
 * is a copy-on-write array written under {@code lock} and read through a volatile field. The thread touches only the
 * heap fields of an {@link InboxFile} (its {@link ProcessHandle} and {@code ownerGone}), never its mapped memory, so
 * it needs no coordination with the transport's unmapping: an inbox unmapped while the thread checks it is harmless.
 * The thread never throws out of its loop, ignores interrupts, and stops only in {@link #close()}.
 */
public final class InboxOwnerWatch implements AutoCloseable
{
    /**
     * Interval between two checks of every watched owner: 10 ms. It bounds how long sends to a killed owner that is
     * not a child of this process still succeed into a ring nobody reads (they are lost like the messages it had not
     * read when it died), plus the time the thread waits for a core.
     */
    public static final long CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private static final Logger LOG = LoggerFactory.getLogger(InboxOwnerWatch.class);
    private static final long CLOSE_JOIN_MS = 1_000;
    private static final InboxFile[] NONE = new InboxFile[0];

    private final String threadName;
    private final Object lock = new Object();
    private volatile InboxFile[] watched = NONE; // replaced under lock
    private volatile boolean closed; // written under lock
    private Thread thread; // guarded by lock
    private boolean failureLogged; // watch thread only

    /**
     * @param endpointId of the transport that sends to the watched inboxes; names the thread.
     */
    public InboxOwnerWatch(final int endpointId)
    {
        this.threadName = "stm-actors-inbox-owner-watch-" + endpointId;
    }

    /**
     * Watch the owner of this inbox until it is gone, {@link #unwatch} or {@link #close}. Does nothing for an inbox of
     * this process or after close. Starts the thread on the first call that needs it. Slow path: reads the owner's
     * parent from the process table.
     *
     * @param inbox a destination inbox just mapped.
     */
    public void watch(final InboxFile inbox)
    {
        if (!inbox.isOwnedByAnotherProcess())
        {
            return;
        }
        synchronized (lock)
        {
            if (closed)
            {
                return;
            }
            final InboxFile[] current = watched;
            final InboxFile[] grown = Arrays.copyOf(current, current.length + 1);
            grown[current.length] = inbox;
            watched = grown;
            if (null == thread)
            {
                final Thread watchThread = new Thread(this::run, threadName);
                watchThread.setDaemon(true);
                watchThread.start();
                thread = watchThread;
            }
        }

        final ProcessHandle owner = inbox.owner();
        if (null != owner && owner.parent().map(ProcessHandle::pid).orElse(-1L) == ProcessHandle.current().pid())
        {
            owner.onExit().thenRun(inbox::markOwnerGone); // only sets a flag, so harmless however late it runs
        }
    }

    /**
     * Stop watching this inbox (its destination was dropped). Does nothing if it is not watched.
     *
     * @param inbox to forget.
     */
    public void unwatch(final InboxFile inbox)
    {
        synchronized (lock)
        {
            final InboxFile[] current = watched;
            for (int i = 0; i < current.length; i++)
            {
                if (current[i] == inbox)
                {
                    final InboxFile[] shrunk = new InboxFile[current.length - 1];
                    System.arraycopy(current, 0, shrunk, 0, i);
                    System.arraycopy(current, i + 1, shrunk, i, current.length - i - 1);
                    watched = shrunk;
                    return;
                }
            }
        }
    }

    /**
     * Stop the thread and wait up to a second for it to end; later {@link #watch} calls do nothing. Idempotent.
     */
    public void close()
    {
        final Thread watchThread;
        synchronized (lock)
        {
            closed = true;
            watched = NONE;
            watchThread = thread;
        }
        if (null == watchThread || watchThread == Thread.currentThread())
        {
            return;
        }

        LockSupport.unpark(watchThread);
        try
        {
            watchThread.join(CLOSE_JOIN_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void run()
    {
        while (!closed)
        {
            LockSupport.parkNanos(this, CHECK_INTERVAL_NS);
            Thread.interrupted(); // only close stops the watch, and a pending interrupt would make park spin
            if (closed)
            {
                return;
            }
            for (final InboxFile inbox : watched)
            {
                check(inbox);
            }
        }
    }

    private void check(final InboxFile inbox)
    {
        try
        {
            if (!inbox.checkOwnerAlive())
            {
                unwatch(inbox); // final: the transport drops the destination on its next use
            }
        }
        catch (final Throwable ex)
        {
            // a failure to read the process table must not end the watch of the other inboxes; checked again later
            try
            {
                if (!failureLogged)
                {
                    failureLogged = true;
                    LOG.warn("{}: cannot check the owner of {} (reported once): {}", threadName, inbox.path(), ex);
                }
            }
            catch (final Throwable ignore)
            {
                // nothing left to do: the loop goes on
            }
        }
    }
}
