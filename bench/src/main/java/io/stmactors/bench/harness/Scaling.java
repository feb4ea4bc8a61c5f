package io.stmactors.bench.harness;

/**
 * A scaling figure: throughput of the same work on more threads divided by throughput on fewer,
 * per contender, taken in the same round and then the median over rounds.
 *
 * @param id        short name, used by targets
 * @param title     what it shows
 * @param fewRowId  row with fewer threads (usually 1)
 * @param manyRowId row with more threads on disjoint work
 */
public record Scaling(String id, String title, String fewRowId, String manyRowId) {
}
