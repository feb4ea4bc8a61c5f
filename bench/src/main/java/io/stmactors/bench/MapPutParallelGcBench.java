package io.stmactors.bench;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link MapPutBench} in a JVM with the parallel garbage collector instead of G1: the single-thread
 * cost of G1's write barrier and concurrent refinement on puts into an old map (see
 * {@link MapDisjointPutParallelGcBench}).
 */
@Fork(value = 1, jvmArgs = {"-XX:+UseParallelGC"})
public class MapPutParallelGcBench extends MapPutBench {
}
