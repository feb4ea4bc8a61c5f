package io.stmactors.bench;

import io.stmactors.actors.ActorSystem;
import io.stmactors.actors.ActorSystemDiagnostics;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * An stm-actors system's handler transactions during each JMH iteration, taken from the public
 * {@link ActorSystem#diagnostics()} and reported by JMH as secondary results {@code actorCommits},
 * {@code actorAborts} and {@code actorMessages}, so every throughput figure of an stm-actors
 * contender comes with its abort rate (and a count of messages handled to compare with the
 * benchmark's own count).
 *
 * <p>Which system: the one the benchmark's {@code @Setup(Level.Trial)} passed to
 * {@link #observe(ActorSystem)}. One JMH run is one benchmark method in one forked JVM, so there is
 * exactly one system to observe; JMH runs every trial-level set-up before the first iteration-level
 * one, so it is registered before {@link #begin} reads it. Add this state as a parameter of the
 * benchmark method; it costs nothing in the measured loop (read only at iteration boundaries).
 *
 * <p>The diagnostics are global to the system, so only the benchmark thread with index 0 records
 * them; other threads report zero and JMH's sum over threads stays right. The window includes the
 * moments in which JMH lines its threads up; the rate (aborts per handler run) is unaffected.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class ActorCounters {
    /** Handler transactions committed in this iteration. */
    public long actorCommits;
    /** Handler attempts rolled back by a conflict (and re-run) in this iteration. */
    public long actorAborts;
    /** Messages whose handler committed or failed in this iteration. */
    public long actorMessages;

    private static volatile ActorSystem observed;

    private ActorSystem system;
    private long commitsAtStart;
    private long abortsAtStart;
    private long messagesAtStart;

    /** Makes {@code system} the one whose counters this state reports (call from a trial set-up). */
    static void observe(ActorSystem system) {
        observed = system;
    }

    @Setup(Level.Iteration)
    public void begin(ThreadParams thread) {
        actorCommits = 0;
        actorAborts = 0;
        actorMessages = 0;
        system = thread.getThreadIndex() == 0 ? observed : null;
        if (system == null && thread.getThreadIndex() == 0) {
            throw new IllegalStateException("ActorCounters: no actor system was observed by the benchmark's set-up");
        }
        if (system != null) {
            ActorSystemDiagnostics d = system.diagnostics();
            commitsAtStart = d.commits();
            abortsAtStart = d.aborts();
            messagesAtStart = d.messagesProcessed();
        }
    }

    @TearDown(Level.Iteration)
    public void end() {
        if (system != null) {
            ActorSystemDiagnostics d = system.diagnostics();
            actorCommits = d.commits() - commitsAtStart;
            actorAborts = d.aborts() - abortsAtStart;
            actorMessages = d.messagesProcessed() - messagesAtStart;
        }
    }
}
