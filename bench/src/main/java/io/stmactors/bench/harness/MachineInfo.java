package io.stmactors.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What a number depends on: the machine, the JDK, the code. Read once when a suite run starts and
 * printed with its results. Linux files ({@code /proc}) are read when present; elsewhere the
 * fields say "unknown".
 *
 * @param cores       processors visible to the JVM
 * @param cpuModel    first "model name" of {@code /proc/cpuinfo}
 * @param memory      total memory ({@code /proc/meminfo})
 * @param os          operating system name, version, architecture
 * @param jdk         JVM name, vendor and full version
 * @param commit      git commit of the working tree ({@code -dirty} when it has changes)
 * @param loadAverage the 1/5/15-minute load average when the run started: above 0.5 per core means
 *                    somebody else was using the machine
 */
public record MachineInfo(int cores, String cpuModel, String memory, String os, String jdk, String commit,
                          String loadAverage) {

    /** The machine this JVM runs on. */
    public static MachineInfo detect() {
        return new MachineInfo(
                Runtime.getRuntime().availableProcessors(),
                readCpuModel(),
                readMemory(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
                        + System.getProperty("os.arch") + ")",
                System.getProperty("java.vm.name") + ", " + System.getProperty("java.vm.vendor") + ", "
                        + System.getProperty("java.runtime.version"),
                gitCommit(),
                currentLoadAverage());
    }

    /** The current load average, or "unknown". */
    public static String currentLoadAverage() {
        List<String> lines = read("/proc/loadavg");
        if (lines.isEmpty()) {
            return "unknown";
        }
        String[] f = lines.get(0).trim().split("\\s+");
        return f.length >= 3 ? f[0] + " / " + f[1] + " / " + f[2] : "unknown";
    }

    private static String readCpuModel() {
        return read("/proc/cpuinfo").stream()
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst().orElse("unknown");
    }

    private static String readMemory() {
        return read("/proc/meminfo").stream()
                .filter(l -> l.startsWith("MemTotal:"))
                .map(l -> {
                    long kib = Long.parseLong(l.replaceAll("[^0-9]", ""));
                    return String.format(Locale.ROOT, "%.1f GiB", kib / (1024.0 * 1024.0));
                })
                .findFirst().orElse("unknown");
    }

    private static String gitCommit() {
        String head = git("rev-parse", "--short=12", "HEAD");
        if (head.isEmpty()) {
            return "unknown";
        }
        return git("status", "--porcelain", "--untracked-files=no").isEmpty() ? head : head + "-dirty";
    }

    private static String git(String... args) {
        try {
            String[] cmd = new String[args.length + 1];
            cmd[0] = "git";
            System.arraycopy(args, 0, cmd, 1, args.length);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "";
            }
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static List<String> read(String file) {
        try {
            return Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
