package io.stmactors.bench;

import io.stmactors.bench.harness.Contender;
import io.stmactors.bench.harness.Row;
import io.stmactors.bench.harness.Suite;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;

import java.lang.reflect.Method;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every row of every suite names a class that really has a benchmark method per contender. */
class SuitesTest {

    @Test
    void everyRowHasABenchmarkMethodPerContender() throws ClassNotFoundException {
        for (String name : Suites.names()) {
            Suite suite = Suites.named(name);
            for (Row row : suite.rows()) {
                Class<?> cls = Class.forName(row.benchmarkClass());
                for (Contender c : suite.contenders()) {
                    if (!row.runs(c)) {
                        continue;
                    }
                    boolean found = Arrays.stream(cls.getMethods()).anyMatch((Method m) ->
                            m.getName().equals(c.method()) && m.isAnnotationPresent(Benchmark.class));
                    assertTrue(found, name + "/" + row.id() + ": no @Benchmark " + c.method() + " in " + cls.getName());
                }
            }
        }
    }
}
