#!/usr/bin/env bash
# NOP benchmarks side by side: the C liburing peer (native/nop_bench.c) and the JMH benchmarks (the engine's
# callback API, NOPs as Reactor Monos, a bare FFM loop over the same Ring, the cross-thread round trip), in
# alternated rounds, each process pinned to one core. Prints a summary table (median and min-max over rounds) and the target ratios.
#
# Usage: benchmarks/run-nop.sh
#   ROUNDS=5      alternated rounds (C batched, C single, one JMH run of all seven Java variants)
#   CORE=1        the core every benchmark process is pinned to (core 0 is left to the OS)
#   RESULTS=dir   where raw outputs and summary.md go (default benchmarks/target/nop-results)
#   JMH_ARGS=...  extra JMH arguments, e.g. "-f 2" or "-i 10"
#   C_BATCHED_OPS, C_SINGLE_OPS  NOPs per C run (default 10M and 2M)
#   QUIET_WAIT=30 seconds to wait at most, before each round, for the machine to be idle (< 25% busy over 1 s):
#                 on a shared machine other processes preempt the pinned benchmark and inflate its wall time
#
# Wall time per op is what the targets are phrased in; CPU time per op of the thread that does the io_uring work
# (the C process, the engine's loop thread, the bare FFM benchmark thread) is the steadier figure on a shared
# machine, because time lost to other processes is not counted. Both are reported, ratios too.
#
# The jar is (re)built with `mvn -q -B -DskipTests package` from the repository root when it is missing or older
# than the sources it depends on (set MAVEN_ARGS=-o to stay offline). One run of 5 rounds takes about 9 minutes.
set -euo pipefail

BENCH="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
ROUNDS="${ROUNDS:-5}"
CORE="${CORE:-1}"
RESULTS="${RESULTS:-$BENCH/target/nop-results}"
JMH_ARGS="${JMH_ARGS:-}"
C_BATCHED_OPS="${C_BATCHED_OPS:-10000000}"
C_SINGLE_OPS="${C_SINGLE_OPS:-2000000}"
QUIET_WAIT="${QUIET_WAIT:-30}"
JAR="$BENCH/target/benchmarks.jar"
JMH_INCLUDE='^io\.reactiveuring\.benchmarks\.(EngineNopBenchmark|MonoNopBenchmark|BareFfmNopBenchmark|FlatMapFloorBenchmark)\.'

die() {
    echo "run-nop.sh: $*" >&2
    exit 1
}

[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer: $ROUNDS"
[[ "$QUIET_WAIT" =~ ^[0-9]+$ ]] || die "QUIET_WAIT must be a number of seconds: $QUIET_WAIT"
command -v taskset >/dev/null || die "taskset (util-linux) is needed to pin the benchmarks"
command -v jq >/dev/null || die "jq is needed to read JMH's JSON results"
taskset -c "$CORE" true 2>/dev/null || die "cannot pin to core $CORE (nproc: $(nproc))"

# A JDK >= 25 to run the jar: JAVA_HOME if it is one, else the newest under /usr/lib/jvm.
java_feature() {
    "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { print $2 }'
}
find_java() {
    local candidate version
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        version="$(java_feature "$JAVA_HOME/bin/java")"
        if [[ "${version%%.*}" -ge 25 ]]; then
            echo "$JAVA_HOME/bin/java"
            return
        fi
    fi
    for candidate in $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV); do
        version="$(java_feature "$candidate")"
        if [[ -n "$version" && "${version%%.*}" -ge 25 ]]; then
            echo "$candidate"
            return
        fi
    done
    die "no JDK >= 25 found (set JAVA_HOME)"
}
JAVA="$(find_java)"

# ---- build
C_PEER="$(OUT="$BENCH/native/build" bash "$BENCH/native/build.sh" | tail -n 1)"
[[ -x "$C_PEER" ]] || die "the C peer did not build"

jar_is_stale() {
    [[ ! -f "$JAR" ]] && return 0
    [[ -n "$(find "$ROOT/pom.xml" "$ROOT/core" "$ROOT/reactor" "$BENCH/pom.xml" "$BENCH/src" \
        -path '*/target' -prune -o -type f -newer "$JAR" -print -quit)" ]]
}
if jar_is_stale; then
    echo "building $JAR ..." >&2
    (cd "$ROOT" && mvn -q -B -DskipTests package)
