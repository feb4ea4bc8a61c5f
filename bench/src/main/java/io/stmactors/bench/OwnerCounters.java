package io.stmactors.bench;

import io.stmactors.actors.ActorSystem;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The heap owner of an {@code ISOLATED_PROCESSES} system during each JMH iteration: how many shared
 * references it holds at the end of the iteration ({@code ownerRefsGauge}) and how many it took on
 * during the iteration ({@code ownerRefsAddedGauge}); both are gauges, the report keeps their highest
 * value over the iterations of a run.
 * Read from the public diagnostics report ({@link IsoSystems#ownerReferences}); add this state to
 * the isolated contender's benchmark method only (the shared mode has no owner).
 *
 * <p>The system is the one the benchmark's trial set-up created through {@link IsoSystems#create}
 * (one JMH run, one system). Only the benchmark thread with index 0 records.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class OwnerCounters {
    /** Shared references the owner holds at the end of the iteration. */
    public long ownerRefsGauge;
    /** Shared references the owner took on during the iteration. */
    public long ownerRefsAddedGauge;

    private static volatile ActorSystem observed;

    private ActorSystem system;
    private long atStart;

    /** Makes {@code system} the one this state reports on (from a trial set-up). */
    static void observe(ActorSystem system) {
        observed = system;
    }

    @Setup(Level.Iteration)
    public void begin(ThreadParams thread) {
        ownerRefsGauge = 0;
        ownerRefsAddedGauge = 0;
        system = thread.getThreadIndex() == 0 ? observed : null;
        if (system != null) {
            atStart = IsoSystems.ownerReferences(system);
        }
    }

    @TearDown(Level.Iteration)
    public void end() {
        if (system != null) {
            long now = IsoSystems.ownerReferences(system);
            ownerRefsGauge = now;
            ownerRefsAddedGauge = now - atStart;
        }
    }
}
