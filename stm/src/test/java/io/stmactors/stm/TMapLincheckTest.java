package io.stmactors.stm;

import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Linearizability of {@link TMap} with Lincheck in stress mode: random concurrent scenarios of
 * single operations (a {@code put} that replaces a value runs without a transaction, as one
 * compare-and-set) and of multi-key transactions, and {@code clear}, checked against a {@link HashMap} run
 * sequentially ({@link Sequential}). Each map is prefilled so that the slots of the tested keys
 * are already branches (the trie's deep paths are exercised, not just root leaves).
 *
 * <p>Tagged {@code stress} (about 20 s on 2 cores). A deliberately non-atomic {@code move} (two
 * separate calls) is reported as "Invalid execution results" within the first iterations, which
 * is how this test was checked to be able to fail.
 *
 * <p>Run alone: {@code mvn -B -q -pl stm verify -Dtest=TMapLincheckTest}.
 */
@Param(name = "key", gen = IntGen.class, conf = "1:6")
@Param(name = "value", gen = IntGen.class, conf = "1:9")
public class TMapLincheckTest {
    /** Keys outside 1..6 that share root slots with 1..6, ten per slot: forces branches. */
    static final List<Integer> PREFILL = prefill();

    private final TMap<Integer, Integer> map = new TMap<>();

    public TMapLincheckTest() {
        for (int k : PREFILL) {
            map.put(k, k);
        }
    }

    private static List<Integer> prefill() {
        List<Integer> out = new ArrayList<>();
        for (int key = 1; key <= 6; key++) {
            int slot = MapTrie.spread(Integer.hashCode(key)) & (MapTrie.ROOT_SIZE - 1);
            int found = 0;
            for (int k = 1000; found < MapTrie.LEAF_MAX + 2; k++) {
                if ((MapTrie.spread(Integer.hashCode(k)) & (MapTrie.ROOT_SIZE - 1)) == slot && !out.contains(k)) {
                    out.add(k);
                    found++;
                }
            }
        }
        return out;
    }

    @Operation
    public Integer put(@Param(name = "key") int key, @Param(name = "value") int value) {
        return map.put(key, value);
    }

    @Operation
    public Integer get(@Param(name = "key") int key) {
        return map.get(key);
    }

    @Operation
    public Integer remove(@Param(name = "key") int key) {
        return map.remove(key);
    }

    @Operation
    public Integer putIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
        return map.putIfAbsent(key, value);
    }

    @Operation
    public Integer merge(@Param(name = "key") int key, @Param(name = "value") int value) {
        return map.merge(key, value, Integer::sum);
    }

    @Operation
    public boolean containsKey(@Param(name = "key") int key) {
        return map.containsKey(key);
    }

    @Operation
    public int size() {
        return map.size();
    }

    /** Empties the map (its leaves; branches stay, so replacements outside a transaction stay safe). */
    @Operation
    public void clear() {
        map.clear();
    }

    /** Moves key a's value to key b in one transaction. */
    @Operation
    public Integer move(@Param(name = "key") int a, @Param(name = "key") int b) {
        return Stm.atomic(() -> {
            Integer v = map.remove(a);
            if (v != null) {
                map.put(b, v);
            }
            return v;
        });
    }

    /** Sum of every value, iterated inside one transaction. */
    @Operation
    public long sum() {
        return Stm.atomic(() -> {
            long s = 0;
            for (int v : map.values()) {
                s += v;
            }
            return s;
        });
    }

    @Test
    @Tag("stress")
    @Timeout(120)
    void linearizable() {
        StressOptions options = new StressOptions()
                .iterations(30)
                .invocationsPerIteration(300)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(1)
                .sequentialSpecification(Sequential.class);
        LinChecker.check(TMapLincheckTest.class, options);
    }

    /** The sequential specification: the same operations on a HashMap. */
    public static class Sequential {
        private final Map<Integer, Integer> map = new HashMap<>();

        public Sequential() {
            for (int k : PREFILL) {
                map.put(k, k);
            }
        }

        public Integer put(int key, int value) { return map.put(key, value); }
        public Integer get(int key) { return map.get(key); }
        public Integer remove(int key) { return map.remove(key); }
        public Integer putIfAbsent(int key, int value) { return map.putIfAbsent(key, value); }
        public Integer merge(int key, int value) { return map.merge(key, value, Integer::sum); }
        public boolean containsKey(int key) { return map.containsKey(key); }
        public int size() { return map.size(); }
        public void clear() { map.clear(); }

        public Integer move(int a, int b) {
            Integer v = map.remove(a);
            if (v != null) {
                map.put(b, v);
            }
            return v;
        }

        public long sum() {
            long s = 0;
            for (int v : map.values()) {
                s += v;
            }
            return s;
        }
    }
}
