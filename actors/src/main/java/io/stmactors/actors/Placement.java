package io.stmactors.actors;

/**
 * Where a top-level actor lives in {@link Mode#ISOLATED_PROCESSES}: a worker index in
 * {@code [0, workers)}. Children live with their parent. The default is a stable hash of the name,
 * so every run places the same actor on the same worker.
 */
@FunctionalInterface
public interface Placement {
    /** The worker index for the top-level actor named {@code name}. */
    int workerFor(String name, int workers);

    /** The default: {@code floorMod(name.hashCode(), workers)} ({@link String#hashCode()} is stable across JVMs). */
    static Placement byNameHash() {
        return (name, workers) -> Math.floorMod(name.hashCode(), workers);
    }
}
