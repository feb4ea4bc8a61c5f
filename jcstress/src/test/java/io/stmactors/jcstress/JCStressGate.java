package io.stmactors.jcstress;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs jcstress ({@code org.openjdk.jcstress.Main}, same arguments) and turns its verdict into an exit
 * code and a summary line. jcstress 0.16 throws an {@code AssertionError} listing the forbidden outcomes; the
 * gate also checks the printed verdicts and counts, so the build fails when any test has a forbidden outcome, an
 * error, or when no test ran at all. Prints one parseable summary line:
 * <pre>RELIABILITY jcstress tests=9 results=18 passed=18 failed=0 errors=0 samples=123456</pre>
 * ({@code samples}: states run, summed over every test and configuration; needs {@code -v}).
 */
public final class JCStressGate {
    private static final Pattern RESULTS = Pattern.compile(
            "\\(Results: (\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs\\)");
    private static final Pattern TEST = Pattern.compile("^\\.*\\s*\\[(OK|FAILED|ERROR)[^]]*]\\s+(\\S+)");
    private static final Pattern ROW = Pattern.compile(
            "^\\s+.+?\\s+([\\d,]+)\\s+[\\d.<>]+%\\s+(Acceptable|Forbidden|Interesting)\\b.*");

    private JCStressGate() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream console = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(new Tee(console, captured), true, StandardCharsets.UTF_8));
        Throwable thrown = null;
        try {
            org.openjdk.jcstress.Main.main(args);
        } catch (Throwable t) { // jcstress reports forbidden outcomes by throwing AssertionError
            thrown = t;
        } finally {
            System.out.flush();
            System.setOut(console);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        int planned = 0;
        int passed = 0;
        int failed = 0;
        int errors = 0;
        Matcher m = RESULTS.matcher(out);
        while (m.find()) { // the last progress line is the final count
            planned = Integer.parseInt(m.group(1));
            passed = Integer.parseInt(m.group(2));
            failed = Integer.parseInt(m.group(3));
            errors = Integer.parseInt(m.group(4)) + Integer.parseInt(m.group(5));
        }
        Map<String, Long> samplesByTest = new LinkedHashMap<>();
        String test = null;
        long tableSum = -1;
        for (String line : out.split("\\R")) {
            Matcher t = TEST.matcher(line);
            if (t.find()) {
                test = t.group(2);
                tableSum = -1;
                continue;
            }
            Matcher r = ROW.matcher(line);
            if (test != null && r.matches()) {
                tableSum = Math.max(0, tableSum) + Long.parseLong(r.group(1).replace(",", ""));
                samplesByTest.put(test, tableSum); // the last table of a test is "across all configurations"
            } else if (line.contains("RESULT") && line.contains("SAMPLES")) {
                tableSum = 0;
            }
        }
        long samples = samplesByTest.values().stream().mapToLong(Long::longValue).sum();
        boolean verdictsClean = out.contains("Failed tests: No matches.") && out.contains("Error tests: No matches.");
        console.printf("RELIABILITY jcstress tests=%d results=%d passed=%d failed=%d errors=%d samples=%d%n",
                samplesByTest.size(), planned, passed, failed, errors, samples);
        if (thrown != null) {
            thrown.printStackTrace(console);
        }
        if (thrown != null || planned == 0 || passed != planned || failed != 0 || errors != 0 || !verdictsClean) {
            console.println("jcstress: FORBIDDEN OUTCOME OR ERROR (see the tables above and the HTML report)");
            System.exit(1);
        }
        System.exit(0);
    }

    /** Writes to the console and keeps a copy. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }
    }
}
