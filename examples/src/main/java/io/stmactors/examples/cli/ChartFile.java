package io.stmactors.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/** Checks, before a demo runs, that its {@code --chart} file can be written. */
final class ChartFile {
    private ChartFile() {
    }

    /**
     * The path of {@code text}, once checked: a {@code .png} or {@code .html} name, in an existing
     * directory where a file can be created, not an existing directory or read-only file. Nothing
     * is left behind by the check (an existing file is opened for append and not changed).
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    static Path check(String text) {
        Path path;
        try {
            path = Path.of(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("cannot write chart to '" + text + "': not a valid path");
        }
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!(name.endsWith(".png") || name.endsWith(".html") || name.endsWith(".htm"))) {
            throw new IllegalArgumentException("cannot write chart to '" + text + "': the name must end in .png or .html");
        }
        Path dir = path.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("cannot write chart to '" + text + "': directory " + dir + " does not exist");
        }
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException("cannot write chart to '" + text + "': it is a directory");
        }
        try {
            if (Files.exists(path)) {
                Files.newOutputStream(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND).close();
            } else {
                Path probe = Files.createTempFile(dir, ".stm-actors-chart", ".tmp");
                Files.delete(probe);
            }
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            throw new IllegalArgumentException("cannot write chart to '" + text + "': " + reason(e));
        }
        return path;
    }

    static boolean isHtml(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".html") || name.endsWith(".htm");
    }

    private static String reason(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
