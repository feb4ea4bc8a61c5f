package io.stmactors.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.stmactors.actors.ActorRef;
import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.Behavior;
import io.stmactors.actors.Behaviors;
import io.stmactors.examples.internal.HttpLoad;
import io.stmactors.examples.internal.Rng;
import io.stmactors.examples.internal.Trials;
import io.stmactors.stm.TMap;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code reactor}: a Twisted-style server. A real HTTP server (the JDK's
 * {@code com.sun.net.httpserver}) on 127.0.0.1 turns every request into a message to one
 * {@link Behaviors#concurrent concurrent} actor that owns a tiny key-value store (a {@link TMap}
 * of counters). The handler is written as if it ran alone - read the counter, add one, render
 * the page - yet handlers run in parallel on every worker, and commit as if one at a time.
 *
 * <p>The reply travels back through {@code ask}: the handler tells the ask's reply address, and a
 * send inside a handler happens only when it commits, so a handler re-run after a conflict never
 * answers twice. The HTTP thread waits for that reply and writes the response.
 *
 * <p>A built-in load generator ({@link HttpLoad}) sends {@code size} requests over a few
 * keep-alive connections, half increments and half reads of random keys, bounded in time. The
 * row reports requests per second and the latency percentiles p50 and p99. The check: every
 * request got 200; for every key, the increments were answered with exactly 1, 2, ..., n (no lost
 * update, no double answer) and the store holds n. The load generator runs on the same cores as
 * the server, so the speedup here is below what the server alone would show.
 */
public final class ReactorDemo implements Demo {
    /** The default size (see {@link #defaultSize()}). */
    public static final int DEFAULT_SIZE = 4_000;

