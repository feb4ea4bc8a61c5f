package io.stmactors.examples;

import io.stmactors.actors.Mode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The three ways a demo can run, under the names the command line uses. Each maps to one
 * {@link Mode} of the actor runtime; demos that do not use actors (the {@code TransactionQueue}
 * variant of {@code list-compute}) give each name its own meaning and say so.
 */
public enum DemoMode {
    /** {@link Mode#SHARED_STM}: worker threads over one shared transactional heap. */
    SHARED("shared", Mode.SHARED_STM),
    /** {@link Mode#GLOBAL_LOCK}: the same threads, every handler under one lock (the GIL baseline). */
    GIL("gil", Mode.GLOBAL_LOCK),
    /** {@link Mode#ISOLATED_PROCESSES}: worker JVMs, Kryo-serialized messages and state. */
    ISOLATED("isolated", Mode.ISOLATED_PROCESSES);

    private final String cliName;
    private final Mode actorMode;

    DemoMode(String cliName, Mode actorMode) {
        this.cliName = cliName;
        this.actorMode = actorMode;
    }

    /** The name on the command line and in tables: {@code shared}, {@code gil}, {@code isolated}. */
    public String cliName() {
        return cliName;
    }

    /** The actor runtime's mode. */
    public Mode actorMode() {
        return actorMode;
    }

    /**
     * Parses {@code shared}, {@code gil}, {@code isolated}, {@code all}, or a comma-separated list
     * of them (case-insensitive), keeping the order given and dropping repeats.
     *
     * @throws IllegalArgumentException naming the unknown mode and the accepted ones
     */
    public static List<DemoMode> parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("--mode needs a value: shared, gil, isolated or all");
        }
        List<DemoMode> modes = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String name = part.trim().toLowerCase(Locale.ROOT);
            if (name.equals("all")) {
                for (DemoMode m : values()) {
                    if (!modes.contains(m)) {
                        modes.add(m);
                    }
                }
                continue;
            }
            DemoMode found = null;
            for (DemoMode m : values()) {
                if (m.cliName.equals(name)) {
                    found = m;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("unknown mode '" + part.trim()
                        + "' for --mode (expected shared, gil, isolated or all)");
            }
            if (!modes.contains(found)) {
                modes.add(found);
            }
        }
        return List.copyOf(modes);
    }

    @Override
    public String toString() {
        return cliName;
    }
}
