package io.stmactors.bench;

import io.stmactors.bench.harness.MachineInfo;
import io.stmactors.stm.TMap;
import scala.concurrent.stm.japi.STM;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bytes a map takes per entry, ours against ScalaSTM's {@code TMap} and {@code ConcurrentHashMap}:
 * heap in use after a full GC with the map, minus the same without it, keys not counted (they are
 * made before the first measurement), all values one shared object. Each case runs in a JVM of its
 * own with {@code -XX:+UseSerialGC} (its full GC compacts, so the difference is the map and
 * nothing else), so the table does not depend on what ran before. Unlike the speed rows, the result
 * is the same from one run or machine to the next (for one JDK and its object layout), which is why
 * it is here: it explains the rows where the maps are larger than the caches.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.stmactors.bench.MapFootprint            # the table
 *   java -cp bench/target/benchmarks.jar io.stmactors.bench.MapFootprint --entries 1000,50000
 * </pre>
 */
public final class MapFootprint {
    static final String[] CONTENDERS = {"stm-actors", "ScalaSTM", "ConcurrentHashMap"};
    static final String USAGE = """
            usage: MapFootprint [--entries N[,N...]]
              prints the bytes per entry of each map, for consecutive and for random Integer keys
              (default entries: 16384,147456, the sizes of the collections suite's maps)
            """;

    private MapFootprint() {
    }

    public static void main(String[] args) throws Exception {
        try {
            System.exit(run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        }
    }

    static int run(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("--measure")) {
            System.out.println("bytes=" + measureHere(args[1], positive(args[2]), Boolean.parseBoolean(args[3])));
            return 0;
        }
        int[] sizes = {16_384, 147_456};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--entries" -> {
                    if (i + 1 == args.length) {
                        throw new IllegalArgumentException("--entries needs a value");
                    }
                    String[] parts = args[++i].split(",");
                    sizes = new int[parts.length];
                    for (int j = 0; j < parts.length; j++) {
                        sizes[j] = positive(parts[j]);
                    }
                }
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return 0;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        MachineInfo m = MachineInfo.detect();
        System.out.printf("Map footprint: %d cores, %s; %s; commit %s; %s%n%n", m.cores(), m.cpuModel(), m.jdk(),
                m.commit(), ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
        System.out.println("| entries | keys | " + String.join(" | ", CONTENDERS) + " |");
        System.out.println("|---:|---|" + "---:|".repeat(CONTENDERS.length));
        int cases = sizes.length * 2 * CONTENDERS.length;
        int done = 0;
        for (int n : sizes) {
            for (boolean random : new boolean[] {false, true}) {
                List<String> cells = new ArrayList<>();
                for (String contender : CONTENDERS) {
                    System.err.printf("[%d/%d] %s, %,d %s keys...%n", ++done, cases, contender, n,
                            random ? "random" : "consecutive");
                    long bytes = measureInChild(contender, n, random);
                    cells.add(String.format("%.1f B (%.2f MiB)", bytes / (double) n, bytes / 1048576.0));
                }
                System.out.printf("| %,d | %s | %s |%n", n, random ? "random" : "consecutive", String.join(" | ", cells));
            }
        }
        System.out.println();
        System.out.println("Bytes per entry: heap in use after a full GC with the map minus without it (keys not counted;");
        System.out.println("every value is one shared object), each case in its own JVM with -XX:+UseSerialGC.");
        return 0;
    }

    /** Runs {@link #measureHere} in a new JVM with the serial collector; returns the map's bytes. */
    static long measureInChild(String contender, int entries, boolean random) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:+UseSerialGC", "-Xms512m", "-Xmx2g",
                "-cp", System.getProperty("java.class.path"), MapFootprint.class.getName(),
                "--measure", contender, Integer.toString(entries), Boolean.toString(random));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String result = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                output.append(line).append('\n');
                if (line.startsWith("bytes=")) {
                    result = line.substring("bytes=".length());
                }
            }
        }
        int exit = p.waitFor();
        if (exit != 0 || result == null) {
            throw new IllegalStateException("measuring " + contender + " with " + entries + " entries failed (exit "
                    + exit + "):\n" + output);
        }
        return Long.parseLong(result.trim());
    }

    /** The bytes a map of {@code entries} keys takes in this JVM (meaningful under the serial collector). */
    static long measureHere(String contender, int entries, boolean random) {
        Integer[] keys = keys(entries, random);
        Integer value = -1;
        Map<Integer, Integer> warm = newMap(contender); // load and initialise the map's classes first
        for (int i = 0; i < Math.min(entries, 5_000); i++) {
            warm.put(i, value);
        }
        warm.get(1);
        warm.size();
        warm = null;
        long before = usedAfterGc();
        Map<Integer, Integer> map = newMap(contender);
        for (Integer k : keys) {
            map.put(k, value);
        }
        long after = usedAfterGc();
        if (map.size() != entries) {
            throw new IllegalStateException(contender + " holds " + map.size() + " entries, not " + entries);
        }
        java.lang.ref.Reference.reachabilityFence(map);
        java.lang.ref.Reference.reachabilityFence(keys);
        return after - before;
    }

    static Map<Integer, Integer> newMap(String contender) {
        return switch (contender) {
            case "stm-actors" -> new TMap<>();
            case "ScalaSTM" -> STM.newMap();
            case "ConcurrentHashMap" -> new ConcurrentHashMap<>();
            default -> throw new IllegalArgumentException("unknown map " + contender + "; one of " + String.join(", ", CONTENDERS));
        };
    }

    /** {@code n} distinct keys: 0 .. n-1, or the random ones of the benchmarks ({@link CollectionMaps#randomKeys}). */
    static Integer[] keys(int n, boolean random) {
        int[] ints = random ? CollectionMaps.randomKeys(n) : null;
        Integer[] keys = new Integer[n];
        for (int i = 0; i < n; i++) {
            keys[i] = random ? ints[i] : i;
        }
        return keys;
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    private static int positive(String s) {
        try {
            int n = Integer.parseInt(s.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("not a positive number of entries: " + s);
    }
}
