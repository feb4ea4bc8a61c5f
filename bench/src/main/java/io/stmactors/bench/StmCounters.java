package io.stmactors.bench;

import io.stmactors.stm.Stm;
import io.stmactors.stm.StmDiagnostics;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Our STM's commits and aborts during each JMH iteration, taken from the public
 * {@link Stm#diagnostics()} and reported by JMH as secondary results {@code stmCommits} and
 * {@code stmAborts} (so every throughput figure of ours comes with its abort rate).
 *
 * <p>The diagnostics are global to the heap, so only the benchmark thread with index 0 records
 * them; the other threads report zero and JMH's sum over threads stays right. Add this state as a
 * parameter of a benchmark method that runs our transactions; it costs nothing in the measured
 * loop (it is read only at iteration boundaries).
 *
 * <p>JMH reads these fields after {@link Level#Iteration} tear-downs ran, so the delta is complete
 * when it is collected. The window includes the short moments in which JMH lines the threads up at
 * the start and end of an iteration; the rate (aborts per attempt) is unaffected by that.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class StmCounters {
    /** Transactions our STM committed in this iteration (all threads). */
    public long stmCommits;
    /** Attempts our STM rolled back because of a conflict in this iteration (all threads). */
    public long stmAborts;

    private boolean recorder;
    private long commitsAtStart;
    private long abortsAtStart;

    @Setup(Level.Iteration)
    public void begin(ThreadParams thread) {
        recorder = thread.getThreadIndex() == 0;
        stmCommits = 0;
        stmAborts = 0;
        if (recorder) {
            StmDiagnostics d = Stm.diagnostics();
            commitsAtStart = d.commits();
            abortsAtStart = d.aborts();
        }
    }

    @TearDown(Level.Iteration)
    public void end() {
        if (recorder) {
            StmDiagnostics d = Stm.diagnostics();
            stmCommits = d.commits() - commitsAtStart;
            stmAborts = d.aborts() - abortsAtStart;
        }
    }
}
