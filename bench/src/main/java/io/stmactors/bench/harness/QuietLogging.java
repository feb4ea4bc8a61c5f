package io.stmactors.bench.harness;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code java.util.logging} set-up for the forked benchmark JVMs
 * ({@code -Djava.util.logging.config.class=io.stmactors.bench.harness.QuietLogging}): warnings
 * and errors only, so a library's start-up chatter (Multiverse logs two INFO lines) does not break
 * the harness's progress lines. Warnings still show.
 */
public final class QuietLogging {
    public QuietLogging() {
        Logger.getLogger("").setLevel(Level.WARNING);
    }
}