fi
[[ -f "$JAR" ]] || die "$JAR was not built"

# ---- run
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "kernel: $(uname -sr)"
    echo "nproc: $(nproc)"
    echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "java: $("$JAVA" -version 2>&1 | head -n 1)"
    echo "pinned to core: $CORE"
    echo "rounds: $ROUNDS"
} > "$RESULTS/machine.txt"
cat "$RESULTS/machine.txt" >&2

RAW="$RESULTS/raw.tsv" # round, variant, ns/op, ring-thread CPU ns/op, caller CPU ns/op, alloc B/op
: > "$RAW"

c_line_value() { # key, line
    sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<< "$2"
}

run_c() { # round, mode, ops
    local line
    line="$(taskset -c "$CORE" "$C_PEER" "$2" "$3")"
    echo "$line" > "$RESULTS/round$1-c-$2.txt"
    printf '%s\tc-%s\t%s\t%s\t-\t-\n' "$1" "$2" "$(c_line_value ns_per_op "$line")" \
        "$(c_line_value cpu_ns_per_op "$line")" >> "$RAW"
}

run_jmh() { # round
    # Forks inherit the affinity of the pinned launcher, so the measured JVM runs on $CORE too.
    taskset -c "$CORE" "$JAVA" -jar "$JAR" $JMH_ARGS -prof gc -rf json -rff "$RESULTS/round$1-jmh.json" \
        "$JMH_INCLUDE" > "$RESULTS/round$1-jmh.txt" 2>&1 || die "JMH failed, see $RESULTS/round$1-jmh.txt"
    jq -r --arg round "$1" '
        { "EngineNopBenchmark.batched32": "engine-batched",
          "EngineNopBenchmark.chainedSingle": "engine-single",
          "EngineNopBenchmark.crossThreadRoundTrip": "engine-cross-thread",
          "MonoNopBenchmark.batched32": "mono-batched",
          "MonoNopBenchmark.chainedSingle": "mono-single",
          "MonoNopBenchmark.publisherBatched32": "publisher-batched",
          "BareFfmNopBenchmark.batched32": "ffm-batched",
          "BareFfmNopBenchmark.single": "ffm-single",
          "FlatMapFloorBenchmark.flatMap32": "floor-flatmap-sync",
          "FlatMapFloorBenchmark.flatMap32Async": "floor-flatmap-async",
          "FlatMapFloorBenchmark.concatMap": "floor-concatmap" } as $names
        | .[]
        | .secondaryMetrics as $s
        | [ $round,
            $names[.benchmark | split(".") | .[-2:] | join(".")],
            .primaryMetric.score,
            ($s.ringCpuNs.score / $s.ops.score),
            (if $s.callerCpuNs then ($s.callerCpuNs.score / $s.ops.score) else "-" end),
            $s["gc.alloc.rate.norm"].score ]
        | @tsv' "$RESULTS/round$1-jmh.json" >> "$RAW"
}

busy_percent() { # share of all CPUs busy over one second, from /proc/stat
    local a b
    a=($(head -n 1 /proc/stat))
    sleep 1
    b=($(head -n 1 /proc/stat))
    awk -v a="${a[*]}" -v b="${b[*]}" 'BEGIN {
        n = split(a, x, " "); split(b, y, " ")
        # user nice system idle iowait irq softirq steal (guest time is already part of user)
        for (i = 2; i <= 9 && i <= n; i++) { d = y[i] - x[i]; total += d; if (i == 5 || i == 6) idle += d }
        printf "%d", (total > 0 ? 100 * (total - idle) / total : 0)
    }'
}

wait_until_quiet() { # round
    local waited=0 busy
    busy="$(busy_percent)"
    while ((busy >= 25 && waited < QUIET_WAIT)); do
        sleep 1
        waited=$((waited + 2))
        busy="$(busy_percent)"
    done
    printf '%s\tbusy %s%% before the round (waited %ss), load %s\n' "$1" "$busy" "$waited" \
        "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$RESULTS/machine-load.txt"
}

for ((round = 1; round <= ROUNDS; round++)); do
    wait_until_quiet "$round"
    echo "round $round/$ROUNDS: C batched, C single, JMH ($(tail -n 1 "$RESULTS/machine-load.txt" | cut -f2))" >&2
    run_c "$round" batched "$C_BATCHED_OPS"
    run_c "$round" single "$C_SINGLE_OPS"
    run_jmh "$round"
