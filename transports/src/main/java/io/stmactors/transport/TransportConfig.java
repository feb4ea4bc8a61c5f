package io.stmactors.transport;

import org.agrona.BitUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Settings of one {@link SharedMemoryTransport} endpoint. Immutable and thread-safe; build with {@link #builder()}.
 * <p>
 * Every endpoint of a cluster uses the same {@link #directory()} and {@link #clusterSecret()}; ring capacity and
 * limits may differ per endpoint.
 */
public final class TransportConfig
{
    /** Default inbox ring capacity: 1 MiB (largest single frame: 128 KiB). */
    public static final int DEFAULT_RING_CAPACITY = 1024 * 1024;
    /** Smallest inbox ring capacity. */
    public static final int MIN_RING_CAPACITY = 4096;
    /** Largest inbox ring capacity. */
    public static final int MAX_RING_CAPACITY = 1 << 30;
    /** Default largest message: 64 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
    /** Default longest wait for room in a full inbox, per frame. */
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(5);
    /** Default time an inbox may stay blocked by an uncommitted record before it is forcibly unblocked. */
    public static final Duration DEFAULT_UNBLOCK_TIMEOUT = Duration.ofSeconds(10);

    private final Path directory;
    private final int endpointId;
    private final long clusterSecret;
    private final int ringCapacity;
    private final int maxMessageSize;
    private final Duration sendTimeout;
    private final Duration unblockTimeout;
    private final Supplier<IdleStrategy> idleStrategy;
    private final TransportListener listener;

    private TransportConfig(final Builder builder)
    {
        directory = builder.directory.toAbsolutePath().normalize();
        endpointId = builder.endpointId;
        clusterSecret = builder.clusterSecret;
        ringCapacity = builder.ringCapacity;
        maxMessageSize = builder.maxMessageSize;
        sendTimeout = builder.sendTimeout;
        unblockTimeout = builder.unblockTimeout;
        idleStrategy = builder.idleStrategy;
        listener = builder.listener;
    }

    /**
     * @return a new builder; not thread-safe.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return the private directory holding every endpoint's inbox file. */
    public Path directory()
    {
        return directory;
    }

    /** @return this endpoint's id, 0 to {@link FrameDescriptor#MAX_ENDPOINT_ID}. */
    public int endpointId()
    {
        return endpointId;
    }

    /** @return the secret every frame must carry. */
    public long clusterSecret()
    {
        return clusterSecret;
    }

    /** @return inbox ring capacity in bytes, a power of two, excluding Agrona's trailer. */
    public int ringCapacity()
    {
        return ringCapacity;
    }

    /** @return bytes of the inbox file's ring region: capacity plus Agrona's trailer. */
    public int ringLengthWithTrailer()
    {
        return ringCapacity + RingBufferDescriptor.TRAILER_LENGTH;
    }

    /** @return the largest message sent or reassembled, in bytes. */
    public int maxMessageSize()
    {
        return maxMessageSize;
    }

    /** @return longest wait for room in a full destination inbox, per frame. */
    public Duration sendTimeout()
    {
        return sendTimeout;
    }

    /** @return how long the inbox may stay blocked by a claimed but never committed record. */
    public Duration unblockTimeout()
    {
        return unblockTimeout;
    }

    /** @return a new idle strategy for one waiting sender (idle strategies are stateful, not shared). */
    public IdleStrategy newIdleStrategy()
    {
        return idleStrategy.get();
    }

    /** @return the listener told about rejected frames and discarded messages. */
    public TransportListener listener()
    {
        return listener;
    }

    /**
     * Builds a {@link TransportConfig}. Directory, endpoint id and cluster secret are required.
     */
    public static final class Builder
    {
        private Path directory;
        private int endpointId = -1;
        private long clusterSecret;
        private boolean clusterSecretSet;
        private int ringCapacity = DEFAULT_RING_CAPACITY;
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;
        private Duration unblockTimeout = DEFAULT_UNBLOCK_TIMEOUT;
        private Supplier<IdleStrategy> idleStrategy = () -> new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
        private TransportListener listener = TransportListener.NO_OP;

        private Builder()
        {
        }

        /**
         * @param directory private directory shared by the cluster's endpoints; created {@code rwx------} if absent,
         *                  refused if it is accessible to other users.
         * @return this builder.
         */
        public Builder directory(final Path directory)
        {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * @param endpointId this endpoint's id, unique in the directory, 0 to {@link FrameDescriptor#MAX_ENDPOINT_ID}.
         * @return this builder.
         */
        public Builder endpointId(final int endpointId)
        {
            this.endpointId = checkEndpointId(endpointId);
            return this;
        }

        /**
         * @param clusterSecret a random 64-bit value shared by the cluster's processes (e.g. generated by the parent
         *                      and passed to workers); frames without it are dropped.
         * @return this builder.
         */
        public Builder clusterSecret(final long clusterSecret)
        {
            this.clusterSecret = clusterSecret;
            this.clusterSecretSet = true;
            return this;
        }

        /**
         * @param ringCapacity inbox ring capacity in bytes: a power of two from 4 KiB to 1 GiB. Agrona's
         *                     {@code RingBufferDescriptor.TRAILER_LENGTH} is added on top. Frames up to 1/8 of it
         *                     go whole, larger messages are fragmented.
         * @return this builder.
         */
        public Builder ringCapacity(final int ringCapacity)
        {
            if (!BitUtil.isPowerOfTwo(ringCapacity) || ringCapacity < MIN_RING_CAPACITY ||
                ringCapacity > MAX_RING_CAPACITY)
            {
                throw new IllegalArgumentException("ringCapacity must be a power of two in [" + MIN_RING_CAPACITY +
                    ", " + MAX_RING_CAPACITY + "]: " + ringCapacity);
            }
            this.ringCapacity = ringCapacity;
            return this;
        }

        /**
         * @param maxMessageSize largest message in bytes, 1 to 1 GiB; default 64 MiB.
         * @return this builder.
         */
        public Builder maxMessageSize(final int maxMessageSize)
        {
            if (maxMessageSize < 1 || maxMessageSize > (1 << 30))
            {
                throw new IllegalArgumentException("maxMessageSize must be in [1, 1 GiB]: " + maxMessageSize);
            }
            this.maxMessageSize = maxMessageSize;
            return this;
        }

        /**
         * @param sendTimeout longest wait for room in a full inbox, per frame, so a large message that keeps moving
         *                    is never cut off; positive.
         * @return this builder.
         */
        public Builder sendTimeout(final Duration sendTimeout)
        {
            this.sendTimeout = positive(sendTimeout, "sendTimeout");
            return this;
        }

        /**
         * @param unblockTimeout how long the inbox may be stuck behind a record that a producer claimed but never
         *                       committed (it died in between) before the consumer skips it; positive, and much
         *                       longer than any pause a live producer may take.
         * @return this builder.
         */
        public Builder unblockTimeout(final Duration unblockTimeout)
        {
            this.unblockTimeout = positive(unblockTimeout, "unblockTimeout");
            return this;
        }

        /**
         * @param idleStrategy creates the strategy a sender waits with while a destination is full; default
         *                     {@code BackoffIdleStrategy} (100 spins, 10 yields, parks of 1 µs to 1 ms).
         * @return this builder.
         */
        public Builder idleStrategy(final Supplier<IdleStrategy> idleStrategy)
        {
            this.idleStrategy = Objects.requireNonNull(idleStrategy, "idleStrategy");
            return this;
        }

        /**
         * @param listener told about rejected frames and discarded messages, on the polling thread.
         * @return this builder.
         */
        public Builder listener(final TransportListener listener)
        {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @return the configuration.
         * @throws IllegalStateException if directory, endpoint id or cluster secret is missing.
         */
        public TransportConfig build()
        {
            if (null == directory || endpointId < 0 || !clusterSecretSet)
            {
                throw new IllegalStateException("directory, endpointId and clusterSecret are required");
            }
            return new TransportConfig(this);
        }

        private static Duration positive(final Duration value, final String name)
        {
            if (null == value || value.isNegative() || value.isZero())
            {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }
    }

    static int checkEndpointId(final int endpointId)
    {
        if (endpointId < 0 || endpointId > FrameDescriptor.MAX_ENDPOINT_ID)
        {
            throw new IllegalArgumentException("endpoint id must be in [0, " + FrameDescriptor.MAX_ENDPOINT_ID +
                "]: " + endpointId);
        }
        return endpointId;
    }
}
