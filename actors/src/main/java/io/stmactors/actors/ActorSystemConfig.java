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
    private final Placement placement;
    private final List<String> workerJvmOptions;
    private final boolean restartWorkers;
    private final int threadsPerWorker;
    private final Duration workerStartTimeout;
    private final io.stmactors.transport.pekko.PekkoTransportConfig pekko;
    private final boolean launchWorkers;

    private ActorSystemConfig(Builder b) {
        this.name = b.name;
        this.mode = b.mode;
        this.workers = b.workers;
        this.registeredClasses = List.copyOf(b.registered);
        this.throughput = b.throughput;
        this.closeTimeout = b.closeTimeout;
        this.handlerTimeout = b.handlerTimeout;
        this.placement = b.placement;
        this.workerJvmOptions = List.copyOf(b.workerJvmOptions);
        this.restartWorkers = b.restartWorkers;
        this.threadsPerWorker = b.threadsPerWorker;
        this.workerStartTimeout = b.workerStartTimeout;
        this.pekko = b.pekko;
        this.launchWorkers = b.launchWorkers;
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

    /** {@link Mode#ISOLATED_PROCESSES}: which worker hosts each top-level actor. */
    public Placement placement() {
        return placement;
    }

    /** {@link Mode#ISOLATED_PROCESSES}: extra JVM options for the worker processes. */
    public List<String> workerJvmOptions() {
        return workerJvmOptions;
    }

    /** {@link Mode#ISOLATED_PROCESSES}: whether a dead worker is restarted with its actors' last committed state. */
    public boolean restartWorkers() {
        return restartWorkers;
    }

    /** {@link Mode#ISOLATED_PROCESSES}: handler threads in each worker process (default 1, like a Python process). */
    public int threadsPerWorker() {
        return threadsPerWorker;
    }

    /** {@link Mode#ISOLATED_PROCESSES}: how long to wait for the worker processes to start. */
    public Duration workerStartTimeout() {
        return workerStartTimeout;
    }

    /**
     * {@link Mode#ISOLATED_PROCESSES}: the Pekko cluster transport of the coordinator (endpoint 0),
     * or null for shared memory on this machine.
     */
    public io.stmactors.transport.pekko.PekkoTransportConfig pekkoTransport() {
        return pekko;
    }

    /**
     * {@link Mode#ISOLATED_PROCESSES}: whether the coordinator starts the worker JVMs itself (on
     * this machine), or waits for {@code stm-actors worker --join host:port --id N} on other hosts.
     */
    public boolean launchWorkers() {
        return launchWorkers;
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
        private Placement placement = Placement.byNameHash();
        private final List<String> workerJvmOptions = new ArrayList<>();
        private boolean restartWorkers = true;
        private int threadsPerWorker = 1;
        private Duration workerStartTimeout = Duration.ofSeconds(60);
        private io.stmactors.transport.pekko.PekkoTransportConfig pekko;
        private boolean launchWorkers = true;

        private Builder() {
        }

        /**
         * {@link Mode#ISOLATED_PROCESSES} across machines: carry frames over a Pekko cluster (Artery TCP)
         * instead of shared memory. {@code config} is the coordinator's endpoint; its id must be 0. Build
         * it with {@link io.stmactors.transport.Transport#pekko(String...)} or
         * {@link io.stmactors.transport.pekko.PekkoTransportConfig#builder()}.
         */
        public Builder transport(io.stmactors.transport.pekko.PekkoTransportConfig config) {
            Objects.requireNonNull(config, "config");
            if (config.endpointId() != 0) {
                throw new IllegalArgumentException("the coordinator's transport must be endpoint 0, got " + config.endpointId());
            }
            this.pekko = config;
            return this;
        }

        /**
         * {@link Mode#ISOLATED_PROCESSES}: start the worker JVMs here (default), or wait for workers on
         * other hosts to join ({@code stm-actors worker --join host:port --id N}, ids 1..workers; needs
         * a Pekko transport).
         */
        public Builder launchWorkers(boolean launch) {
            this.launchWorkers = launch;
            return this;
        }

        /** {@link Mode#ISOLATED_PROCESSES}: where top-level actors live (default: hash of the name). */
        public Builder placement(Placement placement) {
            this.placement = Objects.requireNonNull(placement, "placement");
            return this;
        }

        /** {@link Mode#ISOLATED_PROCESSES}: JVM options added to every worker process (e.g. "-Xmx512m"). */
        public Builder workerJvmOptions(String... options) {
            for (String o : options) {
                workerJvmOptions.add(Objects.requireNonNull(o, "option"));
            }
            return this;
        }

        /** {@link Mode#ISOLATED_PROCESSES}: restart a dead worker and re-create its actors (default true). */
        public Builder restartWorkers(boolean restart) {
            this.restartWorkers = restart;
            return this;
        }

        /** {@link Mode#ISOLATED_PROCESSES}: handler threads per worker process (default 1). */
        public Builder threadsPerWorker(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threadsPerWorker must be at least 1, got " + threads);
            }
            this.threadsPerWorker = threads;
            return this;
        }

        /** {@link Mode#ISOLATED_PROCESSES}: how long to wait for worker processes to start (default 60 s). */
        public Builder workerStartTimeout(Duration timeout) {
            this.workerStartTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
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
            if (!launchWorkers && pekko == null) {
                throw new IllegalArgumentException("launchWorkers(false) needs a Pekko transport: "
                        + "workers on other hosts join with 'stm-actors worker --join host:port --id N'");
            }
            return new ActorSystemConfig(this);
        }
    }
}
