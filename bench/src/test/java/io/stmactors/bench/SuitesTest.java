package io.stmactors.bench;

import io.stmactors.bench.harness.Contender;
import io.stmactors.bench.harness.Row;
import io.stmactors.bench.harness.Suite;
import io.stmactors.bench.harness.SuiteRunner;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.Param;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every row of every suite names a class that really has a benchmark (method or group) per contender. */
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
                            m.isAnnotationPresent(Benchmark.class) && c.method().equals(benchmarkName(m)));
                    assertTrue(found, name + "/" + row.id() + ": no @Benchmark " + c.method() + " in " + cls.getName());
                }
            }
        }
    }

    @Test
    void everyRowParameterIsAJmhParamOfItsClass() throws ClassNotFoundException {
        for (String name : Suites.names()) {
            Suite suite = Suites.named(name);
            for (Row row : suite.rows()) {
                List<String> params = paramsOf(Class.forName(row.benchmarkClass()));
                for (String p : row.params().keySet()) {
                    assertTrue(params.contains(p), name + "/" + row.id() + ": no @Param " + p + " in " + row.benchmarkClass());
                }
            }
        }
    }

    /**
     * JMH replaces a class's {@code @Fork(jvmArgsAppend)} with the options' own: the runner must pass
     * both, or a row that differs from another only by a flag of its class measures the other.
     */
    @Test
    void aRowsForkedJvmGetsItsClassFlagsAndTheSuites() {
        Suite suite = Suites.named("collections");
        for (String[] rowAndFlag : new String[][]{
                {"map-get-random-1t", "-D" + CollectionMaps.RANDOM_KEYS_PROPERTY + "=true"},
                {"disjoint-put-shuffled-1t", "-D" + CollectionMaps.SHUFFLED_WALK_PROPERTY + "=true"},
                {"disjoint-put-shuffled-2t", "-D" + CollectionMaps.SHUFFLED_WALK_PROPERTY + "=true"}}) {
            Row row = suite.rows().stream().filter(r -> r.id().equals(rowAndFlag[0])).findFirst().orElseThrow();
            List<String> args = SuiteRunner.jvmArgsAppend(row, suite.jvmArgs());
            assertTrue(args.contains(rowAndFlag[1]), row.id() + ": " + args);
            assertTrue(args.containsAll(suite.jvmArgs()), row.id() + ": " + args);
        }
        Row plain = suite.rows().stream().filter(r -> r.id().equals("map-get-1t")).findFirst().orElseThrow();
        List<String> args = SuiteRunner.jvmArgsAppend(plain, suite.jvmArgs());
        assertTrue(args.stream().noneMatch(a -> a.contains(CollectionMaps.RANDOM_KEYS_PROPERTY)), args.toString());
    }

    /** The name JMH gives a benchmark method: its {@code @Group}, when it has one, else its own name. */
    private static String benchmarkName(Method m) {
        Group group = m.getAnnotation(Group.class);
        return group != null ? group.value() : m.getName();
    }

    /** Names of the @Param fields of a benchmark class and its nested state classes (inherited ones too). */
    private static List<String> paramsOf(Class<?> benchmark) {
        List<Class<?>> classes = new ArrayList<>(List.of(benchmark));
        classes.addAll(Arrays.asList(benchmark.getDeclaredClasses()));
        List<String> names = new ArrayList<>();
        for (Class<?> c : classes) {
            for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    if (f.isAnnotationPresent(Param.class)) {
                        names.add(f.getName());
                    }
                }
            }
        }
        return names;
    }
}
