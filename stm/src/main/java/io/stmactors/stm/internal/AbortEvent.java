package io.stmactors.stm.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A JFR event for every aborted transaction attempt, so that aborts show in JDK Mission Control
 * next to GC pauses and lock contention. Enable with {@code -XX:StartFlightRecording} (the event
 * is on in the default settings) or {@code jfr configure}.
 */
@Name("io.stmactors.TransactionAbort")
@Label("Transaction Abort")
@Category({"stm-actors", "STM"})
@Description("An attempt of a transaction was rolled back because of a conflict or a blocking retry.")
@StackTrace(false)
public final class AbortEvent extends jdk.jfr.Event {
    @Label("Transaction")
    @Description("Name of the transaction, else the class and line that started it")
    public String transaction;

    @Label("Reference")
    @Description("The transactional reference on which the conflict was detected")
    public String reference;

    @Label("Conflicting Transaction")
    @Description("The transaction that last committed that reference")
    public String conflictingWith;

    @Label("Reason")
    public String reason;

    @Label("Attempt")
    public int attempt;

    @Label("Time Lost")
    @Timespan(Timespan.NANOSECONDS)
    public long timeLost;

    @Label("Read Set Size")
    @DataAmount(DataAmount.BYTES)
    public int readSetSize;
}
