package io.stmactors.bench;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link MapGetBench} with keys whose hash codes are random (see {@link CollectionMaps.Maps#key}): the
 * lookups of a map keyed by strings or UUIDs, where no hash function can fill the trie evenly.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-D" + CollectionMaps.RANDOM_KEYS_PROPERTY + "=true"})
public class MapGetRandomKeysBench extends MapGetBench {
}
