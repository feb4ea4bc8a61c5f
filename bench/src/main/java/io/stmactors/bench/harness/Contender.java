package io.stmactors.bench.harness;

/**
 * One implementation compared in a suite: the name of its {@code @Benchmark} method (the same
 * name in every benchmark class of the suite) and the label printed in tables.
 *
 * @param method benchmark method name, e.g. {@code "scalaStm"}
 * @param label  what the tables call it, e.g. {@code "ScalaSTM 0.11.1"}
 * @param ours   whether this is our implementation (ratios are ours ÷ each other contender)
 */
public record Contender(String method, String label, boolean ours) {
}
