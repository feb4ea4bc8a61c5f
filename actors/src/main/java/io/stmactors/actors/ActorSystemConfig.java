package io.stmactors.actors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to build an {@link ActorSystem}. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * ActorSystemConfig config = ActorSystemConfig.builder()
 *         .mode(Mode.SHARED_STM).workers(4)
 *         .register(Deposit.class, Withdraw.class)   // needed by ISOLATED_PROCESSES, accepted by all
 *         .build();
 * }</pre>
 */
public final class ActorSystemConfig {
    private final String name;
    private final Mode mode;
    private final int workers;
    private final List<Class<?>> registeredClasses;
    private final int throughput;
    private final Duration closeTimeout;
    private final Duration handlerTimeout;

    private ActorSystemConfig(Builder b) {
        this.name = b.name;
        this.mode = b.mode;
        this.workers = b.workers;
        this.registeredClasses = List.copyOf(b.registered);
        this.throughput = b.throughput;
        this.closeTimeout = b.closeTimeout;
        this.handlerTimeout = b.handlerTimeout;
    }

    /** A builder with the defaults: {@link Mode#SHARED_STM}, one worker per available processor. */
    public static Builder builder() {
        return new Builder();
    }

    /** The system's name (logs, thread names). */
    public String name() {
        return name;
    }

    public Mode mode() {
        return mode;
    }

    public int workers() {
        return workers;
    }

    /** Message and state classes registered for serialization, in registration order. */
    public List<Class<?>> registeredClasses() {
        return registeredClasses;
    }

    /** Messages of one actor processed before its worker moves on to another actor. */
    public int throughput() {
        return throughput;
    }

    /** How long {@link ActorSystem#close()} waits for mailboxes to drain. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** A handler running longer than this is reported (logged, counted); null = never. */
    public Duration handlerTimeout() {
        return handlerTimeout;
    }

    /** Builder of {@link ActorSystemConfig}. Not thread-safe. */
    public static final class Builder {
        private String name = "stm-actors";
        private Mode mode = Mode.SHARED_STM;
        private int workers = Runtime.getRuntime().availableProcessors();
        private final List<Class<?>> registered = new ArrayList<>();
        private int throughput = 64;
        private Duration closeTimeout = Duration.ofSeconds(30);
        private Duration handlerTimeout = null;

        private Builder() {
        }

        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Number of worker threads (or processes); at least 1. */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * Registers message and state classes for serialization, in order. Needed by
         * {@link Mode#ISOLATED_PROCESSES}; accepted (and ignored) by the other modes.
         */
        public Builder register(Class<?>... classes) {
            for (Class<?> c : classes) {
                Objects.requireNonNull(c, "class");
                if (!registered.contains(c)) {
                    registered.add(c);
                }
            }
            return this;
        }

        /** Messages of one actor handled before its worker moves on (default 64); at least 1. */
        public Builder throughput(int throughput) {
            if (throughput < 1) {
                throw new IllegalArgumentException("throughput must be at least 1, got " + throughput);
            }
            this.throughput = throughput;
            return this;
        }

        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Report handlers that run longer than {@code timeout} (null: never). */
        public Builder handlerTimeout(Duration timeout) {
            this.handlerTimeout = timeout;
            return this;
        }

        public ActorSystemConfig build() {
            return new ActorSystemConfig(this);
        }
    }
}
