package io.stmactors.bench.harness;

import org.openjdk.jmh.annotations.Mode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Renders one suite run as a markdown section of {@code bench/RESULTS.md}: when, where and how it
 * was measured, one table per row (score, JMH error, spread over rounds, ratio of ours to each
 * contender, abort rates), the ratio matrix, scaling, and one line per target.
 *
 * <p>Secondary results it understands (JMH aux counters, summed over iterations and rounds):
 * {@code stmCommits}/{@code stmAborts} (our STM's diagnostics), {@code actorCommits}/{@code actorAborts}
 * (an actor system's handler transactions, from {@code ActorSystem.diagnostics()}) and
 * {@code bodyRuns}/{@code completed} (times a transaction body ran against transactions completed,
 * for any contender).
 */
public final class MarkdownReport {

    /**
     * Everything the section states besides the measurements.
     *
     * @param chartLink where the run's {@link RatioChart} lies, relative to the markdown file; null when none
     */
    public record Context(Suite suite, RunConfig config, MachineInfo machine, String loadAtEnd, String date,
                          String command, String jsonFile, String chartLink) {

        /** A context without a chart. */
        public Context(Suite suite, RunConfig config, MachineInfo machine, String loadAtEnd, String date,
                       String command, String jsonFile) {
            this(suite, config, machine, loadAtEnd, date, command, jsonFile, null);
        }
    }

    /** The section's line that shows the chart at {@code link} (relative to the markdown file). */
    public static String chartLine(String link) {
        return "- **Chart** (how many times faster ours ran than each peer, log scale; times and latencies turned "
                + "around, so above 1× is faster on every row): ![ours against each peer](" + link + ")";
    }

    /** The section's line naming its raw results. */
    public static String rawResultsLine(String jsonFile) {
        return "- **Raw results**: `" + jsonFile + "`";
    }

    private MarkdownReport() {
    }

    /** The section body (without the markers that {@link ResultsFile} adds). */
    public static String render(Context ctx, Results results) {
        Suite suite = ctx.suite();
        StringBuilder md = new StringBuilder();
        md.append("## Suite `").append(suite.name()).append("` — ").append(suite.title()).append("\n\n");
        if (ctx.config().quick()) {
            md.append("> **Smoke run (`--quick`)**: iterations far too short to quote; this only shows that every "
                    + "benchmark runs. Measure with the full command on a quiet machine.\n\n");
        }
        List<Row> skipped = suite.rows().stream().filter(r -> !ctx.config().selects(r)).toList();
        if (!skipped.isEmpty()) {
            md.append("> **Partial run** (`--rows ").append(ctx.config().rowFilter()).append("`): rows not run: ")
                    .append(String.join(", ", skipped.stream().map(Row::id).toList())).append(".\n\n");
        }
        MachineInfo m = ctx.machine();
        // the load at the end includes this run's own benchmark threads: only what exceeds them is somebody else's
        double atEnd = firstLoad(ctx.loadAtEnd());
        double others = Math.max(firstLoad(m.loadAverage()), atEnd - ownThreadsAtEnd(results));
        if (others > 0.5 * m.cores()) {
            md.append(String.format(Locale.ROOT, "> **Busy machine**: 1-minute load average reached %.2f on %d cores "
                    + "during this run (other processes competed for the CPUs); treat the numbers as rough and "
                    + "rerun on a quiet machine.%n%n", Math.max(firstLoad(m.loadAverage()), atEnd), m.cores()));
        }
        md.append(suite.description()).append("\n\n");
        md.append("- **Date**: ").append(ctx.date()).append('\n');
        md.append("- **Machine**: ").append(m.cores()).append(" cores, ").append(m.cpuModel()).append(", ")
                .append(m.memory()).append(" RAM, ").append(m.os()).append('\n');
        md.append("- **Load average** (1/5/15 min) at start: ").append(m.loadAverage()).append("; at end: ")
                .append(ctx.loadAtEnd()).append('\n');
        md.append("- **JDK**: ").append(m.jdk()).append('\n');
        md.append("- **Commit**: ").append(m.commit()).append('\n');
        md.append("- **Command**: `").append(ctx.command()).append("`\n");
        md.append("- **Settings**: ").append(ctx.config().describe())
                .append("; JMH throughput mode, ops/s summed over all threads (unless a row says otherwise); "
                        + "contenders interleaved "
                        + "(ours first in odd rounds, last in even rounds)\n");
        md.append(rawResultsLine(ctx.jsonFile())).append('\n');
        if (ctx.chartLink() != null) {
            md.append(chartLine(ctx.chartLink())).append('\n');
        }
        md.append('\n');
        md.append("Scores are medians over rounds; ± is JMH's 99.9% confidence half-width (median over rounds), "
                + "⚠ marks an error above ").append(Math.round(Format.WIDE_ERROR * 100))
                .append("% of the score (rerun). \"ours ÷ this\" is the median over rounds of the ratio taken "
                        + "inside each round: above 1.00× we are faster"
                        + (suite.rows().stream().anyMatch(Row::timed)
                        ? "; on rows measured as a time per operation or a latency it is a ratio of times, so "
                        + "there below 1.00× we are faster" : "")
                        + ".\n\n");

        for (Row row : suite.rows()) {
            if (ctx.config().selects(row)) {
                rowTable(md, suite, row, results);
            }
        }
        ratioMatrix(md, suite, ctx.config(), results);
        scaling(md, suite, ctx.config(), results);
        targets(md, suite, results);
        failures(md, results);
        if (!suite.notes().isEmpty()) {
            md.append("### Notes\n\n");
            suite.notes().forEach(n -> md.append("- ").append(n).append('\n'));
            md.append('\n');
        }
        return md.toString();
    }

    /**
     * The JMH threads this run kept busy during the last minute before it ended (what its own runs
     * add to the 1-minute load average at the end): the most threads of a run in that minute.
     */
    private static double ownThreadsAtEnd(Results results) {
        List<Measurement> all = results.all();
        double seconds = 0;
        int threads = 0;
        for (int i = all.size() - 1; i >= 0 && seconds < 60; i--) {
            threads = Math.max(threads, all.get(i).threads());
            seconds += all.get(i).seconds();
        }
        return threads;
    }

    /** The 1-minute figure of a "1 / 5 / 15" load string, 0 when unknown. */
    private static double firstLoad(String loadAverage) {
        try {
            return Double.parseDouble(loadAverage.split(" ")[0]);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static void rowTable(StringBuilder md, Suite suite, Row row, Results r) {
        String simpleClass = row.benchmarkClass().substring(row.benchmarkClass().lastIndexOf('.') + 1);
        md.append("### ").append(row.id()).append(" — ").append(row.title()).append("\n\n");
        md.append("`").append(simpleClass).append("`, ").append(row.threads())
                .append(row.threads() == 1 ? " thread" : " threads");
        if (!row.params().isEmpty()) {
            md.append(", `").append(row.describeParams()).append('`');
        }
        md.append(switch (row.mode()) {
            case SingleShotTime -> ", JMH single-shot mode: one timed call per iteration, shown as operations "
                    + "per second of that call";
            case AverageTime -> ", JMH average-time mode: time per operation, lower is faster";
            case SampleTime -> ", JMH sample-time mode: every call timed; latency percentiles over all samples of "
                    + "the run (median over rounds), lower is faster";
            default -> "";
        });
        md.append("\n\n");
        if (row.mode() == Mode.SampleTime) {
            latencyTable(md, suite, row, r);
            return;
        }
        List<String> gauges = gauges(suite, row, r);
        md.append("| contender | ").append(row.timed() ? "time/op" : "ops/s")
                .append(" | ± error | min – max | ours ÷ this | aborts / attempts |");
        gauges.forEach(g -> md.append(' ').append(Format.label(g)).append(" |"));
        md.append("\n|---|---:|---:|---:|---:|---|");
        gauges.forEach(g -> md.append("---:|"));
        md.append('\n');
        Contender ours = suite.ours();
        for (Contender c : suite.contenders()) {
            if (!row.runs(c)) {
                continue;
            }
            String name = c.ours() ? "**" + c.label() + "**" : c.label();
            OptionalDouble score = r.medianScore(row.id(), c.method());
            if (score.isEmpty()) {
                md.append("| ").append(name).append(" | not measured | | | | |").append(" |".repeat(gauges.size()))
                        .append('\n');
                continue;
            }
            String unit = row.timed() ? r.of(row.id(), c.method()).get(0).unit() : null;
            double[] range = r.range(row.id(), c.method()).orElseThrow();
            md.append("| ").append(name)
                    .append(" | ").append(value(score.getAsDouble(), unit))
                    .append(" | ").append(Format.error(score.getAsDouble(),
                            r.medianError(row.id(), c.method()).orElse(Double.NaN), unit))
                    .append(" | ").append(value(range[0], unit)).append(" – ").append(value(range[1], unit))
                    .append(" | ").append(ratioCell(suite, row, r, c, null))
                    .append(" | ").append(aborts(r, row, c))
                    .append(" |");
            for (String g : gauges) {
                md.append(' ').append(Format.count(r.medianSecondary(row.id(), c.method(), g).orElse(Double.NaN)))
                        .append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
    }

    private static String value(double v, String timeUnit) {
        return timeUnit == null ? Format.ops(v) : Format.time(v, timeUnit);
    }

    /** Ours ÷ {@code c} in {@code row}: of the scores, or of secondary {@code key}; "—" for ours or when ours did not run. */
    private static String ratioCell(Suite suite, Row row, Results r, Contender c, String key) {
        Contender ours = suite.ours();
        if (c.ours() || !row.runs(ours)) {
            return "—";
        }
        OptionalDouble ratio = key == null ? r.medianRatio(row.id(), ours.method(), c.method())
                : r.medianSecondaryRatio(row.id(), ours.method(), c.method(), key);
        return Format.ratio(ratio.orElse(Double.NaN));
    }

    /** The gauges (secondary results named {@code …Gauge}) any contender of {@code row} reported. */
    private static List<String> gauges(Suite suite, Row row, Results r) {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (Contender c : suite.contenders()) {
            for (Measurement m : r.of(row.id(), c.method())) {
                m.secondary().keySet().stream().filter(Measurement::isGauge).forEach(names::add);
            }
        }
        return List.copyOf(names);
    }

    private static final List<String> LATENCY_COLUMNS = List.of("P50", "P90", "P99", "P99.9", "Max");

    private static void latencyTable(StringBuilder md, Suite suite, Row row, Results r) {
        md.append("| contender | p50 | p90 | p99 | p99.9 | max | mean | samples | ours ÷ this (p50) | ours ÷ this (p99) "
                + "| aborts / attempts |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Contender c : suite.contenders()) {
            if (!row.runs(c)) {
                continue;
            }
            String name = c.ours() ? "**" + c.label() + "**" : c.label();
            List<Measurement> runs = r.of(row.id(), c.method());
            if (runs.isEmpty()) {
                md.append("| ").append(name).append(" | not measured | | | | | | | | | |\n");
                continue;
            }
            String unit = runs.get(0).unit();
            md.append("| ").append(name);
            for (String col : LATENCY_COLUMNS) {
                md.append(" | ").append(Format.time(r.medianSecondary(row.id(), c.method(),
                        Measurement.LATENCY_PREFIX + col).orElse(Double.NaN), unit));
            }
            md.append(" | ").append(Format.time(r.medianScore(row.id(), c.method()).orElse(Double.NaN), unit))
                    .append(" | ").append(Format.count(r.medianSecondary(row.id(), c.method(),
                            Measurement.LATENCY_PREFIX + "Samples").orElse(Double.NaN)))
                    .append(" | ").append(ratioCell(suite, row, r, c, Measurement.LATENCY_PREFIX + "P50"))
                    .append(" | ").append(ratioCell(suite, row, r, c, Measurement.LATENCY_PREFIX + "P99"))
                    .append(" | ").append(aborts(r, row, c)).append(" |\n");
        }
        md.append('\n');
    }

    private static String aborts(Results r, Row row, Contender c) {
        List<String> parts = new ArrayList<>();
        OptionalDouble commits = r.secondaryTotal(row.id(), c.method(), "stmCommits");
        OptionalDouble aborts = r.secondaryTotal(row.id(), c.method(), "stmAborts");
        if (commits.isPresent() && aborts.isPresent()) {
            double attempts = commits.getAsDouble() + aborts.getAsDouble();
            parts.add(Format.percent(aborts.getAsDouble(), attempts) + " (" + Format.count(aborts.getAsDouble())
                    + " of " + Format.count(attempts) + ", STM diagnostics)");
        }
        OptionalDouble handlerCommits = r.secondaryTotal(row.id(), c.method(), "actorCommits");
        OptionalDouble handlerAborts = r.secondaryTotal(row.id(), c.method(), "actorAborts");
        if (handlerCommits.isPresent() && handlerAborts.isPresent()) {
            double attempts = handlerCommits.getAsDouble() + handlerAborts.getAsDouble();
            parts.add(Format.percent(handlerAborts.getAsDouble(), attempts) + " ("
                    + Format.count(handlerAborts.getAsDouble()) + " of " + Format.count(attempts)
                    + " handler runs, actor system diagnostics)");
        }
        OptionalDouble runs = r.secondaryTotal(row.id(), c.method(), "bodyRuns");
        OptionalDouble done = r.secondaryTotal(row.id(), c.method(), "completed");
        if (runs.isPresent() && done.isPresent()) {
            parts.add(Format.percent(runs.getAsDouble() - done.getAsDouble(), runs.getAsDouble())
                    + " of body runs wasted");
        }
        return parts.isEmpty() ? "—" : String.join("; ", parts);
    }

    private static void ratioMatrix(StringBuilder md, Suite suite, RunConfig cfg, Results r) {
        List<Contender> peers = suite.contenders().stream().filter(c -> !c.ours()).toList();
        md.append("### Ours ÷ each contender (median of per-round ratios)\n\n| row |");
        peers.forEach(p -> md.append(' ').append(p.label()).append(" |"));
        md.append("\n|---|");
        peers.forEach(p -> md.append("---:|"));
        md.append('\n');
        for (Row row : suite.rows()) {
            if (!cfg.selects(row)) {
                continue;
            }
            md.append("| ").append(row.id()).append(row.mode() == Mode.SampleTime ? " (p50 latency)"
                    : row.timed() ? " (time/op)" : "").append(" |");
            for (Contender p : peers) {
                md.append(' ').append(row.runs(p) ? ratioCell(suite, row, r, p,
                        row.mode() == Mode.SampleTime ? Measurement.LATENCY_PREFIX + "P50" : null) : "—").append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
    }

    private static void scaling(StringBuilder md, Suite suite, RunConfig cfg, Results r) {
        for (Scaling s : suite.scalings()) {
            boolean few = suite.row(s.fewRowId()).map(cfg::selects).orElse(false);
            boolean many = suite.row(s.manyRowId()).map(cfg::selects).orElse(false);
            if (!few || !many) {
                continue;
            }
            md.append("### Scaling: ").append(s.title()).append("\n\n");
            md.append("throughput(`").append(s.manyRowId()).append("`) ÷ throughput(`").append(s.fewRowId())
                    .append("`), each ratio inside one round, median over rounds.\n\n");
            md.append("| contender | ").append(s.fewRowId()).append(" | ").append(s.manyRowId())
                    .append(" | scaling |\n|---|---:|---:|---:|\n");
            for (Contender c : suite.contenders()) {
                String name = c.ours() ? "**" + c.label() + "**" : c.label();
                md.append("| ").append(name)
                        .append(" | ").append(Format.ops(r.medianScore(s.fewRowId(), c.method()).orElse(Double.NaN)))
                        .append(" | ").append(Format.ops(r.medianScore(s.manyRowId(), c.method()).orElse(Double.NaN)))
                        .append(" | ").append(Format.ratio(r.medianScaling(s, c.method()).orElse(Double.NaN)))
                        .append(" |\n");
            }
            md.append('\n');
        }
    }

    private static void targets(StringBuilder md, Suite suite, Results r) {
        if (suite.targets().isEmpty()) {
            return;
        }
        md.append("### Targets\n\n");
        for (Target t : suite.targets()) {
            Target.Verdict v = t.evaluate(suite, r);
            String status = switch (v.status()) {
                case MET -> "**met**";
                case NOT_MET -> "**NOT met**";
                case NOT_MEASURED -> "**not measured**";
            };
            md.append(String.format(Locale.ROOT, "- %s — %s (%s)%n", status, t.text(), v.detail()));
        }
        md.append('\n');
    }

    private static void failures(StringBuilder md, Results r) {
        List<Measurement> failed = r.all().stream().filter(m -> !m.ok()).toList();
        if (failed.isEmpty()) {
            return;
        }
        md.append("### Failed runs\n\n");
        for (Measurement m : failed) {
            md.append("- round ").append(m.round()).append(", ").append(m.rowId()).append(", ")
                    .append(m.contender()).append(": ").append(m.failure().replace('\n', ' ')).append('\n');
        }
        md.append('\n');
    }
}
