package io.stmactors.actors.isolated;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Collectors;

/**
 * One worker JVM as the coordinator sees it: its process, whether it said hello, the frame counters
 * of the quiescence check, and its log file (stdout and stderr, in the system's private directory,
 * so that a worker's output never mixes into the coordinator's streams; its tail is logged when the
 * worker dies).
 */
final class WorkerHandle {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerHandle.class);

    private final int endpoint;
    private final IsolatedActorSystem system;
    private final Path log;
    /**
     * Frames sent to the current process (counted ones: the quiescence check compares them with what the
     * worker says it received). A new counter per process, taken at the relaunch: a send that started
     * before the old process died counts on the old counter, whenever it ends.
     */
    private volatile AtomicLong sent = new AtomicLong();
    /**
     * Frames received from the current process. A new counter when the restarted process says hello: the
     * poll thread handles the inbox in order, so every frame the old process wrote was counted before.
     */
    private volatile AtomicLong received = new AtomicLong();
    private volatile Process process;
    private volatile CompletableFuture<Void> hello = new CompletableFuture<>();
    private volatile boolean alive;
    /** Said hello since its last (re)start: frames may be sent to it. */
    private volatile boolean ready;
    private volatile boolean stopping;
    /**
     * Died and will not be restarted (restartWorkers off, too many failed restarts, a new process could not be
     * started, or the system is closing): new actors go elsewhere.
     */
    private volatile boolean gone;
    /** Why it is {@link #gone}: what asks to its actors say. */
    private volatile String goneReason;
    /**
     * Orders sends of new work (read side) before the shutdown request (write side): once a worker was
     * told to shut down, no frame that gives it work follows, so none is lost after its final status.
     */
    private final ReentrantReadWriteLock shutdownGate = new ReentrantReadWriteLock();
    /** The counters the worker sent once its actors were closed; null before. */
    private volatile Frames.Status finalStatus;
    private volatile int restarts;
    private volatile long pid;
    private volatile boolean everReady;
    /** Written by the thread that handles this worker's process exits (one exit at a time). */
    private volatile int failedStarts;

    /**
     * Restarts in a row that may die before they are ready before the worker is given up (its actors reported
     * lost): a process that cannot start must not be relaunched forever.
     */
    static final int MAX_FAILED_STARTS = 3;

    /** Started by someone else (stm-actors worker --join): no process to watch or restart. */
    private final boolean external;

    WorkerHandle(int endpoint, IsolatedActorSystem system, boolean external) {
        this.endpoint = endpoint;
        this.system = system;
        this.external = external;
        this.log = system.directory().resolve("worker-" + endpoint + ".log");
    }

    int endpoint() {
        return endpoint;
    }

    boolean external() {
        return external;
    }

    /** Whether this worker died for good (see {@link #markGone}). */
    boolean gone() {
        return gone;
    }

    /**
     * This worker died and will not be restarted: no new actor is placed on it. {@code reason} completes "its
     * worker process N died ..." in what asks to its actors say.
     */
    void markGone(String reason) {
        goneReason = reason;
        gone = true;
    }

    /** Why it is {@link #gone}, or null. */
    String goneReason() {
        return goneReason;
    }

    boolean alive() {
        return alive;
    }

    /**
     * Whether frames may be sent: alive and said hello since its last start. A restarting worker gets
     * nothing, so nothing is counted as sent into the ring of a process that is already dead.
     */
    boolean ready() {
        return alive && ready;
    }

    /** Whether it was ever configured (a worker still starting up with the system is not "restarting"). */
    boolean everReady() {
        return everReady;
    }

    int restarts() {
        return restarts;
    }

    Process process() {
        return process;
    }

    long framesSent() {
        return sent.get();
    }

    long framesReceived() {
        return received.get();
    }

    /** The counter of frames sent to the current process: take it before sending, count after. */
    AtomicLong sentCounter() {
        return sent;
    }

    void countReceived() {
        received.incrementAndGet();
    }

    /** Starts the worker JVM. */
    synchronized void launch() {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(inheritedJvmOptions());
        command.addAll(IsolatedActorSystem.REQUIRED_JVM_FLAGS);
        command.addAll(system.config().workerJvmOptions());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WorkerMain.class.getName());
        command.addAll(system.workerArguments(endpoint));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put(WorkerMain.SECRET_ENV, system.clusterSecretHex());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            Process p = pb.start();
            process = p;
            alive = true;
            p.onExit().thenAccept(this::exited);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start worker process " + endpoint + ": " + e.getMessage(), e);
        }
    }

    /**
     * JVM options of the coordinator worth giving the workers (heap size, system properties,
     * module flags), without debuggers and agents that would collide.
     */
    static List<String> inheritedJvmOptions() {
        List<String> out = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-agentlib") || arg.startsWith("-javaagent") || arg.startsWith("-Xrunjdwp")
                    || arg.startsWith("-XX:StartFlightRecording") || arg.startsWith("-XX:+StartAttachListener")
                    || arg.startsWith("-Djdk.attach") || arg.startsWith("-XX:Flight") || arg.startsWith("--add-opens")
                    || arg.startsWith("-Dsun.java.command") || arg.startsWith("-Xlog")) {
                continue;
            }
            if (arg.startsWith("-X") || arg.startsWith("-D") || arg.startsWith("-ea") || arg.startsWith("-XX:")) {
                out.add(arg);
            }
        }
        return out;
    }

    /** The worker said hello (it is configured next). An external worker is alive from now on. */
    void hello(long pid) {
        if (everReady) {
            received = new AtomicLong(); // a restarted process: count only its own frames
        }
        this.pid = pid;
        if (external) {
            alive = true;
        }
    }

    /** The worker is configured. Returns true if this is a restarted worker (its actors must be re-created). */
    boolean markReady() {
        boolean restarted = everReady;
        everReady = true;
        ready = true;
        failedStarts = 0;
        LOG.debug("Worker {} ready (pid {})", endpoint, pid);
        hello.complete(null);
        return restarted;
    }

    /** The Pekko cluster removed this worker's member (left, crashed and downed). */
    void memberRemoved(String reason) {
        if (!external || !alive) {
            return; // a launched worker is watched through its process
        }
        alive = false;
        ready = false;
        if (stopping) {
            return;
        }
        LOG.error("Worker {} (pid {}) left the cluster ({})", endpoint, pid, reason);
        system.onWorkerDied(this, -1);
    }

    void fail(Throwable cause) {
        hello.completeExceptionally(cause);
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    void awaitReady(long deadlineNanos) {
        try {
            hello.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("worker process " + endpoint + " did not start in time" + tailOfLog());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("worker process " + endpoint + " failed to start: "
                    + e.getCause().getMessage() + tailOfLog(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting worker processes", e);
        }
    }

    /**
     * Runs {@code send}, which gives the worker new work (a message, an actor), unless the worker was told to
     * shut down; returns false then, or when {@code send} does.
     */
    boolean sendWork(java.util.function.BooleanSupplier send) {
        shutdownGate.readLock().lock();
        try {
            return !stopping && send.getAsBoolean();
        } finally {
            shutdownGate.readLock().unlock();
        }
    }

    /** From now on the worker gets no new work; {@code requestShutdown} (sending the request) runs last. */
    void stopping(Runnable requestShutdown) {
        shutdownGate.writeLock().lock();
        try {
            stopping = true;
            requestShutdown.run();
        } finally {
            shutdownGate.writeLock().unlock();
        }
    }

    void finalStatus(Frames.Status status) {
        finalStatus = status;
    }

    /** The counters the worker sent once it closed its actors, or null. */
    Frames.Status finalStatus() {
        return finalStatus;
    }

    /** Waits for the process to end after a shutdown request; kills it if it does not. */
    void awaitExit(Duration timeout) {
        Process p = process;
        if (p == null) {
            return;
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Worker process {} did not exit within {}; killing it", endpoint, timeout);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        alive = false;
    }

    /** Whether this worker's own process (one launched here) has exited with status 0. */
    boolean exitedNormally() {
        Process p = process;
        return p != null && !p.isAlive() && p.exitValue() == 0;
    }

    /**
     * The process ended. A worker's first start is the constructor's business (it waits for the hello and
     * reports the failure); any later exit is a death, also when a restarted process dies before it is
     * ready: nobody waits for that process's hello, and its actors would otherwise stay "being restarted".
     */
    private void exited(Process p) {
        if (p != process) {
            return;
        }
        boolean wasReady = ready;
        alive = false;
        ready = false;
        if (stopping) {
            return;
        }
        if (!everReady) {
            hello.completeExceptionally(new IllegalStateException("exit code " + p.exitValue()));
            return;
        }
        if (!wasReady) {
            failedStarts++;
            hello.completeExceptionally(new IllegalStateException("exit code " + p.exitValue()));
        }
        LOG.error("Worker process {} (pid {}) exited with code {}{}{}", endpoint, p.pid(), p.exitValue(),
                wasReady ? "" : " before it was ready (restart " + restarts + ")", tailOfLog());
        system.onWorkerDied(this, p.exitValue());
    }

    /**
     * Restarted processes of this worker that died in a row before they were ready (reset when one is): at
     * {@link #MAX_FAILED_STARTS} the worker is not restarted again.
     */
    int failedStarts() {
        return failedStarts;
    }

    /**
     * Starts a fresh JVM for this worker; its actors are re-created when it says hello. Returns false, and starts
     * nothing, once the worker was told to shut down (the system is closing): a process started after the close
     * waited for this worker's exit would outlive it.
     */
    boolean relaunch() {
        shutdownGate.readLock().lock();
        try {
            if (stopping) {
                return false;
            }
            ready = false;
            restarts++;
            hello = new CompletableFuture<>();
            sent = new AtomicLong();
            launch();
            return true;
        } finally {
            shutdownGate.readLock().unlock();
        }
    }

    private String tailOfLog() {
        try {
            List<String> lines = Files.readAllLines(log);
            int from = Math.max(0, lines.size() - 20);
            if (lines.isEmpty()) {
                return "";
            }
            return "; last lines of its log:\n  " + lines.subList(from, lines.size()).stream().collect(Collectors.joining("\n  "));
        } catch (IOException e) {
            return "";
        }
    }

    /** Relays the warnings and errors a worker logged (its log is about to be deleted). */
    void relayProblems() {
        try {
            if (!Files.exists(log)) {
                return;
            }
            List<String> lines = Files.readAllLines(log);
            List<String> problems = new ArrayList<>();
            boolean inTrace = false;
            for (String line : lines) {
                boolean problem = line.contains(" WARN ") || line.contains(" ERROR ") || line.startsWith("Exception")
                        || line.contains("Exception in thread");
                boolean trace = inTrace && (line.startsWith("\t") || line.startsWith("Caused by")
                        || line.matches("^[\\w.$]+(Exception|Error)(: .*)?$"));
                if (problem || trace) {
                    problems.add(line);
                    inTrace = true;
                } else {
                    inTrace = false;
                }
                if (problems.size() >= 60) {
                    break;
                }
            }
            if (!problems.isEmpty()) {
                LOG.warn("Worker process {} logged problems:\n  {}", endpoint, String.join("\n  ", problems));
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not read {}", log);
        }
    }

    void deleteLog() {
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            LOG.debug("could not delete {}", log);
        }
    }
}
