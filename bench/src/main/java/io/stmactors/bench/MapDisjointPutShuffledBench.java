package io.stmactors.bench;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link MapDisjointPutBench} with each thread walking its key range in a shuffled order (see
 * {@link CollectionMaps.Cursor#assign}): the same map and the same puts, but no two puts in a row touch
 * entries created next to each other. In key order, a map whose objects still lie in creation order
 * serves consecutive keys from neighbouring memory, and one whose objects a copying collection
 * reordered does not; the key-order rows swing with that (README, "Large maps and the collector").
 * A shuffled walk misses the cache on every put either way: it measures the map's own path length.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-D" + CollectionMaps.SHUFFLED_WALK_PROPERTY + "=true"})
public class MapDisjointPutShuffledBench extends MapDisjointPutBench {
}
