package io.stmactors.examples.cli;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Where and how a result was measured: an absolute number means something only with its machine,
 * JDK, date and command (see the project's benchmarking rules).
 */
record RunInfo(int cores, String jdk, String os, String date, String command) {
    static RunInfo now(String command) {
        return new RunInfo(Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                ZonedDateTime.now(ZoneOffset.UTC).withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), command);
    }
}
