package io.stmactors.transport.pekko;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link PekkoTransportConfig} into the Pekko configuration of the endpoint's actor system.
 * <p>
 * Layering, highest precedence first: {@link PekkoTransportConfig#extraPekkoConfig()}, the settings generated here,
 * the application's {@code application.conf}, Pekko's {@code reference.conf}. Every key set here is listed in
 * {@code actors/PEKKO-README-section.md}.
 * <p>
 * Thread-safety: stateless.
 */
final class PekkoSettings
{
    /** Role every member carries, followed by its endpoint id. */
    static final String ROLE_PREFIX = "stm-endpoint-";
    /** Role announcing the member's {@link PekkoTransportConfig#maxMessageSize()}: senders keep under it. */
    static final String MAX_MESSAGE_ROLE_PREFIX = "stm-max-message-";
    /** Role announcing the member's {@link PekkoTransportConfig#maxFrameSize()}: senders cut frames to it. */
    static final String MAX_FRAME_ROLE_PREFIX = "stm-max-frame-";
    /** Name under which {@link PekkoFrameSerializer} is registered. */
    static final String SERIALIZER_NAME = "stm-actors-frame";

    private PekkoSettings()
    {
    }

    static Config toPekkoConfig(final PekkoTransportConfig config)
    {
        final Map<String, Object> settings = new HashMap<>();

        // Cluster provider; Java serialization stays off (Pekko's default, stated so that nobody turns it on).
        settings.put("pekko.actor.provider", "cluster");
        settings.put("pekko.actor.allow-java-serialization", "off");
        settings.put("pekko.actor.serializers." + SERIALIZER_NAME, PekkoFrameSerializer.class.getName());
        settings.put(ConfigUtil.joinPath("pekko", "actor", "serialization-bindings", WireMessage.class.getName()),
            SERIALIZER_NAME);

        // Artery TCP: where others reach us, where we bind, and the largest frame.
        settings.put("pekko.remote.artery.transport", "tcp");
        settings.put("pekko.remote.artery.canonical.hostname", config.hostname());
        settings.put("pekko.remote.artery.canonical.port", config.port());
        settings.put("pekko.remote.artery.bind.hostname", config.bindHostname());
        settings.put("pekko.remote.artery.advanced.maximum-frame-size", config.maxFrameSize() + "b");

        // Membership: the roles name the endpoint and announce its limits; we join programmatically (seed-nodes stays empty).
        settings.put("pekko.cluster.roles", List.of(ROLE_PREFIX + config.endpointId(),
            MAX_MESSAGE_ROLE_PREFIX + config.maxMessageSize(), MAX_FRAME_ROLE_PREFIX + config.maxFrameSize()));
        settings.put("pekko.cluster.seed-nodes", List.of());
        settings.put("pekko.cluster.jmx.enabled", "off");
        final boolean verbose = "INFO".equals(config.pekkoLogLevel()) || "DEBUG".equals(config.pekkoLogLevel());
        settings.put("pekko.cluster.log-info", verbose ? "on" : "off");

        // Failure detection and downing. Keep-oldest: the first member (the parent that owns the heap) survives any
        // partition; down-if-alone off because workers without the heap owner cannot commit anything anyway.
        settings.put("pekko.cluster.failure-detector.heartbeat-interval", millis(config.heartbeatInterval()));
        settings.put("pekko.cluster.failure-detector.acceptable-heartbeat-pause",
            millis(config.acceptableHeartbeatPause()));
        settings.put("pekko.cluster.downing-provider-class",
            "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider");
        settings.put("pekko.cluster.split-brain-resolver.active-strategy", "keep-oldest");
        settings.put("pekko.cluster.split-brain-resolver.keep-oldest.down-if-alone", "off");
        settings.put("pekko.cluster.split-brain-resolver.stable-after", millis(config.downingStableAfter()));

        // Receptionist: spread registrations faster than the ddata defaults (2 s gossip, 500 ms notifications), so
        // a joining endpoint becomes addressable sooner. The traffic is a few small deltas per member.
        settings.put("pekko.cluster.typed.receptionist.distributed-data.gossip-interval", "1s");
        settings.put("pekko.cluster.typed.receptionist.distributed-data.notify-subscribers-interval", "100ms");

        // Quiet by default; our own warnings go through SLF4J.
        settings.put("pekko.loglevel", config.pekkoLogLevel());
        settings.put("pekko.stdout-loglevel", "OFF".equals(config.pekkoLogLevel()) ? "OFF" : "WARNING");
        settings.put("pekko.log-dead-letters", "off");
        settings.put("pekko.log-dead-letters-during-shutdown", "off");
        settings.put("pekko.coordinated-shutdown.exit-jvm", "off");

        final Config generated = ConfigFactory.parseMap(settings);
        final Config extra = ConfigFactory.parseString(config.extraPekkoConfig());
        return extra.withFallback(generated).withFallback(ConfigFactory.load(PekkoSettings.class.getClassLoader()))
            .resolve();
    }

    private static String millis(final java.time.Duration duration)
    {
        return duration.toMillis() + "ms";
    }
}