done

# ---- summary
# Per-round ratios, each from the C run and the JMH run of the same round; by wall time (column 3) and by the CPU
# time of the thread doing the io_uring work (column 4).
awk -F'\t' '
    { wall[$1 SUBSEP $2] = $3; cpu[$1 SUBSEP $2] = $4; rounds[$1] = 1 }
    END {
        for (r in rounds) {
            printf "%s\tbatched-throughput\t%.3f\t%.3f\n", r,
                wall[r SUBSEP "c-batched"] / wall[r SUBSEP "engine-batched"],
                cpu[r SUBSEP "c-batched"] / cpu[r SUBSEP "engine-batched"]
            printf "%s\tengine-minus-ffm\t%.2f\t%.2f\n", r,
                wall[r SUBSEP "engine-batched"] - wall[r SUBSEP "ffm-batched"],
                cpu[r SUBSEP "engine-batched"] - cpu[r SUBSEP "ffm-batched"]
            printf "%s\tsingle-time\t%.3f\t%.3f\n", r,
                wall[r SUBSEP "engine-single"] / wall[r SUBSEP "c-single"],
                cpu[r SUBSEP "engine-single"] / cpu[r SUBSEP "c-single"]
            printf "%s\tmono-batched-throughput\t%.3f\t%.3f\n", r,
                wall[r SUBSEP "c-batched"] / wall[r SUBSEP "mono-batched"],
                cpu[r SUBSEP "c-batched"] / cpu[r SUBSEP "mono-batched"]
            # the library own cost per Mono subscription: what is left of mono-batched once the Reactor flatMap (an
            # asynchronous inner, as a ring op is) and the engine NOP are taken off
            printf "%s\tmono-own-cost\t%.1f\t%.1f\n", r,
                wall[r SUBSEP "mono-batched"] - wall[r SUBSEP "floor-flatmap-async"] - wall[r SUBSEP "engine-batched"],
                cpu[r SUBSEP "mono-batched"] - cpu[r SUBSEP "floor-flatmap-async"] - cpu[r SUBSEP "engine-batched"]
            # the reactive layer measured alone: the core publisher with minimal subscribers, no Reactor, above the engine
            printf "%s\tpublisher-own-cost\t%.1f\t%.1f\n", r,
                wall[r SUBSEP "publisher-batched"] - wall[r SUBSEP "engine-batched"],
                cpu[r SUBSEP "publisher-batched"] - cpu[r SUBSEP "engine-batched"]
            printf "%s\tmono-own-cost-sync-floor\t%.1f\t%.1f\n", r,
                wall[r SUBSEP "mono-batched"] - wall[r SUBSEP "floor-flatmap-sync"] - wall[r SUBSEP "engine-batched"],
                cpu[r SUBSEP "mono-batched"] - cpu[r SUBSEP "floor-flatmap-sync"] - cpu[r SUBSEP "engine-batched"]
            printf "%s\tmono-single-time\t%.3f\t%.3f\n", r,
                wall[r SUBSEP "mono-single"] / wall[r SUBSEP "c-single"],
                cpu[r SUBSEP "mono-single"] / cpu[r SUBSEP "c-single"]
        }
    }' "$RAW" > "$RESULTS/ratios.tsv"

stats() { # file, variant, column -> "median min max" (or "-" when the column has no numbers)
    awk -F'\t' -v want="$2" -v col="$3" '$2 == want && $col != "-" { print $col }' "$1" | sort -g | awk '
        { x[NR] = $1 }
        END {
            if (NR == 0) { print "- - -"; exit }
            median = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
            print median, x[1], x[NR]
        }'
}

fmt() { # median min max [decimals]
    local d="${4:-1}"
    if [[ "$1" == "-" ]]; then
        echo "-"
    else
        LC_ALL=C printf "%.${d}f (%.${d}f–%.${d}f)" "$1" "$2" "$3"
    fi
}

