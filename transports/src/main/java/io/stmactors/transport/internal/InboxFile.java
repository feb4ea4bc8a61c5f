package io.stmactors.transport.internal;

import io.stmactors.transport.EndpointClosedException;
import io.stmactors.transport.TransportException;
import org.agrona.BitUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.concurrent.ThreadLocalRandom;

import static io.stmactors.transport.internal.InboxFileDescriptor.*;

/**
 * One memory-mapped inbox file (layout in {@link InboxFileDescriptor}), either created by its owner or opened by a
 * sender.
 * <p>
 * Creation writes the whole header into a temporary file and then hard-links it under its final name, which fails
 * if the name exists, so a half-written inbox is never visible and two processes cannot both bind one id.
 * <p>
 * A process killed with SIGKILL never marks its inbox closed, so whether the owner process is alive is asked
 * apart from sending: {@link #checkOwnerAlive()} reads {@code /proc} (about 10 µs, hundreds of sends), so an
 * {@link InboxOwnerWatch} thread calls it periodically, and {@link #closedReason()} on slow paths. Either records a
 * death in {@code ownerGone}, which {@link #canReceive()} reads with the status word. The answer "gone" is final:
 * the owner's {@link ProcessHandle} was taken when the file was mapped and compares the process start time, so a
 * recycled pid does not bring a dead owner back. A pid recycled before the file was mapped (a worker restarted in a
 * fresh pid namespace gets its predecessor's) is caught by the start time the owner recorded in the header
 * ({@code OWNER_START_OFFSET}): a process with the owner's pid that started at another time is not the owner.
 * <p>
 * Thread-safety: the ring buffer is Agrona's {@link ManyToOneRingBuffer} (any number of producers, one consumer).
 * The status word is written with volatile stores and read with volatile loads. {@code ownerGone} is a volatile
 * field of this object, written only from false to true (by any thread), so every interleaving is harmless.
 * {@link #checkOwnerAlive()}, {@link #markOwnerGone()} and {@link #isOwnedByAnotherProcess()} touch no mapped
 * memory and may be called from any thread, even after {@link #unmap()}. {@link #unmap()} must not race with any
 * other use of the mapping; the transport guarantees that.
 */
public final class InboxFile
{
    private static final int CREATE_ATTEMPTS = 4;

    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final ManyToOneRingBuffer ring;
    private final int endpointId;
    private final long ownerPid;
    private final int maxMessageSize;
    private final ProcessHandle owner; // null if the owner was already gone when the file was mapped
    private final boolean ownedByThisProcess;
    private volatile boolean ownerGone;