    static {
        // The JDK server writes headers and body separately; with Nagle's algorithm on, the body
        // waits for the client's delayed ACK (40 ms on Linux). Read once, when the server starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** Most client connections: each takes a client thread and a server thread. */
    public static final int MAX_CONNECTIONS = 1024;

    private int keys = 1_000;
    private int connections = 4;
    private int renderWork = 100_000;
    private Duration timeLimit = Duration.ofSeconds(60);

    @Override
    public String name() {
        return "reactor";
    }

    @Override
    public String summary() {
        return "HTTP server whose handlers are messages to one concurrent actor over a TMap; requests/s, p50/p99";
    }

    @Override
    public String unit() {
        return "requests";
    }

    @Override
    public int defaultSize() {
        return DEFAULT_SIZE;
    }

    /** Number of distinct keys (default 1000): fewer keys, more conflicts. */
    public ReactorDemo keys(int keys) {
        if (keys < 1) {
            throw new IllegalArgumentException("--keys must be at least 1, got " + keys);
        }
        this.keys = keys;
        return this;
    }

    /** Client connections, each with one request in flight (default 4). */
    public ReactorDemo connections(int connections) {
        if (connections < 1) {
            throw new IllegalArgumentException("--connections must be at least 1, got " + connections);
        }
        if (connections > MAX_CONNECTIONS) { // two threads each: a client and a server thread
            throw new IllegalArgumentException("--connections must be at most " + MAX_CONNECTIONS + ", got " + connections);
        }
        this.connections = connections;
        return this;
    }

    /** CPU work of rendering one reply, in rounds of a hash function (default 100000, a few hundred microseconds). */
    public ReactorDemo renderWork(int renderWork) {
        if (renderWork < 0) {
            throw new IllegalArgumentException("--render-work must be at least 0, got " + renderWork);
        }
        this.renderWork = renderWork;
        return this;
    }

    /** Bound on each round of requests (default 60 s); a round stopped by it is not correct. */
    public ReactorDemo timeLimit(Duration timeLimit) {
        this.timeLimit = timeLimit;
        return this;
    }

    @Override
    public int progressSteps(DemoConfig config) {
        return Trials.steps(config);
    }

    @Override
    public DemoResult run(DemoConfig config) {
        config.progress().plan(progressSteps(config));
        int size = config.sizeOr(defaultSize());
        int k = keys;
        int c = connections;
        int work = renderWork;
        Duration limit = timeLimit.compareTo(config.timeout()) < 0 ? timeLimit : config.timeout();
        List<DemoRow> rows = Trials.run(name(), "", config, size,
                (mode, workers) -> new ReactorTrial(Trials.system("reactor", mode, workers, CLASSES), k, c, work, limit));
        return new DemoResult(name(), rows, "");
    }

    // ---------------------------------------------------------------- the server side

    /** An HTTP request handed to the reactor: increment or read {@code key}. */
    public record HttpCall(boolean increment, String key, ActorRef<Reply> replyTo) {
    }

    /** What the HTTP thread sends back. */
    public record Reply(int status, String body) {
    }

    static final List<Class<?>> CLASSES = List.of(HttpCall.class, Reply.class);

    /**
     * The reactor: one actor, handlers in parallel. Written as single-threaded code; its only
     * state is the store.
     */
    static Behavior<HttpCall> reactor(TMap<String, Long> store, int renderWork) {
        return Behaviors.concurrent(Behaviors.receive((ctx, call) -> {
            long value = store.getOrDefault(call.key(), 0L);
            if (call.increment()) {
                value++;
                store.put(call.key(), value);
            }
            call.replyTo().tell(new Reply(200, render(call.key(), value, renderWork)));
            return Behaviors.same();
        }));
    }

    /** "Renders the page": a fixed amount of CPU work and a small text body. */
    static String render(String key, long value, int work) {
        long h = key.hashCode() * 31L + value;
        for (int i = 0; i < work; i++) {
            h = Rng.mix(h + i);
        }
        return "key=" + key + " value=" + value + " etag=" + Long.toHexString(h) + "\n";
    }

    /** Parses the value out of a body made by {@link #render}; -1 if absent. */
    static long valueOf(String body) {
        int at = body.indexOf(" value=");
        if (at < 0) {
            return -1;
        }
        int end = body.indexOf(' ', at + 7);
        try {
            return Long.parseLong(body.substring(at + 7, end < 0 ? body.length() : end).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static final class ReactorTrial extends Trials.ActorTrial {
        private final TMap<String, Long> store = TMap.named("reactor.store");
        private final ActorRef<HttpCall> reactor;
        private final HttpServer server;
        private final ExecutorService httpThreads;
        private final int keys;
        private final int connections;
        private final Duration timeLimit;
        private int roundNumber;
        private String problem;
        private long[] measuredLatencies = new long[0];

        ReactorTrial(ActorSystem system, int keys, int connections, int renderWork, Duration timeLimit) throws IOException {
            super(system);
            this.keys = keys;
            this.connections = connections;
            this.timeLimit = timeLimit;
            this.reactor = system.spawn(reactor(store, renderWork), "reactor");
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            this.httpThreads = Executors.newFixedThreadPool(connections, r -> {
                Thread t = new Thread(r, "reactor-http");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(httpThreads);
            server.createContext("/kv/", this::handle);
            server.start();
        }

        /** The HTTP side: parse, ask the reactor, write its reply. */
        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                String[] parts = exchange.getRequestURI().getPath().split("/");
                Reply reply;
                if (parts.length != 4 || !(parts[2].equals("incr") || parts[2].equals("get"))) {
                    reply = new Reply(404, "use /kv/incr/KEY or /kv/get/KEY\n");
                } else {
                    boolean increment = parts[2].equals("incr");
                    try {
                        reply = system.<HttpCall, Reply>ask(reactor, r -> new HttpCall(increment, parts[3], r), timeLimit)
                                .get(timeLimit.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        reply = new Reply(503, "interrupted\n");
                    } catch (Exception e) {
                        reply = new Reply(e instanceof TimeoutException ? 504 : 500, e + "\n");
                    }
                }
                byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                exchange.sendResponseHeaders(reply.status(), body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }

        @Override
        public long round(Trials.Round r) throws Exception {
            long items = r.items();
            long seed = r.seed();
            int round = roundNumber++;
            int port = server.getAddress().getPort();
            boolean[] increments = new boolean[(int) items];
            String[] keyOf = new String[(int) items];
            for (int i = 0; i < items; i++) {
                long random = Rng.mix(Rng.stream(seed, i));
                increments[i] = (random & 1) == 0;
                keyOf[i] = "r" + round + "-k" + Rng.below(random >>> 1, keys);
            }
            HttpLoad.Result result = HttpLoad.run(port, connections, (int) items, timeLimit,
                    i -> "/kv/" + (increments[(int) i] ? "incr/" : "get/") + keyOf[(int) i]);
            if (!r.warmup()) {
                long[] more = result.completedLatencies();
                long[] all = Arrays.copyOf(measuredLatencies, measuredLatencies.length + more.length);
                System.arraycopy(more, 0, all, measuredLatencies.length, more.length);
                measuredLatencies = all;
            }
            if (problem == null) {
                problem = verify(result, increments, keyOf);
            }
            return result.completed();
        }

        /** Every request answered 200; per key, the increments got exactly 1..n; the store holds n. */
        private String verify(HttpLoad.Result result, boolean[] increments, String[] keyOf) {
            if (result.firstError() != null) {
                return "client error: " + result.firstError();
            }
            if (result.timedOut()) {
                return String.format(Locale.ROOT, "stopped by the time limit (%s) after %d of %d requests",
                        timeLimit, result.completed(), result.requested());
            }
            Map<String, List<Long>> answers = new HashMap<>();
            for (int i = 0; i < increments.length; i++) {
                HttpLoad.Response response = result.responses()[i];
                if (response == null || response.status() != 200) {
                    return "request " + i + " failed: " + (response == null ? "no response" : response.status() + " " + response.body().trim());
                }
                if (increments[i]) {
                    answers.computeIfAbsent(keyOf[i], k -> new ArrayList<>()).add(valueOf(response.body()));
                }
            }
            for (Map.Entry<String, List<Long>> e : answers.entrySet()) {
                long[] values = e.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
                for (int j = 0; j < values.length; j++) {
                    if (values[j] != j + 1) {
                        return "key " + e.getKey() + ": increments answered " + Arrays.toString(values)
                                + ", expected 1.." + values.length;
                    }
                }
                Long stored = store.get(e.getKey());
                if (stored == null || stored != values.length) {
                    return "key " + e.getKey() + ": store holds " + stored + " after " + values.length + " increments";
                }
            }
            return null;
        }

        @Override
        public String check() {
            return problem;
        }

        @Override
        public Map<String, Object> extras() {
            Map<String, Object> extras = new LinkedHashMap<>();
            extras.put("p50 ms", HttpLoad.percentileMillis(measuredLatencies, 50));
            extras.put("p99 ms", HttpLoad.percentileMillis(measuredLatencies, 99));
            return extras;
        }

        @Override
        public void close() {
            server.stop(0);
            httpThreads.shutdownNow();
            super.close();
        }
    }
}
