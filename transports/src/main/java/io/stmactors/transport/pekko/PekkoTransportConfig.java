package io.stmactors.transport.pekko;

import io.stmactors.transport.FrameDescriptor;
import io.stmactors.transport.TransportListener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of one {@link PekkoTransport} endpoint. Immutable and thread-safe; build with {@link #builder()}.
 * <p>
 * Every endpoint of a cluster must use the same {@link #systemName()}, {@link #clusterSecret()} and, for
 * predictable flow control, the same send windows. {@link #maxMessageSize()} and {@link #maxFrameSize()} may differ:
 * each member announces both (as cluster roles), and a sender keeps to the receiver's (a message above its limit is
 * refused with {@code MessageTooLargeException}, frames are cut to the smaller frame size). Failure detection and downing
 * settings should match too (Pekko checks some of them when a node joins).
 * <p>
 * <b>Network exposure</b>: the endpoint binds {@code 127.0.0.1} unless {@link Builder#hostname(String)} says
 * otherwise. The cluster secret keeps foreign frames out of the inbox, but it does not authenticate Pekko cluster
 * membership or encrypt anything: across untrusted networks add Pekko's {@code tls-tcp} transport through
 * {@link Builder#extraPekkoConfig(String)}.
 */
public final class PekkoTransportConfig
{
    /** Default host: loopback only. */
    public static final String DEFAULT_HOSTNAME = "127.0.0.1";
    /** Default actor system name, which is part of every member's address. */
    public static final String DEFAULT_SYSTEM_NAME = "stm-actors";
    /** Default largest message: 64 MiB (sent in chunks of at most one Artery frame). */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
    /** Default Artery {@code maximum-frame-size}: 256 KiB, Pekko's own default. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 256 * 1024;
    /** Smallest accepted {@link #maxFrameSize()}. */
    public static final int MIN_MAX_FRAME_SIZE = 32 * 1024;
    /** Largest accepted {@link #maxFrameSize()}. */
    public static final int MAX_MAX_FRAME_SIZE = 16 * 1024 * 1024;
    /** Room left in every Artery frame for Artery's envelope header and our frame fields. */
    public static final int FRAME_HEADROOM = 4096;
    /** Default frames in flight per destination: well below Artery's outbound queue of 3072. */
    public static final int DEFAULT_SEND_WINDOW_FRAMES = 256;
    /** Largest accepted {@link #sendWindowFrames()}: Artery drops messages beyond its outbound queue (3072). */
    public static final int MAX_SEND_WINDOW_FRAMES = 1024;
    /** Default payload bytes in flight per destination. */
    public static final int DEFAULT_SEND_WINDOW_BYTES = 8 * 1024 * 1024;
    /** Default longest wait of a send: for the destination to appear, come back, or grant credit. */
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(5);
    /** Default longest wait for this node to become an Up member. */
    public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(30);
    /** Default longest wait for the actor system to leave the cluster and terminate on close. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** Default failure detector heartbeat interval (Pekko's default). */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    /** Default failure detector acceptable heartbeat pause (Pekko's default). */
    public static final Duration DEFAULT_ACCEPTABLE_HEARTBEAT_PAUSE = Duration.ofSeconds(3);
    /** Default time the membership must be stable before the split-brain resolver downs unreachable members. */
    public static final Duration DEFAULT_DOWNING_STABLE_AFTER = Duration.ofSeconds(10);

    private final int endpointId;
    private final long clusterSecret;
    private final String hostname;
    private final int port;
    private final String bindHostname;
    private final List<String> seedNodes;
    private final String systemName;
    private final int maxMessageSize;
    private final int maxFrameSize;
    private final int sendWindowFrames;
    private final int sendWindowBytes;
    private final Duration sendTimeout;
    private final Duration joinTimeout;
    private final Duration closeTimeout;
    private final Duration heartbeatInterval;
    private final Duration acceptableHeartbeatPause;
    private final Duration downingStableAfter;
    private final String pekkoLogLevel;
    private final String extraPekkoConfig;
    private final TransportListener listener;

    private PekkoTransportConfig(final Builder builder)
    {
        endpointId = builder.endpointId;
        clusterSecret = builder.clusterSecret;
        hostname = builder.hostname;
        port = builder.port;
        bindHostname = null == builder.bindHostname ? builder.hostname : builder.bindHostname;
        seedNodes = List.copyOf(builder.seedNodes);
        systemName = builder.systemName;
        maxMessageSize = builder.maxMessageSize;
        maxFrameSize = builder.maxFrameSize;
        sendWindowFrames = builder.sendWindowFrames;
        sendWindowBytes = builder.sendWindowBytes;
        sendTimeout = builder.sendTimeout;
        joinTimeout = builder.joinTimeout;
        closeTimeout = builder.closeTimeout;
        heartbeatInterval = builder.heartbeatInterval;
        acceptableHeartbeatPause = builder.acceptableHeartbeatPause;
        downingStableAfter = builder.downingStableAfter;
        pekkoLogLevel = builder.pekkoLogLevel;
        extraPekkoConfig = builder.extraPekkoConfig;
        listener = builder.listener;
    }

    /**
     * @return a new builder; not thread-safe.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return this endpoint's id, 0 to {@link FrameDescriptor#MAX_ENDPOINT_ID}, unique in the cluster. */
    public int endpointId()
    {
        return endpointId;
    }

    /** @return the secret every frame must carry. */
    public long clusterSecret()
    {
        return clusterSecret;
    }

    /** @return the host other members reach this one at (Artery's canonical hostname). */
    public String hostname()
    {
        return hostname;
    }

    /** @return the Artery TCP port; 0 picks a free one (see {@link PekkoTransport#address()}). */
    public int port()
    {
        return port;
    }

    /** @return the interface Artery binds to; the {@link #hostname()} unless set apart (NAT, containers). */
    public String bindHostname()
    {
        return bindHostname;
    }

    /** @return seed nodes as {@code host:port}; empty means this endpoint starts a new cluster. */
    public List<String> seedNodes()
    {
        return seedNodes;
    }

    /** @return the actor system name shared by the cluster. */
    public String systemName()
    {
        return systemName;
    }

    /** @return the largest message {@code send} accepts, in bytes. */
    public int maxMessageSize()
    {
        return maxMessageSize;
    }

    /** @return Artery's {@code maximum-frame-size} in bytes; messages above it minus headroom are chunked. */
    public int maxFrameSize()
    {
        return maxFrameSize;
    }

    /** @return payload bytes one Artery frame carries: {@link #maxFrameSize()} minus {@link #FRAME_HEADROOM}. */
    public int maxFramePayload()
    {
        return maxFrameSize - FRAME_HEADROOM;
    }

    /** @return frames this endpoint may have in flight to one destination before it waits for credit. */
    public int sendWindowFrames()
    {
        return sendWindowFrames;
    }

    /** @return payload bytes this endpoint may have in flight to one destination before it waits for credit. */
    public int sendWindowBytes()
    {
        return sendWindowBytes;
    }

    /** @return longest wait of one send (per frame of a chunked message). */
    public Duration sendTimeout()
    {
        return sendTimeout;
    }

    /** @return longest wait in {@link PekkoTransport#open} for this node to be Up and its inbox registered. */
    public Duration joinTimeout()
    {
        return joinTimeout;
    }

    /** @return longest wait in {@link PekkoTransport#close()} for the actor system to terminate. */
    public Duration closeTimeout()
    {
        return closeTimeout;
    }

    /** @return the cluster failure detector's heartbeat interval. */
    public Duration heartbeatInterval()
    {
        return heartbeatInterval;
    }

    /** @return the pause in heartbeats the failure detector tolerates before marking a member unreachable. */
    public Duration acceptableHeartbeatPause()
    {
        return acceptableHeartbeatPause;
    }

    /** @return how long membership must be stable before the split-brain resolver downs unreachable members. */
    public Duration downingStableAfter()
    {
        return downingStableAfter;
    }

    /** @return Pekko's {@code loglevel}. */
    public String pekkoLogLevel()
    {
        return pekkoLogLevel;
    }

    /** @return HOCON applied over the generated configuration, or an empty string. */
    public String extraPekkoConfig()
    {
        return extraPekkoConfig;
    }

    /** @return the listener told about rejected frames, on the polling thread. */
    public TransportListener listener()
    {
        return listener;
    }

    /**
     * A builder holding every setting of this configuration, to derive another one (a worker's from the
     * coordinator's: same secret and timings, another id, host and port).
     *
     * @return a new builder; not thread-safe.
     */
    public Builder toBuilder()
    {
        final Builder b = builder()
            .endpointId(endpointId)
            .clusterSecret(clusterSecret)
            .hostname(hostname)
            .port(port)
            .seedNodes(seedNodes)
            .systemName(systemName)
            .maxMessageSize(maxMessageSize)
            .maxFrameSize(maxFrameSize)
            .sendWindow(sendWindowFrames, sendWindowBytes)
            .sendTimeout(sendTimeout)
            .joinTimeout(joinTimeout)
            .closeTimeout(closeTimeout)
            .failureDetector(heartbeatInterval, acceptableHeartbeatPause)
            .downingStableAfter(downingStableAfter)
            .pekkoLogLevel(pekkoLogLevel)
            .extraPekkoConfig(extraPekkoConfig)
            .listener(listener);
        if (!bindHostname.equals(hostname))
        {
            b.bindHostname(bindHostname);
        }
        return b;
    }

    /**
     * Builds a {@link PekkoTransportConfig}. Endpoint id and cluster secret are required.
     */
    public static final class Builder
    {
        private int endpointId = -1;
        private long clusterSecret;
        private boolean clusterSecretSet;
        private String hostname = DEFAULT_HOSTNAME;
        private int port;
        private String bindHostname;
        private final List<String> seedNodes = new ArrayList<>();
        private String systemName = DEFAULT_SYSTEM_NAME;
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private int maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
        private int sendWindowFrames = DEFAULT_SEND_WINDOW_FRAMES;
        private int sendWindowBytes = DEFAULT_SEND_WINDOW_BYTES;
        private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;
        private Duration joinTimeout = DEFAULT_JOIN_TIMEOUT;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        private Duration acceptableHeartbeatPause = DEFAULT_ACCEPTABLE_HEARTBEAT_PAUSE;
        private Duration downingStableAfter = DEFAULT_DOWNING_STABLE_AFTER;
        private String pekkoLogLevel = "WARNING";
        private String extraPekkoConfig = "";
        private TransportListener listener = TransportListener.NO_OP;

        private Builder()
        {
        }

        /**
         * @param endpointId this endpoint's id, unique in the cluster, 0 to {@link FrameDescriptor#MAX_ENDPOINT_ID}.
         * @return this builder.
         */
        public Builder endpointId(final int endpointId)
        {
            if (endpointId < 0 || endpointId > FrameDescriptor.MAX_ENDPOINT_ID)
            {
                throw new IllegalArgumentException("endpoint id must be in [0, " + FrameDescriptor.MAX_ENDPOINT_ID +
                    "]: " + endpointId);
            }
            this.endpointId = endpointId;
            return this;
        }

        /**
         * @param clusterSecret a random 64-bit value shared by the cluster's processes; frames without it are
         *                      dropped and counted.
         * @return this builder.
         */
        public Builder clusterSecret(final long clusterSecret)
        {
            this.clusterSecret = clusterSecret;
            this.clusterSecretSet = true;
            return this;
        }

        /**
         * @param hostname the address other members reach this one at; default {@value #DEFAULT_HOSTNAME}. Setting
         *                 a routable address exposes the endpoint to that network.
         * @return this builder.
         */
        public Builder hostname(final String hostname)
        {
            this.hostname = requireText(hostname, "hostname");
            return this;
        }

        /**
         * @param port Artery TCP port, 0 (default) for any free port.
         * @return this builder.
         */
        public Builder port(final int port)
        {
            if (port < 0 || port > 65_535)
            {
                throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * @param bindHostname the interface to bind when it differs from the {@linkplain #hostname(String) hostname}
         *                     (behind NAT or in a container), e.g. {@code 0.0.0.0}.
         * @return this builder.
         */
        public Builder bindHostname(final String bindHostname)
        {
            this.bindHostname = requireText(bindHostname, "bindHostname");
            return this;
        }

        /**
         * @param seedNodes {@code host:port} of members to join through. Empty (default): start a new cluster with
         *                  this endpoint as its first member. As in Pekko, only the first seed node of the list may
         *                  start a cluster on its own, so list the same nodes in the same order everywhere.
         * @return this builder.
         */
        public Builder seedNodes(final List<String> seedNodes)
        {
            this.seedNodes.clear();
            for (final String seed : Objects.requireNonNull(seedNodes, "seedNodes"))
            {
                parseHostPort(seed);
                this.seedNodes.add(seed.trim());
            }
            return this;
        }

        /**
         * @param seedNodes {@code host:port} of members to join through; see {@link #seedNodes(List)}.
         * @return this builder.
         */
        public Builder seedNodes(final String... seedNodes)
        {
            return seedNodes(List.of(seedNodes));
        }

        /**
         * @param systemName actor system name, the same on every member: letters, digits, '-' and '_'.
         * @return this builder.
         */
        public Builder systemName(final String systemName)
        {
            if (null == systemName || !systemName.matches("[A-Za-z0-9][A-Za-z0-9_-]*"))
            {
                throw new IllegalArgumentException("systemName must be letters, digits, '-' or '_': " + systemName);
            }
            this.systemName = systemName;
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
         * @param maxFrameSize Artery's {@code maximum-frame-size}, 32 KiB to 16 MiB; default 256 KiB. Members may
         *                     differ: a sender cuts frames to the smaller size. Artery keeps a pool of direct
         *                     buffers of this size, so larger is not free.
         * @return this builder.
         */
        public Builder maxFrameSize(final int maxFrameSize)
        {
            if (maxFrameSize < MIN_MAX_FRAME_SIZE || maxFrameSize > MAX_MAX_FRAME_SIZE)
            {
                throw new IllegalArgumentException("maxFrameSize must be in [" + MIN_MAX_FRAME_SIZE + ", " +
                    MAX_MAX_FRAME_SIZE + "]: " + maxFrameSize);
            }
            this.maxFrameSize = maxFrameSize;
            return this;
        }

        /**
         * @param frames most frames in flight to one destination, 2 to {@value #MAX_SEND_WINDOW_FRAMES}.
         * @param bytes  most payload bytes in flight to one destination, at least twice the frame payload.
         * @return this builder.
         */
        public Builder sendWindow(final int frames, final int bytes)
        {
            if (frames < 2 || frames > MAX_SEND_WINDOW_FRAMES)
            {
                throw new IllegalArgumentException("send window frames must be in [2, " + MAX_SEND_WINDOW_FRAMES +
                    "]: " + frames);
            }
            if (bytes < 2 * MIN_MAX_FRAME_SIZE)
            {
                throw new IllegalArgumentException("send window bytes must be >= " + 2 * MIN_MAX_FRAME_SIZE + ": " +
                    bytes);
            }
            this.sendWindowFrames = frames;
            this.sendWindowBytes = bytes;
            return this;
        }

        /**
         * @param sendTimeout longest wait of one send: for an unknown destination to appear (it may still be
         *                    joining), for an unreachable one to come back, or for credit; positive.
         * @return this builder.
         */
        public Builder sendTimeout(final Duration sendTimeout)
        {
            this.sendTimeout = positive(sendTimeout, "sendTimeout");
            return this;
        }

        /**
         * @param joinTimeout longest wait in {@code open} for this node to join; positive.
         * @return this builder.
         */
        public Builder joinTimeout(final Duration joinTimeout)
        {
            this.joinTimeout = positive(joinTimeout, "joinTimeout");
            return this;
        }

        /**
         * @param closeTimeout longest wait in {@code close} for a graceful leave and termination; positive.
         * @return this builder.
         */
        public Builder closeTimeout(final Duration closeTimeout)
        {
            this.closeTimeout = positive(closeTimeout, "closeTimeout");
            return this;
        }

        /**
         * Failure detection ({@code pekko.cluster.failure-detector}): a member is unreachable roughly
         * {@code heartbeatInterval + acceptablePause} after it stops answering.
         *
         * @param heartbeatInterval how often members heartbeat each other; default 1 s.
         * @param acceptablePause   heartbeat silence tolerated (GC pauses!); default 3 s.
         * @return this builder.
         */
        public Builder failureDetector(final Duration heartbeatInterval, final Duration acceptablePause)
        {
            this.heartbeatInterval = positive(heartbeatInterval, "heartbeatInterval");
            this.acceptableHeartbeatPause = positive(acceptablePause, "acceptablePause");
            return this;
        }

        /**
         * @param stableAfter how long membership and reachability must stay unchanged before the split-brain
         *                    resolver downs the unreachable members (then they are removed and reported); default
         *                    10 s. Shorter finds dead workers sooner and risks downing a long-paused one.
         * @return this builder.
         */
        public Builder downingStableAfter(final Duration stableAfter)
        {
            this.downingStableAfter = positive(stableAfter, "stableAfter");
            return this;
        }

        /**
         * @param level Pekko's {@code loglevel}: OFF, ERROR, WARNING (default), INFO or DEBUG.
         * @return this builder.
         */
        public Builder pekkoLogLevel(final String level)
        {
            if (!List.of("OFF", "ERROR", "WARNING", "INFO", "DEBUG").contains(level))
            {
                throw new IllegalArgumentException("pekkoLogLevel must be OFF, ERROR, WARNING, INFO or DEBUG: " +
                    level);
            }
            this.pekkoLogLevel = level;
            return this;
        }

        /**
         * @param hocon Pekko configuration applied over the generated one (which wins over application.conf), for
         *              what this builder does not expose, e.g. {@code pekko.remote.artery.transport = tls-tcp}.
         *              Overriding the identity settings (hostname, port, roles, serializers) breaks the transport.
         * @return this builder.
         */
        public Builder extraPekkoConfig(final String hocon)
        {
            this.extraPekkoConfig = Objects.requireNonNull(hocon, "hocon");
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
         * @throws IllegalStateException if the endpoint id or cluster secret is missing, or the byte window cannot
         *                               hold two full frames.
         */
        public PekkoTransportConfig build()
        {
            if (endpointId < 0 || !clusterSecretSet)
            {
                throw new IllegalStateException("endpointId and clusterSecret are required");
            }
            if ((long)sendWindowBytes < 2L * (maxFrameSize - FRAME_HEADROOM))
            {
                throw new IllegalStateException("send window of " + sendWindowBytes + " bytes must hold two frames" +
                    " of " + (maxFrameSize - FRAME_HEADROOM) + " payload bytes");
            }
            return new PekkoTransportConfig(this);
        }

        private static String requireText(final String value, final String name)
        {
            if (null == value || value.isBlank())
            {
                throw new IllegalArgumentException(name + " must not be blank");
            }
            return value.trim();
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

    /**
     * Split {@code host:port} (IPv6 hosts in brackets: {@code [::1]:25520}).
     *
     * @param hostPort the text.
     * @return host and port.
     * @throws IllegalArgumentException if it is not {@code host:port} with a port from 1 to 65535.
     */
    static HostPort parseHostPort(final String hostPort)
    {
        if (null == hostPort)
        {
            throw new IllegalArgumentException("seed node must be host:port, not null");
        }
        final String text = hostPort.trim();
        final int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1)
        {
            throw new IllegalArgumentException("seed node must be host:port: '" + hostPort + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try
        {
            port = Integer.parseInt(text.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("seed node must be host:port: '" + hostPort + "'", ex);
        }
        if (host.isEmpty() || port < 1 || port > 65_535)
        {
            throw new IllegalArgumentException("seed node must be host:port with a port in [1, 65535]: '" +
                hostPort + "'");
        }
        return new HostPort(host, port);
    }

    /** A parsed {@code host:port}. */
    record HostPort(String host, int port)
    {
    }
}
