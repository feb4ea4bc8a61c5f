package io.stmactors.examples.cli;

import java.lang.management.ManagementFactory;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Where and how a result was measured: an absolute number means something only with its machine,
 * JDK, date and command (see the project's benchmarking rules), and the load average at the start
 * (negative where the platform does not report it).
 */
record RunInfo(int cores, String jdk, String os, String date, String command, double loadAverage) {
    static RunInfo now(String command) {
        return new RunInfo(Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                ZonedDateTime.now(ZoneOffset.UTC).withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), command,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /**
     * Whether other processes kept the cores busy when the run started (load average above the
     * number of cores): then a process with more threads gets a larger share of the CPU, and
     * speedups say more about the neighbours than about the program.
     */
    boolean busy() {
        return loadAverage > cores;
    }
}
