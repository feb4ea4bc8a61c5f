package io.stmactors.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The footprint tool measures in a child JVM and says clearly what it cannot measure. */
class MapFootprintTest {

    @Test
    void aMapOfFourThousandEntriesTakesAPlausibleNumberOfBytesPerEntry() throws Exception {
        int n = 4096;
        for (String contender : MapFootprint.CONTENDERS) {
            long bytes = MapFootprint.measureInChild(contender, n, false);
            double perEntry = bytes / (double) n;
            // an entry needs at least a reference to its key and one to its value; none of the three
            // maps spends a kilobyte on one
            assertTrue(perEntry >= 8 && perEntry < 1024, contender + ": " + perEntry + " bytes per entry");
        }
    }

    @Test
    void randomKeysAreDistinctAndRepeatable() {
        Integer[] a = MapFootprint.keys(10_000, true);
        Integer[] b = MapFootprint.keys(10_000, true);
        assertEquals(10_000, new java.util.HashSet<>(java.util.Arrays.asList(a)).size());
        assertEquals(java.util.Arrays.asList(a), java.util.Arrays.asList(b));
    }

    @Test
    void badArgumentsAreRejectedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MapFootprint.run(new String[] {"--entries", "0"}));
        assertTrue(e.getMessage().contains("not a positive number of entries: 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MapFootprint.newMap("HashMap"));
        assertTrue(e.getMessage().contains("unknown map HashMap"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MapFootprint.run(new String[] {"--bogus"}));
        assertTrue(e.getMessage().contains("unknown argument --bogus"), e.getMessage());
    }
}
