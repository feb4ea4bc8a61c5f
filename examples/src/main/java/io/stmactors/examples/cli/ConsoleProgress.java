package io.stmactors.examples.cli;

import io.stmactors.examples.ProgressListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintWriter;

/**
 * A progress bar on the command's error stream (me.tongfei:progressbar), one step per measured
 * configuration. The bar is drawn by the library's renderer and refresh thread; the consumer
 * here writes to the command's {@link PrintWriter} rather than to a terminal, so tests can
 * capture it and no terminal library is involved.
 */
final class ConsoleProgress implements ProgressListener, AutoCloseable {
    /** The bar's width: the terminal's ({@code COLUMNS}) if known, else 80, at most 120; one column spare. */
    private static final int WIDTH = width();

    private final String task;
    private final PrintWriter err;
    private ProgressBar bar;
    private long planned;

    ConsoleProgress(String task, PrintWriter err) {
        this.task = task;
        this.err = err;
    }

    @Override
    public void plan(int steps) {
        planned += steps;
        if (bar == null) {
            bar = new ProgressBarBuilder()
                    .setTaskName(task)
                    .setInitialMax(planned)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(500)
                    .setConsumer(new WriterConsumer(err))
                    .build();
        } else {
            bar.maxHint(planned);
        }
    }

    @Override
    public void starting(String label) {
        if (bar != null) {
            bar.setExtraMessage(label);
        }
    }

    @Override
    public void finished() {
        if (bar != null) {
            bar.step();
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.setExtraMessage("done");
            bar.close();
            bar = null;
        }
    }

    private static int width() {
        try {
            String columns = System.getenv("COLUMNS");
            if (columns != null) {
                return Math.max(40, Math.min(120, Integer.parseInt(columns.trim()))) - 1;
            }
        } catch (NumberFormatException | SecurityException e) {
            // fall through to the default
        }
        return 79;
    }

    /** Redraws the bar in place with a carriage return; ends the line when closed. */
    private static final class WriterConsumer implements ProgressBarConsumer {
        private final PrintWriter out;

        WriterConsumer(PrintWriter out) {
            this.out = out;
        }

        @Override
        public int getMaxRenderedLength() {
            return WIDTH;
        }

        @Override
        public void accept(String rendered) {
            synchronized (out) {
                out.print('\r');
                out.print(rendered);
                out.flush();
            }
        }

        @Override
        public void close() {
            synchronized (out) {
                out.println();
                out.flush();
            }
        }
    }
}