    private InboxFile(final Path path, final MappedByteBuffer mapped, final int ringLengthWithTrailer)
    {
        this.path = path;
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(mapped, HEADER_LENGTH, ringLengthWithTrailer));
        this.endpointId = header.getInt(ENDPOINT_ID_OFFSET);
        this.ownerPid = header.getLong(OWNER_PID_OFFSET);
        final int recordedMaxMessageSize = header.getInt(MAX_MESSAGE_SIZE_OFFSET);
        this.maxMessageSize = recordedMaxMessageSize > 0 ? recordedMaxMessageSize : Integer.MAX_VALUE;
        final ProcessHandle self = ProcessHandle.current();
        ProcessHandle candidate = self.pid() == ownerPid ? self : ProcessHandle.of(ownerPid).orElse(null);
        if (null != candidate && !startedAt(candidate, header.getLong(OWNER_START_OFFSET)))
        {
            candidate = null; // the pid now names another process (pids are reused): the owner is gone
        }
        this.ownedByThisProcess = candidate == self;
        this.owner = candidate;
    }

    /**
     * Start times of one process read by two JVMs can differ by the jitter of the boot time they derive them from
     * (whole seconds); a process that got a dead owner's pid started later than that.
     */
    static final long START_TOLERANCE_MS = 2_000;

    /**
     * @return whether {@code process} may be the one that started at {@code recordedStartMs} (true when either start
     * time is unknown).
     */
    static boolean startedAt(final ProcessHandle process, final long recordedStartMs)
    {
        if (0 == recordedStartMs)
        {
            return true;
        }
        final long actual = startMillis(process);
        return 0 == actual || Math.abs(actual - recordedStartMs) <= START_TOLERANCE_MS;
    }

    /**
     * @return {@code process}'s start time in milliseconds since the epoch, or 0 if the platform does not say.
     */
    static long startMillis(final ProcessHandle process)
    {
        return process.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    /**
     * Create and bind the inbox of {@code endpointId}, replacing a stale file left by a dead process.
     *
     * @param directory    private directory of the cluster.
     * @param endpointId   id to bind.
     * @param ringCapacity   power-of-two ring capacity, without trailer.
     * @param maxMessageSize largest message the owner accepts, recorded for senders.
     * @return the owner's view of the new inbox, status active.
     * @throws TransportException if the id is bound by a live process or the file cannot be created.
     */
    public static InboxFile create(
        final Path directory, final int endpointId, final int ringCapacity, final int maxMessageSize)
    {
        final Path target = directory.resolve(fileName(endpointId));
        final int ringLength = ringCapacity + RingBufferDescriptor.TRAILER_LENGTH;
        final long pid = ProcessHandle.current().pid();

        for (int attempt = 1; ; attempt++)
        {
            PrivateDirectory.ensure(directory);
            final Path temp = directory.resolve(fileName(endpointId) + ".tmp-" + pid + "-" +
                Long.toHexString(ThreadLocalRandom.current().nextLong()));
            MappedByteBuffer mapped = null;
            try
            {
                removeIfStale(target, endpointId);

                try (FileChannel channel = FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.READ, StandardOpenOption.WRITE),
                    PrivateDirectory.permissions(PrivateDirectory.FILE_PERMISSIONS)))
                {
                    mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, (long)HEADER_LENGTH + ringLength);
                }

                final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
                header.putInt(MAGIC_OFFSET, MAGIC);
                header.putInt(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
                header.putInt(ENDPOINT_ID_OFFSET, endpointId);
                header.putLong(OWNER_PID_OFFSET, pid);
                header.putLong(OWNER_START_OFFSET, startMillis(ProcessHandle.current()));
                header.putLong(INCARNATION_OFFSET, ThreadLocalRandom.current().nextLong());
                header.putInt(RING_CAPACITY_OFFSET, ringCapacity);
                header.putInt(MAX_MESSAGE_SIZE_OFFSET, maxMessageSize);
                header.putIntVolatile(STATUS_OFFSET, STATUS_ACTIVE);

                publish(temp, target);
                return new InboxFile(target, mapped, ringLength);
            }
            catch (final FileAlreadyExistsException | NoSuchFileException ex)
            {
                // lost a race: another process bound the id, or the last endpoint removed the empty directory
                unmapQuietly(mapped);
                deleteQuietly(temp);
                if (attempt >= CREATE_ATTEMPTS)
                {
                    throw new TransportException("Cannot bind endpoint " + endpointId + " in " + directory +
                        " after " + attempt + " attempts: " + ex, ex);
                }
            }
            catch (final IOException ex)
            {
                unmapQuietly(mapped);
                deleteQuietly(temp);
                throw new TransportException("Cannot create inbox " + target + ": " + ex, ex);
            }
        }
    }

    /**
     * Map the inbox of another endpoint (or this one) for sending.
     *
     * @param directory  private directory of the cluster.
     * @param endpointId id of the destination.
     * @return the sender's view of the inbox.
     * @throws EndpointClosedException if the file is absent, marked closed, or its owner is dead.
     * @throws TransportException      if the file is not a valid inbox.
     */
    public static InboxFile open(final Path directory, final int endpointId)
    {
        final Path path = directory.resolve(fileName(endpointId));
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long size = channel.size();
            if (size < HEADER_LENGTH || size > HEADER_LENGTH + (1L << 31))
            {
                throw new TransportException("Not a valid inbox file (size " + size + "): " + path);
            }
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
        }
        catch (final NoSuchFileException ex)
        {
            throw new EndpointClosedException(endpointId, "it has no inbox file " + path +
                " (it was closed or never started)");
        }
        catch (final IOException ex)
        {
            throw new TransportException("Cannot open inbox " + path + ": " + ex, ex);
        }

        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        final int capacity = header.getInt(RING_CAPACITY_OFFSET);
        final String problem = validate(header, endpointId, mapped.capacity());
        if (null != problem)
        {
            IoUtil.unmap(mapped);
            throw new TransportException("Not a valid inbox file (" + problem + "): " + path);
        }

        final InboxFile inbox = new InboxFile(path, mapped, capacity + RingBufferDescriptor.TRAILER_LENGTH);
        final String closed = inbox.closedReason();
        if (null != closed)
        {
            inbox.unmap();
            throw new EndpointClosedException(endpointId, closed);
        }

        return inbox;
    }

    /** @return the ring buffer in this file. */
    public ManyToOneRingBuffer ring()
    {
        return ring;
    }

    /** @return the file's path. */
    public Path path()
    {
        return path;
    }

    /**
     * @return the largest message the owner accepts, from the header; {@link Integer#MAX_VALUE} if the header does
     * not record it.
     */
    public int maxMessageSize()
    {
        return maxMessageSize;
    }

    /** @return the id of the endpoint that owns this inbox. */
    public int endpointId()
    {
        return endpointId;
    }

    /**
     * Acquire-load of the status word; cheap enough for every send.
     *
     * @return true while the owner has not closed the inbox.
     */
    public boolean isActive()
    {
        return STATUS_ACTIVE == header.getIntVolatile(STATUS_OFFSET);
    }

    /**
     * Whether a send may write into this inbox: its owner process was not seen dead, and it is not marked closed.
     * Cheap enough for every send: a volatile load of {@code ownerGone} and an acquire load of the status word; no
     * clock, no process check. A killed owner is noticed only once someone calls {@link #checkOwnerAlive()},
     * {@link #markOwnerGone()} or {@link #closedReason()}: the transport's {@link InboxOwnerWatch} does.
     *
     * @return false once the owner closed the inbox or its process was seen dead; then {@link #closedReason()} says
     * why.
     */
    public boolean canReceive()
    {
        return !ownerGone && isActive();
    }

    /**
     * @return true if the owner is another process (alive or not when the file was mapped), whose death only a
     * check of the process table reveals; false for an inbox of this process.
     */
    public boolean isOwnedByAnotherProcess()
    {
        return !ownedByThisProcess;
    }

    /**
     * @return the owner's handle, taken when the file was mapped ({@link ProcessHandle#current()} for an inbox of
     * this process); null if the owner was already gone then.
     */
    public ProcessHandle owner()
    {
        return owner;
    }

    /**
     * Ask the process table whether the owner is alive (about 10 µs), and record a death so that
     * {@link #canReceive()} returns false from now on. Any thread; touches no mapped memory, so it is safe even
     * after {@link #unmap()}.
     *
     * @return false if the owner process is gone (now or at an earlier check).
     */
    public boolean checkOwnerAlive()
    {
        if (ownedByThisProcess)
        {
            return true;
        }
        if (ownerGone)
        {
            return false;
        }
        if (null == owner || !owner.isAlive())
        {
            ownerGone = true;
            return false;
        }
        return true;
    }

    /**
     * Record that the owner process exited (from {@link ProcessHandle#onExit()}), so that {@link #canReceive()}
     * returns false from now on. Any thread; touches no mapped memory, so it is safe even after {@link #unmap()}.
     * Ignored for an inbox of this process.
     */
    public void markOwnerGone()
    {
        if (!ownedByThisProcess)
        {
            ownerGone = true;
        }
    }

    /**
     * Why this inbox cannot receive, or null if it can: closed by its owner, or its owner process is gone. Checks
     * the process table every time (about 10 µs), so call it on slow paths only.
     *
     * @return a description, or null.
     */
    public String closedReason()
    {
        if (!isActive())
        {
            return "its inbox " + path + " is marked closed";
        }
        if (!checkOwnerAlive())
        {
            return "its process " + ownerPid + " is gone (stale inbox " + path + ")";
        }
        return null;
    }

    /**
     * Owner only: mark the inbox closed (volatile store), so senders stop before the file is deleted.
     */
    public void markClosed()
    {
        header.putIntVolatile(STATUS_OFFSET, STATUS_CLOSED);
    }

    /**
     * Release the mapping. <b>WARNING</b>: any later access to {@link #ring()} crashes the JVM; callers must ensure
     * no thread uses this inbox any more.
     */
    public void unmap()
    {
        IoUtil.unmap(mapped);
    }

    private static String validate(final UnsafeBuffer header, final int endpointId, final long fileSize)
    {
        final int capacity = header.getInt(RING_CAPACITY_OFFSET);
        if (MAGIC != header.getInt(MAGIC_OFFSET))
        {
            return "bad magic";
        }
        if (LAYOUT_VERSION != header.getInt(LAYOUT_VERSION_OFFSET))
        {
            return "layout version " + header.getInt(LAYOUT_VERSION_OFFSET) + ", expected " + LAYOUT_VERSION;
        }
        if (endpointId != header.getInt(ENDPOINT_ID_OFFSET))
        {
            return "it belongs to endpoint " + header.getInt(ENDPOINT_ID_OFFSET);
        }
        if (!BitUtil.isPowerOfTwo(capacity) ||
            fileSize != (long)HEADER_LENGTH + capacity + RingBufferDescriptor.TRAILER_LENGTH)
        {
            return "ring capacity " + capacity + " does not match file size " + fileSize;
        }
        return null;
    }

    private static void removeIfStale(final Path target, final int endpointId) throws IOException
    {
        if (!Files.exists(target))
        {
            return;
        }

        String inUse = null;
        try
        {
            final InboxFile existing = open(target.getParent(), endpointId);
            inUse = "endpoint " + endpointId + " is already bound in " + target.getParent() + " by process " +
                existing.ownerPid;
            existing.unmap();
        }
        catch (final TransportException staleOrInvalid)
        {
            // closed, owner dead, or not an inbox at all: replace it
        }
        if (null != inUse)
        {
            throw new TransportException(inUse);
        }
        markClosedInPlace(target);
        Files.deleteIfExists(target);
    }

    /**
     * A process killed without closing leaves its inbox marked active, and senders that mapped it keep writing into
     * a ring nobody reads. Marking it closed through a shared mapping of the same file reaches their mappings, so
     * their next send finds it inactive and connects to the replacement.
     */
    private static void markClosedInPlace(final Path target)
    {
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            if (channel.size() < HEADER_LENGTH)
            {
                return;
            }
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER_LENGTH);
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
            if (MAGIC == header.getInt(MAGIC_OFFSET))
            {
                header.putIntVolatile(STATUS_OFFSET, STATUS_CLOSED);
            }
            IoUtil.unmap(mapped);
        }
        catch (final IOException | RuntimeException ignored)
        {
            // not an inbox we can open: nobody can be sending into it either
        }
    }

    private static void publish(final Path temp, final Path target) throws IOException
    {
        try
        {
            Files.createLink(target, temp);
            Files.delete(temp);
        }
        catch (final UnsupportedOperationException noHardLinks)
        {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static void unmapQuietly(final MappedByteBuffer mapped)
    {
        if (null != mapped)
        {
            IoUtil.unmap(mapped);
        }
    }

    private static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignore)
        {
            // best effort
        }
    }
}
