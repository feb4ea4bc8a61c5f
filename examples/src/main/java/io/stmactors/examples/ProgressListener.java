package io.stmactors.examples;

/**
 * Told by a demo what it is doing, so that a caller can show progress. Called from the thread
 * that runs the demo, never from a worker. The command line draws it as a progress bar on
 * stderr; the Java API default ({@link #NONE}) ignores it.
 */
public interface ProgressListener {
    /** Ignores everything. */
    ProgressListener NONE = new ProgressListener() {
        @Override
        public void plan(int steps) {
        }

        @Override
        public void starting(String label) {
        }

        @Override
        public void finished() {
        }
    };

    /** {@code steps} more steps are coming (called again by each part of {@code scaling}). */
    void plan(int steps);

    /** A step starts; {@code label} says which (e.g. "bank refs shared x2: measuring"). */
    void starting(String label);

    /** The step that started last is over. */
    void finished();
}
