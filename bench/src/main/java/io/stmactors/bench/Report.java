package io.stmactors.bench;

import io.stmactors.bench.harness.JsonDump;
import io.stmactors.bench.harness.MachineInfo;
import io.stmactors.bench.harness.MarkdownReport;
import io.stmactors.bench.harness.RatioChart;
import io.stmactors.bench.harness.Results;
import io.stmactors.bench.harness.ResultsDump;
import io.stmactors.bench.harness.ResultsFile;
import io.stmactors.bench.harness.Row;
import io.stmactors.bench.harness.RunConfig;
import io.stmactors.bench.harness.Suite;
import io.stmactors.bench.harness.SuiteRunner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * The one command that measures a suite and rewrites its section of {@code bench/RESULTS.md},
 * plus a JSON dump of the raw runs in {@code bench/results/}.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.stmactors.bench.Report --suite stm [--quick] [options]
 * </pre>
 *
 * Usually started through {@code bench/run.sh}, which builds the jar first. Run {@code --help}
 * for the options. Exits 1 when a run failed (the report is still written, listing it), 2 on bad
 * arguments.
 */
public final class Report {
    private static final String USAGE = """
            usage: Report --suite NAME [options]
              --suite NAME        suite to run: %s
              --quick             smoke run: 1 round, 2×200 ms warm-up, 3×200 ms measurement
              --rounds N          interleaved rounds (full run: 5)
              --forks N           JMH forks per run (default 1)
              --warmup N          warm-up iterations (full run: 3)
              --warmup-ms MS      length of one warm-up iteration (full run: 1000)
              --iterations N      measurement iterations (full run: 5)
              --iteration-ms MS   length of one measurement iteration (full run: 1000)
              --rows REGEX        only rows whose id matches (the report marks the run partial)
              --out FILE          markdown file to update (default: bench/RESULTS.md in the repository)
              --json-dir DIR      where the raw JSON goes (default: bench/results in the repository)
              --verbose           show JMH's own output
              --list              list suites and their rows, run nothing
              --chart-from FILE   run nothing: draw the chart of the run dumped in FILE (a JSON file of
                                  bench/results) again, as FILE with .png, and show it in the suite's section
                                  of --out if that section is this run's
            """;

    private Report() {
    }

