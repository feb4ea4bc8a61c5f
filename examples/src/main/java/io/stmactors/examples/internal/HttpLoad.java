package io.stmactors.examples.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;

/**
 * A small, bounded HTTP/1.1 load generator for servers on this machine: a fixed number of
 * keep-alive connections on plain sockets, each a thread sending one GET at a time (a closed
 * loop), until a fixed number of requests is done or a deadline passes. Records each response
 * and its latency.
 *
 * <p>Plain sockets rather than {@code java.net.http.HttpClient}: the client shares the cores with
 * the server it measures, so it should cost as little as possible. It understands only what the
 * demo server sends: a status line, headers with {@code Content-Length}, a body.
 *
 * <p>Threads: {@link #run} starts the connection threads and waits for them; results are written
 * to distinct array slots and read after the joins (which order them).
 */
public final class HttpLoad {
    /** One request's outcome: HTTP status (or -1 on an I/O failure) and body. */
    public record Response(int status, String body) {
    }

    /** What a run did. */
    public record Result(long requested, long completed, Response[] responses, long[] latencyNanos, boolean timedOut,
                         String firstError) {
        /** The latencies of the requests that completed, in nanoseconds. */
        public long[] completedLatencies() {
            long[] out = new long[(int) completed];
            int n = 0;
            for (int i = 0; i < responses.length && n < out.length; i++) {
                if (responses[i] != null) {
                    out[n++] = latencyNanos[i];
                }
            }
            return Arrays.copyOf(out, n);
        }
    }

    /** Percentile {@code p} (0-100, nearest rank) of {@code nanos}, in milliseconds; NaN if empty. */
    public static double percentileMillis(long[] nanos, double p) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    private HttpLoad() {
    }

    /**
     * Sends {@code requests} GETs to {@code 127.0.0.1:port} over {@code connections} connections;
     * request {@code i} asks for {@code pathOf.apply(i)}. Stops early at {@code timeLimit}.
     */
    public static Result run(int port, int connections, int requests, Duration timeLimit, LongFunction<String> pathOf)
            throws InterruptedException {
        Response[] responses = new Response[requests];
        long[] latency = new long[requests];
        AtomicLong next = new AtomicLong();
        AtomicLong completed = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long deadline = System.nanoTime() + timeLimit.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Thread t = new Thread(() -> {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1_000, timeLimit.toMillis())));
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new BufferedInputStream(socket.getInputStream());
                    for (long i = next.getAndIncrement(); i < requests && System.nanoTime() < deadline;
                         i = next.getAndIncrement()) {
                        String request = "GET " + pathOf.apply(i) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
                        long start = System.nanoTime();
                        out.write(request.getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        Response response = read(in);
                        latency[(int) i] = System.nanoTime() - start;
                        responses[(int) i] = response;
                        completed.incrementAndGet();
                    }
                } catch (IOException e) {
                    firstError.compareAndSet(null, e.toString());
                }
            }, "http-load-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        boolean timedOut = completed.get() < requests && firstError.get() == null;
        return new Result(requests, completed.get(), responses, latency, timedOut, firstError.get());
    }

    /** Reads one response: status line, headers, {@code Content-Length} bytes of body. */
    static Response read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("connection closed by the server");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        int length = 0;
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon > 0 && header.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                length = Integer.parseInt(header.substring(colon + 1).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("connection closed in the middle of a response body");
        }
        return new Response(status, new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(64);
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                byte[] bytes = buffer.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.US_ASCII);
            }
            buffer.write(b);
        }
        return buffer.size() == 0 ? null : buffer.toString(StandardCharsets.US_ASCII);
    }
}
