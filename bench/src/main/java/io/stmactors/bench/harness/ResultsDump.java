package io.stmactors.bench.harness;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.openjdk.jmh.annotations.Mode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A suite run read back from the JSON dump {@link JsonDump} wrote ({@code bench/results/SUITE-DATE.json}), so that
 * its chart can be drawn again ({@code Report --chart-from}) without measuring again. The dump keeps the rows'
 * ids, classes, threads and parameters but not their JMH mode: a row is taken as sample-time when its runs carry
 * latency percentiles, as average-time when their unit is a time per operation, else as throughput.
 *
 * @param suite   the suite as the dump describes it (no titles, scalings or targets)
 * @param results every run of the dump
 * @param ran     the ids of the rows that ran (a partial run names fewer than the suite's rows)
 * @param date    when it was measured, as the report states it
 * @param machine cores, CPU, JDK and commit, one line
 */
public record ResultsDump(Suite suite, Results results, Set<String> ran, String date, String machine) {

    /**
     * Reads {@code file}.
     *
     * @throws IOException if it cannot be read or is not a dump of this harness (the message says what is missing)
     */
    public static ResultsDump read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no such file: " + file);
        }
        JsonObject root;
        try {
            JsonElement parsed = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!parsed.isJsonObject()) {
                throw new IOException(file + " is not a benchmark results dump: not a JSON object");
            }
            root = parsed.getAsJsonObject();
            return from(root, file);
        } catch (JsonParseException | IllegalStateException | IllegalArgumentException | UnsupportedOperationException
                 | NullPointerException | ClassCastException e) { // a missing field or one of another type
            // (IllegalArgumentException: a number that is not one, or a suite the Suite record refuses)
            throw new IOException(file + " is not a benchmark results dump of this harness: " + e.getMessage(), e);
        }
    }

    private static ResultsDump from(JsonObject root, Path file) throws IOException {
        for (String key : List.of("suite", "date", "machine", "contenders", "rows", "runs")) {
            if (!root.has(key) || root.get(key).isJsonNull()) {
                throw new IOException(file + " is not a benchmark results dump of this harness: no \"" + key + "\"");
            }
        }
        Results results = new Results();
        Set<String> ran = new TreeSet<>();
        Map<String, Mode> modes = new HashMap<>();
        for (JsonElement e : root.getAsJsonArray("runs")) {
            JsonObject run = e.getAsJsonObject();
            Map<String, Double> secondary = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> s : run.getAsJsonObject("secondary").entrySet()) {
                secondary.put(s.getKey(), number(s.getValue()));
            }
            JsonArray its = run.getAsJsonArray("iterations");
            double[] iterations = new double[its.size()];
            for (int i = 0; i < iterations.length; i++) {
                iterations[i] = number(its.get(i));
            }
            String rowId = run.get("row").getAsString();
            String unit = run.get("unit").getAsString();
            JsonElement failure = run.get("failure");
            results.add(new Measurement(rowId, run.get("contender").getAsString(), run.get("round").getAsInt(),
                    run.get("threads").getAsInt(), number(run.get("score")), number(run.get("error")), unit,
                    iterations, secondary, number(run.get("seconds")),
                    failure == null || failure.isJsonNull() ? null : failure.getAsString()));
            ran.add(rowId);
            Mode mode = secondary.containsKey(Measurement.LATENCY_PREFIX + "P50") ? Mode.SampleTime
                    : unit.endsWith("/op") ? Mode.AverageTime : Mode.Throughput;
            modes.merge(rowId, mode, (a, b) -> a == Mode.Throughput ? b : a);
        }
        List<Contender> contenders = new ArrayList<>();
        for (JsonElement e : root.getAsJsonArray("contenders")) {
            JsonObject c = e.getAsJsonObject();
            contenders.add(new Contender(c.get("method").getAsString(), c.get("label").getAsString(),
                    c.get("ours").getAsBoolean()));
        }
        List<Row> rows = new ArrayList<>();
        for (JsonElement e : root.getAsJsonArray("rows")) {
            JsonObject r = e.getAsJsonObject();
            Map<String, String> params = new LinkedHashMap<>();
            if (r.has("params")) { // the dumps before 2026-11-22 04:00 UTC have none
                for (Map.Entry<String, JsonElement> p : r.getAsJsonObject("params").entrySet()) {
                    params.put(p.getKey(), p.getValue().getAsString());
                }
            }
            String id = r.get("id").getAsString();
            rows.add(new Row(id, id, r.get("class").getAsString(), r.get("threads").getAsInt(), List.of(), params,
                    modes.getOrDefault(id, Mode.Throughput)));
        }
        String name = root.get("suite").getAsString();
        Suite suite = new Suite(name, name, "", contenders, rows, List.of(), List.of(), List.of(), List.of());
        JsonObject m = root.getAsJsonObject("machine");
        String machine = caption(m.get("cores").getAsInt(), m.get("cpu").getAsString(), m.get("jdk").getAsString(),
                m.get("commit").getAsString());
        return new ResultsDump(suite, results, Set.copyOf(ran), root.get("date").getAsString(), machine);
    }

    /**
     * The machine in a few words for a chart: {@code 2 cores, AMD EPYC, JDK 17.0.15+6-Debian-1deb12u1, commit
     * 8da5fc88a54b} (of the JDK description {@link MachineInfo} gives, only its version, the part after the last
     * comma).
     */
    public static String caption(int cores, String cpu, String jdk, String commit) {
        return cores + " cores, " + cpu + ", JDK " + jdk.substring(jdk.lastIndexOf(',') + 1).strip() + ", commit "
                + commit;
    }

    /** A number of the dump; {@link JsonDump} writes NaN and infinities as null. */
    private static double number(JsonElement e) {
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }
}