    public static void main(String[] args) throws Exception {
        try {
            System.exit(run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.printf(USAGE, String.join(", ", Suites.names()));
            System.exit(2);
        } catch (IOException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }

    static int run(String[] args) throws Exception {
        String suiteName = null;
        RunConfig cfg = RunConfig.full();
        Integer rounds = null;
        Integer forks = null;
        Integer warmup = null;
        Long warmupMs = null;
        Integer iterations = null;
        Long iterationMs = null;
        Pattern rows = null;
        boolean verbose = false;
        boolean list = false;
        Path chartFrom = null;
        Path root = repositoryRoot();
        Path out = root.resolve("bench/RESULTS.md");
        Path jsonDir = root.resolve("bench/results");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--suite" -> suiteName = value(args, ++i, a);
                case "--quick" -> cfg = RunConfig.smoke();
                case "--rounds" -> rounds = positive(value(args, ++i, a), a);
                case "--forks" -> forks = positive(value(args, ++i, a), a);
                case "--warmup" -> warmup = positive(value(args, ++i, a), a);
                case "--warmup-ms" -> warmupMs = (long) positive(value(args, ++i, a), a);
                case "--iterations" -> iterations = positive(value(args, ++i, a), a);
                case "--iteration-ms" -> iterationMs = (long) positive(value(args, ++i, a), a);
                case "--rows" -> rows = Pattern.compile(value(args, ++i, a));
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--json-dir" -> jsonDir = Path.of(value(args, ++i, a));
                case "--verbose" -> verbose = true;
                case "--list" -> list = true;
                case "--chart-from" -> chartFrom = Path.of(value(args, ++i, a));
                case "--help", "-h" -> {
                    System.out.printf(USAGE, String.join(", ", Suites.names()));
                    return 0;
                }
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (chartFrom != null) {
            return chartFrom(chartFrom, root, out);
        }
        if (list) {
            for (String name : Suites.names()) {
                Suite s = Suites.named(name);
                System.out.println(name + " — " + s.title());
                for (Row r : s.rows()) {
                    System.out.printf("  %-16s %d thread(s)  %s  (%s%s%s)%n", r.id(), r.threads(), r.title(),
                            r.benchmarkClass(), r.params().isEmpty() ? "" : ", " + r.describeParams(),
                            r.mode() == org.openjdk.jmh.annotations.Mode.Throughput ? "" : ", JMH mode " + r.mode());
                }
            }
            return 0;
        }
        if (suiteName == null) {
            throw new IllegalArgumentException("--suite is required");
        }
        Suite suite = Suites.named(suiteName);
        cfg = new RunConfig(rounds != null ? rounds : cfg.rounds(), forks != null ? forks : cfg.forks(),
                warmup != null ? warmup : cfg.warmupIterations(), warmupMs != null ? warmupMs : cfg.warmupMillis(),
                iterations != null ? iterations : cfg.measureIterations(),
                iterationMs != null ? iterationMs : cfg.measureMillis(), cfg.quick(), rows, verbose);

        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String command = System.getProperty("stmactors.bench.command",
                "java -cp bench/target/benchmarks.jar " + Report.class.getName() + " " + String.join(" ", args));
        MachineInfo machine = MachineInfo.detect();
        Path json = jsonDir.resolve(suite.name() + "-" + now.format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"))
                + ".json");
        System.out.printf("Suite %s: %s%nMachine: %d cores, %s, %s; %s; load %s%nSettings: %s%n%n", suite.name(),
                suite.title(), machine.cores(), machine.cpuModel(), machine.memory(), machine.jdk(),
                machine.loadAverage(), cfg.describe());

        Results results = new SuiteRunner(System.out).run(suite, cfg);

        String date = now.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        MarkdownReport.Context ctx = new MarkdownReport.Context(suite, cfg, machine, MachineInfo.currentLoadAverage(),
                date, command, display(root, json));
        JsonDump.write(json, ctx, results); // first: whatever happens to the chart, the measurements are kept
        Path png = chartFile(json);
        RunConfig selection = cfg;
        String chartLink = null;
        try {
            if (RatioChart.write(png, suite, results, selection::selects, date + ", " + caption(machine))) {
                chartLink = link(out, png);
            }
        } catch (Throwable e) { // e.g. no fonts on the machine: the measurements matter more than their picture
            if (e instanceof VirtualMachineError && !(e instanceof InternalError)) {
                throw e;
            }
            System.out.println("Could not draw the chart " + display(root, png) + ": " + e);
        }
        ctx = new MarkdownReport.Context(suite, cfg, machine, ctx.loadAtEnd(), date, command, display(root, json),
                chartLink);
        ResultsFile.write(out, suite.name(), MarkdownReport.render(ctx, results));
        System.out.println();
        System.out.println("Wrote the " + suite.name() + " section of " + display(root, out) + " and " + display(root, json)
                + (chartLink != null ? " and its chart " + display(root, png) : " (no chart)"));
        long failed = results.all().stream().filter(m -> !m.ok()).count();
        if (failed > 0) {
            System.out.println(failed + " run(s) failed; see the report's \"Failed runs\".");
            return 1;
        }
        return 0;
    }

    /**
     * {@code --chart-from}: draws the chart of a dumped run again and, when the suite's section of {@code out} shows
     * that run, puts the chart in it.
     */
    static int chartFrom(Path json, Path root, Path out) throws IOException {
        ResultsDump dump = ResultsDump.read(json);
        Path png = chartFile(json);
        String name = dump.suite().name();
        boolean drawn;
        try {
            drawn = RatioChart.write(png, dump.suite(), dump.results(), row -> dump.ran().contains(row.id()),
                    dump.date() + ", " + dump.machine());
        } catch (RuntimeException e) {
            throw new IOException("could not draw the chart of " + display(root, json) + ": " + e, e);
        }
        if (!drawn) {
            System.out.println("No chart: the run in " + display(root, json) + " has no ratio to draw");
            return 1;
        }
        System.out.println("Drew " + display(root, png));
        if (!Files.exists(out)) {
            System.out.println("No " + display(root, out) + " to show it in");
        } else {
            String doc = Files.readString(out, StandardCharsets.UTF_8);
            String raw = MarkdownReport.rawResultsLine(display(root, json));
            String updated = ResultsFile.withChart(doc, name, raw, MarkdownReport.chartLine(link(out, png)));
            if (!ResultsFile.showsRun(doc, name, raw)) {
                System.out.println("The " + name + " section of " + display(root, out) + " shows another run (or none):"
                        + " left as it is");
            } else if (updated.equals(doc)) {
                System.out.println("The " + name + " section of " + display(root, out) + " already shows it");
            } else {
                Files.writeString(out, updated, StandardCharsets.UTF_8);
                System.out.println("Showed it in the " + name + " section of " + display(root, out));
            }
        }
        return 0;
    }

    /** The chart of the run dumped in {@code json}: the same name with {@code .png}. */
    static Path chartFile(Path json) {
        String name = json.getFileName().toString();
        return json.resolveSibling((name.endsWith(".json") ? name.substring(0, name.length() - 5) : name) + ".png");
    }

    /** {@code file} as a link from the markdown file {@code out} (relative to its directory, with forward slashes). */
    static String link(Path out, Path file) {
        Path dir = out.toAbsolutePath().normalize().getParent();
        return dir.relativize(file.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }

    private static String caption(MachineInfo m) {
        return ResultsDump.caption(m.cores(), m.cpuModel(), m.jdk(), m.commit());
    }

    /** The directory holding {@code bench/pom.xml}, searched upwards from the working directory. */
    static Path repositoryRoot() {
        Path cwd = Path.of("").toAbsolutePath();
        for (Path p = cwd; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("bench/pom.xml"))) {
                return p;
            }
        }
        return cwd;
    }

    private static String display(Path root, Path file) {
        Path abs = file.toAbsolutePath().normalize();
        return abs.startsWith(root) ? root.relativize(abs).toString() : abs.toString();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String s, String option) {
        try {
            int v = Integer.parseInt(s);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException(option + " needs a positive integer, got " + s);
    }
}