verdict() { # median min max op target ("ge" or "le")
    local median_ok range_ok
    median_ok="$(awk -v m="$1" -v t="$5" -v op="$4" \
        'BEGIN { ok = (op == "ge") ? (m >= t) : (m <= t); print (ok ? "met" : "MISSED") }')"
    range_ok="$(awk -v lo="$2" -v hi="$3" -v t="$5" -v op="$4" \
        'BEGIN { ok = (op == "ge") ? (lo >= t) : (hi <= t); print (ok ? "in every round" : "not in every round") }')"
    echo "$median_ok ($range_ok)"
}

{
    echo "## NOP results: $ROUNDS rounds, median (min–max)"
    echo
    sed 's/^/    /' "$RESULTS/machine.txt"
    echo
    echo "| variant | ns/op | Mops/s (median) | CPU ns/op, ring thread | CPU ns/op, caller | alloc B/op (gc.alloc.rate.norm) |"
    echo "| --- | --- | --- | --- | --- | --- |"
    for variant in c-batched ffm-batched engine-batched publisher-batched mono-batched floor-flatmap-sync floor-flatmap-async \
        c-single ffm-single engine-single mono-single floor-concatmap engine-cross-thread; do
        read -r ns_med ns_min ns_max <<< "$(stats "$RAW" "$variant" 3)"
        read -r cpu_med cpu_min cpu_max <<< "$(stats "$RAW" "$variant" 4)"
        read -r call_med call_min call_max <<< "$(stats "$RAW" "$variant" 5)"
        read -r alloc_med alloc_min alloc_max <<< "$(stats "$RAW" "$variant" 6)"
        mops="$(awk -v ns="$ns_med" 'BEGIN { printf "%.2f", 1000 / ns }')"
        echo "| $variant | $(fmt "$ns_med" "$ns_min" "$ns_max") | $mops | $(fmt "$cpu_med" "$cpu_min" "$cpu_max") |" \
            "$(fmt "$call_med" "$call_min" "$call_max") | $(fmt "$alloc_med" "$alloc_min" "$alloc_max" 3) |"
    done
    echo
    echo "| target | by wall time: per-round value, median (min–max) | verdict | by CPU time | verdict |"
    echo "| --- | --- | --- | --- | --- |"
    target_row() { # label, ratio name, decimals, op, target (op "-": reported, no target)
        local wm wlo whi cm clo chi
        read -r wm wlo whi <<< "$(stats "$RESULTS/ratios.tsv" "$2" 3)"
        read -r cm clo chi <<< "$(stats "$RESULTS/ratios.tsv" "$2" 4)"
        if [[ "$4" == "-" ]]; then
            echo "| $1 | $(fmt "$wm" "$wlo" "$whi" "$3") | reported | $(fmt "$cm" "$clo" "$chi" "$3") | reported |"
        else
            echo "| $1 | $(fmt "$wm" "$wlo" "$whi" "$3") | $(verdict "$wm" "$wlo" "$whi" "$4" "$5") |" \
                "$(fmt "$cm" "$clo" "$chi" "$3") | $(verdict "$cm" "$clo" "$chi" "$4" "$5") |"
        fi
    }
    target_row "engine batched / C batched throughput ≥ 0.7" batched-throughput 3 ge 0.7
    target_row "engine batched − bare FFM batched ≤ 20 ns/op" engine-minus-ffm 1 le 20
    target_row "engine single / C single time per op ≤ 1.5" single-time 3 le 1.5
    target_row "Mono batched: own cost above Reactor's async flatMap floor + engine ≤ 40 ns" mono-own-cost 1 le 40
    target_row "Mono batched: own cost above the sync flatMap floor + engine (no target)" mono-own-cost-sync-floor 1 - -
    target_row "core publisher batched, no Reactor: its cost above the engine (no target)" publisher-own-cost 1 - -
    target_row "Mono batched / C batched throughput (no target)" mono-batched-throughput 3 - -
    target_row "Mono single / C single time per op (no target)" mono-single-time 3 - -
    echo
    read -r m lo hi <<< "$(stats "$RAW" engine-cross-thread 3)"
    echo "Cross-thread round trip (reported, no target): $(fmt "$m" "$lo" "$hi" 0) ns."
    echo
    echo "Machine load before each round:"
    echo
    sed 's/^/    round /' "$RESULTS/machine-load.txt"
    echo
    echo "Raw results: $RESULTS (raw.tsv, ratios.tsv, round*-c-*.txt, round*-jmh.{txt,json})."
} | tee "$RESULTS/summary.md"
