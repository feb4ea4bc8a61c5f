package io.stmactors.bench.harness;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One row of a suite's results: one JMH benchmark class run with a fixed number of threads, every
 * contender side by side.
 *
 * @param id             short stable name, used by scaling pairs, targets and {@code --rows}
 * @param title          what the row measures, in words
 * @param benchmarkClass fully qualified name of the JMH class holding one method per contender
 * @param threads        JMH threads ({@code -t}); throughput is the total over all threads
 * @param contenders     methods to run in this row; empty means every contender of the suite
 */
public record Row(String id, String title, String benchmarkClass, int threads, List<String> contenders) {

    public Row {
        contenders = List.copyOf(contenders);
    }

    /** A row that runs every contender of its suite. */
    public Row(String id, String title, Class<?> benchmarkClass, int threads) {
        this(id, title, benchmarkClass.getName(), threads, List.of());
    }

    /** Whether {@code c} runs in this row. */
    public boolean runs(Contender c) {
        return contenders.isEmpty() || contenders.contains(c.method());
    }

    /** The JMH include pattern that selects exactly {@code c}'s method of this row's class. */
    public String include(Contender c) {
        return "^" + Pattern.quote(benchmarkClass + "." + c.method()) + "$";
    }
}
