#!/usr/bin/env bash
# Measures one benchmark suite and rewrites its section of bench/RESULTS.md, plus a JSON dump of
# the raw runs in bench/results/. Builds bench/target/benchmarks.jar first.
#
#   bench/run.sh stm                 # full measurement (5 interleaved rounds, ~18 min for stm)
#   bench/run.sh stm --quick         # smoke run (~1 min): every benchmark runs, report renders
#   bench/run.sh stm --rows '1t$'    # only the single-thread rows (report marked partial)
#   bench/run.sh --list              # suites and their rows
#   bench/run.sh --chart-from bench/results/stm-….json   # draw a dumped run's chart again, measure nothing
#   bench/run.sh --help              # every option
#
# --no-build skips the Maven build; JAVA=/path/to/java picks the JDK (the forked JVMs use the same).
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
args=()
for a in "$@"; do
  if [[ "$a" == "--no-build" ]]; then build=0; else args+=("$a"); fi
done
if [[ ${#args[@]} -eq 0 ]]; then
  echo "usage: bench/run.sh SUITE [--quick] [options]   (bench/run.sh --list, bench/run.sh --help)" >&2
  exit 2
fi

if [[ $build == 1 ]]; then
  echo "Building bench/target/benchmarks.jar ..."
  mvn -B -q -pl bench -am package -DskipTests
fi

if [[ "${args[0]}" == --* ]]; then
  report_args=("${args[@]}")
else
  report_args=(--suite "${args[0]}" "${args[@]:1}")
fi
command="bench/run.sh$(printf ' %q' "${args[@]}")"   # recorded in the report, quoted for copy-paste
exec "${JAVA:-java}" -Dstmactors.bench.command="$command" \
  -cp bench/target/benchmarks.jar io.stmactors.bench.Report "${report_args[@]}"
