package io.stmactors.bench.harness;

import java.util.List;
import java.util.Optional;

/**
 * A named group of benchmark rows that is measured and reported together, as one section of
 * {@code bench/RESULTS.md}. A new suite (collections, actors against Pekko, isolated against
 * shared) is a new instance of this record in {@code io.stmactors.bench.Suites}: name its
 * benchmark classes, its contenders (one method name each, same in every class), the scaling
 * pairs and the targets of its issue.
 *
 * @param name        what {@code --suite} takes; also the key of the section in RESULTS.md
 * @param title       section heading
 * @param description one paragraph printed under the heading
 * @param contenders  ours first, then the peers
 * @param rows        the rows, in report order
 * @param scalings    scaling figures computed from pairs of rows
 * @param targets     the goals, each reported as met / not met
 * @param jvmArgs     extra flags for the forked benchmark JVMs (appended to each class's own)
 * @param notes       caveats printed at the end of the section
 */
public record Suite(String name, String title, String description, List<Contender> contenders, List<Row> rows,
                    List<Scaling> scalings, List<Target> targets, List<String> jvmArgs, List<String> notes) {

    public Suite {
        contenders = List.copyOf(contenders);
        rows = List.copyOf(rows);
        scalings = List.copyOf(scalings);
        targets = List.copyOf(targets);
        jvmArgs = List.copyOf(jvmArgs);
        notes = List.copyOf(notes);
        if (contenders.stream().filter(Contender::ours).count() != 1) {
            throw new IllegalArgumentException("suite " + name + " needs exactly one contender marked ours");
        }
    }

    /** Our contender. */
    public Contender ours() {
        return contenders.stream().filter(Contender::ours).findFirst().orElseThrow();
    }

    /** The contender with method name {@code method}. */
    public Contender contender(String method) {
        return contenders.stream().filter(c -> c.method().equals(method)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no contender " + method + " in suite " + name));
    }

    /** The row named {@code id}, if the suite has it. */
    public Optional<Row> row(String id) {
        return rows.stream().filter(r -> r.id().equals(id)).findFirst();
    }
}
