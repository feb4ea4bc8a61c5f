package io.stmactors.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.io.TempDirFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code stm-actors} launcher at the root of the repository, run against a stand-in layout
 * (a fake {@code java} and {@code mvn} that only report how they were called).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherScriptTest {
    private static final Path SCRIPT = Path.of("..", "stm-actors").toAbsolutePath().normalize();

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Under target/ rather than the system's temporary directory, which may forbid running files. */
    @TempDir(factory = UnderTarget.class)
    Path dir;

    static final class UnderTarget implements TempDirFactory {
        @Override
        public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
            return Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "launcher-test");
        }
    }

    @Test
    void runsTheJarNextToTheScriptAlsoWhenCalledThroughASymlink() throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        executable(repo.resolve("stm-actors"), Files.readString(SCRIPT, StandardCharsets.UTF_8));
        Path jar = Files.createDirectories(repo.resolve("examples/target")).resolve("stm-actors.jar");
        Files.writeString(jar, "not really a jar");
        Path fakeBin = Files.createDirectories(dir.resolve("fake-bin"));
        executable(fakeBin.resolve("java"), "#!/bin/sh\necho \"java $*\"\n");
        executable(fakeBin.resolve("mvn"), "#!/bin/sh\necho \"mvn called in $(pwd)\"\nexit 1\n");
        Path onPath = Files.createDirectories(dir.resolve("bin")).resolve("stm-actors");
        Files.createSymbolicLink(onPath, repo.resolve("stm-actors"));

        ProcessBuilder pb = new ProcessBuilder("bash", onPath.toString(), "--version").redirectErrorStream(true)
                .directory(dir.toFile());
        pb.environment().put("PATH", fakeBin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("-jar " + jar.toRealPath() + " --version"), output);
    }
}
