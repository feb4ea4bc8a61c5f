package io.stmactors.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The raw measurements of one suite run as JSON ({@code bench/results/SUITE-DATE.json}): every
 * run with its per-iteration scores and secondary counters, plus the machine and settings, so
 * anybody can recompute the report's figures another way, and {@link ResultsDump} reads it back (to draw its chart
 * again). Written by hand, as it always was; read with Gson.
 */
public final class JsonDump {
    private JsonDump() {
    }

    /** Writes {@code results} of the run described by {@code ctx} to {@code file}. */
    public static void write(Path file, MarkdownReport.Context ctx, Results results) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, toJson(ctx, results), StandardCharsets.UTF_8);
    }

    static String toJson(MarkdownReport.Context ctx, Results results) {
        StringBuilder j = new StringBuilder("{\n");
        Suite s = ctx.suite();
        MachineInfo m = ctx.machine();
        RunConfig c = ctx.config();
        field(j, 1, "suite", str(s.name()));
        field(j, 1, "date", str(ctx.date()));
        field(j, 1, "command", str(ctx.command()));
        j.append("  \"machine\": {");
        j.append("\"cores\": ").append(m.cores()).append(", \"cpu\": ").append(str(m.cpuModel()))
                .append(", \"memory\": ").append(str(m.memory())).append(", \"os\": ").append(str(m.os()))
                .append(", \"jdk\": ").append(str(m.jdk())).append(", \"commit\": ").append(str(m.commit()))
                .append(", \"loadAtStart\": ").append(str(m.loadAverage()))
                .append(", \"loadAtEnd\": ").append(str(ctx.loadAtEnd())).append("},\n");
        j.append("  \"config\": {");
        j.append("\"rounds\": ").append(c.rounds()).append(", \"forks\": ").append(c.forks())
                .append(", \"warmupIterations\": ").append(c.warmupIterations())
                .append(", \"warmupMillis\": ").append(c.warmupMillis())
                .append(", \"measureIterations\": ").append(c.measureIterations())
                .append(", \"measureMillis\": ").append(c.measureMillis())
                .append(", \"quick\": ").append(c.quick())
                .append(", \"rows\": ").append(c.rowFilter() == null ? "null" : str(c.rowFilter().pattern()))
                .append("},\n");
        j.append("  \"contenders\": [");
        j.append(String.join(", ", s.contenders().stream().map(x -> "{\"method\": " + str(x.method())
                + ", \"label\": " + str(x.label()) + ", \"ours\": " + x.ours() + "}").toList()));
        j.append("],\n  \"rows\": [");
        j.append(String.join(", ", s.rows().stream().map(r -> "{\"id\": " + str(r.id()) + ", \"class\": "
                + str(r.benchmarkClass()) + ", \"threads\": " + r.threads() + ", \"params\": {"
                + String.join(", ", r.params().entrySet().stream().map(e -> str(e.getKey()) + ": " + str(e.getValue()))
                        .toList()) + "}}").toList()));
        j.append("],\n  \"runs\": [\n");
        List<Measurement> all = results.all();
        for (int i = 0; i < all.size(); i++) {
            j.append("    ").append(run(all.get(i))).append(i + 1 < all.size() ? ",\n" : "\n");
        }
        j.append("  ]\n}\n");
        return j.toString();
    }

    private static String run(Measurement m) {
        StringBuilder j = new StringBuilder("{");
        j.append("\"row\": ").append(str(m.rowId())).append(", \"contender\": ").append(str(m.contender()))
                .append(", \"round\": ").append(m.round()).append(", \"threads\": ").append(m.threads())
                .append(", \"score\": ").append(num(m.score())).append(", \"error\": ").append(num(m.error()))
                .append(", \"unit\": ").append(str(m.unit())).append(", \"iterations\": [");
        for (int i = 0; i < m.iterationScores().length; i++) {
            j.append(i > 0 ? ", " : "").append(num(m.iterationScores()[i]));
        }
        j.append("], \"secondary\": {");
        int i = 0;
        for (Map.Entry<String, Double> e : m.secondary().entrySet()) {
            j.append(i++ > 0 ? ", " : "").append(str(e.getKey())).append(": ").append(num(e.getValue()));
        }
        j.append("}, \"seconds\": ").append(num(m.seconds()))
                .append(", \"failure\": ").append(m.failure() == null ? "null" : str(m.failure())).append('}');
        return j.toString();
    }

    private static void field(StringBuilder j, int indent, String name, String value) {
        j.append("  ".repeat(indent)).append(str(name)).append(": ").append(value).append(",\n");
    }

    static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : Double.toString(v);
    }

    static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
