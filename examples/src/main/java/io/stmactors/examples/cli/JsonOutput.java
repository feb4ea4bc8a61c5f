package io.stmactors.examples.cli;

import io.stmactors.examples.DemoResult;
import io.stmactors.examples.DemoRow;
import io.stmactors.examples.ScalingDemo;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders results as JSON (one object; numbers that are unknown, such as the speedup of an
 * unavailable row, are {@code null}). Hand-written to keep the command line free of a JSON library.
 */
final class JsonOutput {
    private JsonOutput() {
    }

    static String render(DemoResult result, String unit, RunInfo info, boolean withSummary) {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("{\n");
        field(sb, 1, "demo", result.demo()).append(",\n");
        field(sb, 1, "unit", unit).append(",\n");
        sb.append("  \"correct\": ").append(result.correct()).append(",\n");
        sb.append("  \"machine\": {");
        sb.append("\"cores\": ").append(info.cores()).append(", ");
        sb.append("\"jdk\": ").append(string(info.jdk())).append(", ");
        sb.append("\"os\": ").append(string(info.os())).append(", ");
        sb.append("\"loadAverage\": ").append(number(info.loadAverage() < 0 ? Double.NaN : info.loadAverage())).append("},\n");
        field(sb, 1, "date", info.date()).append(",\n");
        field(sb, 1, "command", info.command()).append(",\n");
        sb.append("  \"rows\": [");
        List<DemoRow> rows = result.rows();
        for (int i = 0; i < rows.size(); i++) {
            sb.append(i == 0 ? "\n" : ",\n").append("    ").append(row(rows.get(i)));
        }
        sb.append(rows.isEmpty() ? "]" : "\n  ]");
        if (withSummary) {
            sb.append(",\n  \"summary\": [");
            List<ScalingDemo.Summary> lines = ScalingDemo.summarize(result);
            for (int i = 0; i < lines.size(); i++) {
                sb.append(i == 0 ? "\n" : ",\n").append("    ").append(summary(lines.get(i)));
            }
            sb.append(lines.isEmpty() ? "]" : "\n  ]");
        }
        sb.append(",\n");
        field(sb, 1, "report", result.report()).append('\n');
        sb.append("}\n");
        return sb.toString();
    }

    private static String row(DemoRow r) {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"demo\": ").append(string(r.demo()));
        sb.append(", \"variant\": ").append(string(r.variant()));
        sb.append(", \"mode\": ").append(string(r.mode().cliName()));
        sb.append(", \"available\": ").append(r.available());
        if (r.available()) {
            sb.append(", \"workers\": ").append(r.workers());
            sb.append(", \"items\": ").append(r.items());
            sb.append(", \"seconds\": ").append(number(r.seconds()));
            sb.append(", \"throughput\": ").append(number(r.throughput()));
            sb.append(", \"speedup\": ").append(number(r.speedup()));
            sb.append(", \"commits\": ").append(r.commits());
            sb.append(", \"aborts\": ").append(r.aborts());
            sb.append(", \"abortRate\": ").append(number(r.abortRate()));
            sb.append(", \"correct\": ").append(r.correct());
        } else {
            sb.append(", \"correct\": null");
        }
        sb.append(", \"note\": ").append(string(r.note()));
        sb.append(", \"extras\": ").append(map(r.extras()));
        return sb.append('}').toString();
    }

    private static String summary(ScalingDemo.Summary s) {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"demo\": ").append(string(s.series()));
        sb.append(", \"mode\": ").append(string(s.mode().cliName()));
        sb.append(", \"available\": ").append(s.available());
        StringBuilder t = new StringBuilder("{");
        for (Map.Entry<Integer, Double> e : s.throughputByWorkers().entrySet()) {
            t.append(t.length() == 1 ? "" : ", ").append(string(e.getKey().toString())).append(": ").append(number(e.getValue()));
        }
        sb.append(", \"throughputByWorkers\": ").append(t.append('}'));
        sb.append(", \"speedup\": ").append(number(s.speedup()));
        sb.append(", \"commits\": ").append(s.commits());
        sb.append(", \"aborts\": ").append(s.aborts());
        sb.append(", \"abortRate\": ").append(number(s.abortRate()));
        sb.append(", \"correct\": ").append(s.available() ? Boolean.toString(s.correct()) : "null");
        sb.append(", \"note\": ").append(string(s.note()));
        return sb.append('}').toString();
    }

    private static String map(Map<String, Object> values) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, Object> e : values.entrySet()) {
            sb.append(sb.length() == 1 ? "" : ", ").append(string(e.getKey())).append(": ");
            Object v = e.getValue();
            sb.append(v instanceof Number n ? number(n.doubleValue()) : string(String.valueOf(v)));
        }
        return sb.append('}').toString();
    }

    private static StringBuilder field(StringBuilder sb, int indent, String name, String value) {
        return sb.append("  ".repeat(indent)).append(string(name)).append(": ").append(string(value));
    }

    static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "null";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return java.math.BigDecimal.valueOf(d).round(new java.math.MathContext(8)).stripTrailingZeros().toPlainString();
    }

    static String string(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
