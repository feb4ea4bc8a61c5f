package io.stmactors.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line through picocli's {@code execute}, with captured streams. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class MainTest {
    /** Small and quick: tiny sizes, no warm-up time, 1 and 2 workers. */
    static final String[] QUICK = {"--workers", "1,2", "--warmup", "0", "--seed", "3"};

    /** A command's exit code and what it printed (also used by the tests in {@code cli}). */
    public record Run(int exitCode, String out, String err) {
        public List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    public static Run run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Run run(String... args) {
        return run(Main.commandLine(), args);
    }

    static String[] quick(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(QUICK));
        return all.toArray(String[]::new);
    }

    @Test
    void helpListsEveryDemoAndTheCommonOptions() {
        Run r = run("--help");
        assertEquals(0, r.exitCode());
        for (String demo : List.of("scaling", "bank", "list-compute", "reactor", "shared-structure", "contention")) {
            assertTrue(r.out().contains(demo), () -> "help lacks " + demo + ":\n" + r.out());
        }
        for (String option : List.of("--mode", "--workers", "--size", "--seed", "--chart", "--json")) {
            assertTrue(r.out().contains(option), () -> "help lacks " + option);
        }
        Run demoHelp = run("demo", "bank", "--help");
        assertEquals(0, demoHelp.exitCode());
        assertTrue(demoHelp.out().contains("--accounts") && demoHelp.out().contains("--mode"));
    }

    /** {@code help PATH} shows the usage of the command at the end of the path, not of the first name on it. */
    @Test
    void helpFollowsAPathOfCommands() {
        Run top = run("help");
        assertEquals(0, top.exitCode());
        assertTrue(top.out().contains("Usage: stm-actors"), top.out());
        Run group = run("help", "demo");
        assertEquals(0, group.exitCode());
        assertTrue(group.out().contains("Usage: stm-actors demo [") && group.out().contains("bank"), group.out());
        Run bank = run("help", "demo", "bank");
        assertEquals(0, bank.exitCode());
        assertTrue(bank.out().contains("Usage: stm-actors demo bank") && bank.out().contains("--accounts"), bank.out());
        Run unknown = run("help", "demo", "banq");
        assertEquals(2, unknown.exitCode());
        assertEquals("", unknown.out());
        assertEquals(1, unknown.err().strip().lines().count(), unknown.err());
        assertTrue(unknown.err().contains("unknown command 'banq' under 'stm-actors demo'")
                && unknown.err().contains("bank"), unknown.err());
    }

    /** Argument errors: one line on stderr, exit code 2, nothing run, with either way of building the command line. */
    @ParameterizedTest
    @ValueSource(strings = {
            "demo bank --mode turbo",
            "demo bank --mode shared,fast",
            "demo bank --workers 0",
            "demo bank --workers=-1",
            "demo bank --workers -1",
            "demo bank --workers 1,0",
            "demo bank --workers two",
            "demo bank --size 0",
            "demo contention --conflict 120",
            "demo bank --accounts-as pennies",
            "demo bank --chart /no/such/directory/chart.png",
            "demo bank --chart chart.svg"})
    void argumentErrorsGiveOneClearLineAndExitCode2(String line) {
        String[] args = line.split(" ");
        for (CommandLine cl : List.of(Main.commandLine(), new CommandLine(new Main()))) {
            Run r = run(cl, args);
            assertEquals(2, r.exitCode(), () -> line + " -> " + r);
            assertEquals(1, r.errLines().size(), () -> line + " -> stderr:\n" + r.err());
            assertTrue(r.errLines().get(0).startsWith("stm-actors: "), r.err());
            assertEquals("", r.out(), "nothing printed on stdout");
        }
    }

    @Test
    void parseErrorsOfTheCommandLineItselfAreOneLineToo() {
        for (String line : List.of("demo bank --size many", "demo bank --frobnicate", "demo nosuchdemo")) {
            Run r = run(line.split(" "));
            assertEquals(2, r.exitCode(), () -> line + " -> " + r);
            assertEquals(1, r.errLines().size(), () -> line + " -> " + r.err());
        }
        Run noDemo = run("demo");
        assertEquals(2, noDemo.exitCode());
        assertTrue(noDemo.err().contains("bank"), noDemo.err());
    }

    @Test
    void unwritableChartPathsAreRefusedBeforeRunning(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        Path inside = file.resolve("chart.png");
        Run r = run(quick("demo", "bank", "--size", "100", "--chart", inside.toString()));
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.errLines().get(0).contains("cannot write chart"), r.err());
        Path directory = Files.createDirectory(dir.resolve("chart.png"));
        Run r2 = run(quick("demo", "bank", "--size", "100", "--chart", directory.toString()));
        assertEquals(2, r2.exitCode(), r2::toString);
        assertEquals(1, r2.errLines().size());
    }

    @Test
    void bankPrintsTheTableAndWritesAPngChart(@TempDir Path dir) throws IOException {
        Path chart = dir.resolve("bank.png");
        Run r = run(quick("demo", "bank", "--size", "2000", "--accounts", "16", "--mode", "all", "--chart", chart.toString()));
        assertEquals(0, r.exitCode(), r::toString);
        for (String column : List.of("mode", "workers", "transfers/s", "speedup", "commits", "aborts", "abort rate", "correct")) {
            assertTrue(r.out().contains(column), () -> "no column " + column + ":\n" + r.out());
        }
        assertTrue(r.out().contains("shared") && r.out().contains("gil") && r.out().contains("isolated"));
        assertTrue(r.out().contains("1.00x"), r.out());
        assertTrue(r.out().contains("cannot exceed"), "the physical ceiling is stated");
        assertTrue(r.out().contains("n/a: isolated mode not available yet") || !r.out().contains("n/a"), r.out());
        assertTrue(r.err().contains("bank") && r.err().contains("%"), () -> "a progress bar on stderr: " + r.err());
        byte[] png = Files.readAllBytes(chart);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4), "a PNG file");
    }

    @Test
    void isolatedModeAloneRunsOrSaysItIsNotAvailableYetWithoutFailing() {
        Run r = run(quick("demo", "shared-structure", "--size", "500", "--entries", "100", "--mode", "isolated"));
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("n/a: isolated mode not available yet") || r.out().contains("yes"), r.out());
    }

    @Test
    void jsonOutputIsWellFormedAndCarriesTheMeasurements() {
        Run r = run(quick("demo", "contention", "--size", "600", "--conflict", "0,100", "--work", "5", "--json"));
        assertEquals(0, r.exitCode(), r::toString);
        Object parsed = new Json(r.out()).parse();
        assertTrue(parsed instanceof java.util.Map<?, ?>);
        java.util.Map<?, ?> root = (java.util.Map<?, ?>) parsed;
        assertEquals("contention", root.get("demo"));
        assertEquals(Boolean.TRUE, root.get("correct"));
        List<?> rows = (List<?>) root.get("rows");
        assertFalse(rows.isEmpty());
        java.util.Map<?, ?> first = (java.util.Map<?, ?>) rows.get(0);
        for (String key : List.of("mode", "workers", "throughput", "speedup", "commits", "aborts", "abortRate", "correct")) {
            assertTrue(first.containsKey(key), () -> "row lacks " + key + ": " + first);
        }
        assertFalse(r.out().contains("transfers/s"), "no table in JSON mode");
    }

    @Test
    void scalingPrintsOneSummaryRowPerDemoAndModeAndAnHtmlChart(@TempDir Path dir) throws IOException {
        Path chart = dir.resolve("scaling.html");
        Run r = run(quick("demo", "scaling", "--size", "1", "--chart", chart.toString()));
        assertEquals(0, r.exitCode(), r::toString);
        for (String demo : List.of("bank/refs", "list-compute/actors", "shared-structure")) {
            assertEquals(3, r.out().lines().filter(l -> l.startsWith(demo + " ")).count(), () -> demo + " rows:\n" + r.out());
        }
        assertTrue(r.out().contains("speedup x2"), r.out());
        String html = Files.readString(chart, StandardCharsets.UTF_8);
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.contains("data:image/png;base64,"), "a self-contained page");
    }

    /** A minimal JSON reader, enough to prove the output is well-formed. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object parse() {
            Object v = value();
            ws();
            if (i != s.length()) {
                throw new AssertionError("trailing text at " + i);
            }
            return v;
        }

        private Object value() {
            ws();
            char c = s.charAt(i);
            if (c == '{') {
                java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
                i++;
                ws();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                do {
                    ws();
                    String k = string();
                    ws();
                    expect(':');
                    m.put(k, value());
                    ws();
                } while (s.charAt(i++) == ',');
                if (s.charAt(i - 1) != '}') {
                    throw new AssertionError("expected } at " + (i - 1));
                }
                return m;
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                ws();
                if (s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                do {
                    l.add(value());
                    ws();
                } while (s.charAt(i++) == ',');
                if (s.charAt(i - 1) != ']') {
                    throw new AssertionError("expected ] at " + (i - 1));
                }
                return l;
            }
            if (c == '"') {
                return string();
            }
            for (String lit : List.of("true", "false", "null")) {
                if (s.startsWith(lit, i)) {
                    i += lit.length();
                    return lit.equals("null") ? null : Boolean.valueOf(lit);
                }
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            return Double.parseDouble(s.substring(start, i));
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            for (char c = s.charAt(i++); c != '"'; c = s.charAt(i++)) {
                if (c < 0x20) {
                    throw new AssertionError("control character in string at " + i);
                }
                if (c == '\\') {
                    char e = s.charAt(i++);
                    if (e == 'u') {
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    } else {
                        sb.append(switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            default -> e;
                        });
                    }
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }

        private void expect(char c) {
            if (s.charAt(i) != c) {
                throw new AssertionError("expected " + c + " at " + i + ", got " + s.charAt(i));
            }
            i++;
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }

    @org.junit.jupiter.api.Test
    void workerCommandRejectsBadArgumentsWithOneLineAndExitCode2() {
        Run help = run("worker", "--help");
        assertEquals(0, help.exitCode(), help::toString);
        org.junit.jupiter.api.Assertions.assertTrue(help.out().contains("--join"), help.out());
        for (String[] args : new String[][] {
                {"worker", "--join", "nothere", "--id", "1"},
                {"worker", "--join", "127.0.0.1:25520", "--id", "0"},
                {"worker", "--id", "1"}}) {
            Run r = run(args);
            assertEquals(2, r.exitCode(), () -> String.join(" ", args) + " -> " + r);
            assertEquals(1, r.err().strip().lines().count(), () -> "one line: " + r.err());
        }
    }
}
