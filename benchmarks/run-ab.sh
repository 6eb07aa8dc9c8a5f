#!/usr/bin/env bash
# A/B of one change on JMH benchmarks: alternated single-fork JMH runs of two variants, each pinned to one core,
# then per benchmark the sorted values of each side, their medians and the median of the per-pair differences.
# The variants are two benchmark jars (the tree before and after a change), or one jar with a JVM flag the change
# reads on one side only (a throwaway `Boolean.getBoolean` switch): alternating single forks is what makes a
# difference of a few ns/op visible against the fork-to-fork spread of JIT outcomes, which one long run hides.
#
# Usage: A_JAR=before.jar B_JAR=after.jar BENCH='EngineNopBenchmark.batched32' benchmarks/run-ab.sh
#   A_JAR, B_JAR     the two jars (default for both: benchmarks/target/benchmarks.jar, for a flag-only A/B)
#   A_JVM, B_JVM     extra JVM options of each side's fork (e.g. B_JVM=-Dexperiment=true)
#   BENCH            the JMH benchmark regex (required)
#   FORKS=8          forks per side, alternated A, B, A, B, ...
#   CORE=1           the core every run is pinned to
#   JMH_ARGS="-wi 3 -i 5 -w 1 -r 1"   per-fork JMH settings
#   RESULTS=dir      default benchmarks/target/ab-results (one JMH JSON per fork, summary.txt)
#
# The value compared is the loop-thread CPU time per op where the benchmark reports it (its ringCpuNs and ops
# secondary results, as the NOP benchmarks do), else JMH's primary score.
set -euo pipefail

SCRIPT=run-ab.sh
PATTERN="${BENCH:-}" # read before peers-lib.sh, which names the benchmarks directory BENCH
# shellcheck source-path=SCRIPTDIR source=peers-lib.sh
source "$(cd "$(dirname "$0")" && pwd)/peers-lib.sh" # die, find_java

BENCH_DIR="$(cd "$(dirname "$0")" && pwd)"
DEFAULT_JAR="$BENCH_DIR/target/benchmarks.jar"
A_JAR="${A_JAR:-$DEFAULT_JAR}"
B_JAR="${B_JAR:-$DEFAULT_JAR}"
A_JVM="${A_JVM:-}"
B_JVM="${B_JVM:-}"
FORKS="${FORKS:-8}"
CORE="${CORE:-1}"
JMH_ARGS="${JMH_ARGS:--wi 3 -i 5 -w 1 -r 1}"
RESULTS="${RESULTS:-$BENCH_DIR/target/ab-results}"

[[ -n "$PATTERN" ]] || die "BENCH (a JMH benchmark regex) is required"
[[ "$FORKS" =~ ^[1-9][0-9]*$ ]] || die "FORKS must be a positive integer: $FORKS"
[[ -f "$A_JAR" ]] || die "no jar at $A_JAR"
[[ -f "$B_JAR" ]] || die "no jar at $B_JAR"
[[ "$A_JAR" != "$B_JAR" || "$A_JVM" != "$B_JVM" ]] || die "A and B are the same jar with the same JVM options"
command -v jq >/dev/null || die "jq is needed to read JMH's JSON results"
command -v taskset >/dev/null || die "taskset (util-linux) is needed to pin the runs"

JAVA="$(find_java)"

rm -rf "$RESULTS"
mkdir -p "$RESULTS"

run_side() { # side, jar, jvm options, fork
    local -a jvm=()
    if [[ -n "$3" ]]; then
        jvm=(-jvmArgsAppend "$3")
    fi
    # shellcheck disable=SC2086 # JMH_ARGS is a word list on purpose
    taskset -c "$CORE" "$JAVA" -jar "$2" "$PATTERN" -f 1 $JMH_ARGS "${jvm[@]}" \
        -rf json -rff "$RESULTS/$1-$4.json" > "$RESULTS/$1-$4.txt" 2>&1 \
        || die "fork $4 of side $1 failed; see $RESULTS/$1-$4.txt"
}

for ((f = 1; f <= FORKS; f++)); do
    echo "fork $f/$FORKS" >&2
    run_side A "$A_JAR" "$A_JVM" "$f"
    run_side B "$B_JAR" "$B_JVM" "$f"
done

# side, fork, benchmark, value: one line per benchmark of each fork
for json in "$RESULTS"/*.json; do
    name="$(basename "$json" .json)"
    jq -r --arg side "${name%%-*}" --arg fork "${name#*-}" '.[] | [$side, $fork, .benchmark,
        (if (.secondaryMetrics.ringCpuNs != null and .secondaryMetrics.ops != null
             and .secondaryMetrics.ops.score > 0)
         then .secondaryMetrics.ringCpuNs.score / .secondaryMetrics.ops.score
         else .primaryMetric.score end)] | @tsv' "$json"
done > "$RESULTS/values.tsv"

awk -F'\t' -v a_desc="A: $A_JAR $A_JVM" -v b_desc="B: $B_JAR $B_JVM" '
    function median(arr, n,    i, j, t, s) {
        for (i = 1; i <= n; i++) s[i] = arr[i]
        for (i = 2; i <= n; i++) { t = s[i]; for (j = i - 1; j >= 1 && s[j] > t; j--) s[j + 1] = s[j]; s[j + 1] = t }
        return n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
    }
    function sorted(arr, n,    i, j, t, s, out) {
        for (i = 1; i <= n; i++) s[i] = arr[i]
        for (i = 2; i <= n; i++) { t = s[i]; for (j = i - 1; j >= 1 && s[j] > t; j--) s[j + 1] = s[j]; s[j + 1] = t }
        out = ""
        for (i = 1; i <= n; i++) out = out sprintf("%.1f ", s[i])
        return out
    }
    { v[$3, $1, $2] = $4; benches[$3] = 1; if ($2 > forks) forks = $2 }
    END {
        print a_desc
        print b_desc
        for (b in benches) {
            na = nb = nd = 0
            for (f = 1; f <= forks; f++) {
                if ((b, "A", f) in v) a[++na] = v[b, "A", f]
                if ((b, "B", f) in v) bb[++nb] = v[b, "B", f]
                if (((b, "A", f) in v) && ((b, "B", f) in v)) d[++nd] = v[b, "B", f] - v[b, "A", f]
            }
            printf "%s\n  A: %s(median %.1f)\n  B: %s(median %.1f)\n  B - A per pair: median %+.1f (%d pairs)\n",
                b, sorted(a, na), median(a, na), sorted(bb, nb), median(bb, nb), median(d, nd), nd
        }
    }' "$RESULTS/values.tsv" | tee "$RESULTS/summary.txt"
