package io.stmactors.bench;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link MapDisjointPutBench} in a JVM whose garbage collector is the parallel one instead of the
 * default G1. G1 records every store of a reference into an old object (a put into a long-lived
 * map) in a queue of dirty cards, which its concurrent refinement threads then scan: on a 2-core
 * machine those threads take CPU the second benchmark thread needs. The parallel collector's write
 * barrier is a plain store and has no such threads, so the two scalings side by side separate the
 * map's own scaling from G1's.
 */
@Fork(value = 1, jvmArgs = {"-XX:+UseParallelGC"})
public class MapDisjointPutParallelGcBench extends MapDisjointPutBench {
}
