#!/usr/bin/env bash
# Files on the ring, side by side (issue 11): 4 KiB random reads over a 1 GiB file at depth 1 and 32, in two places
# (tmpfs: the page-cache-hit path; disk: the device path), through the library (UringFile = the Reactor API, the
# core FileHandle, the engine floor; registered files and buffers on and off) against fio --ioengine=io_uring on the
# same file, against what a Reactor user does today (FileChannel reads in Mono.fromCallable(..).subscribeOn(
# boundedElastic()) at the same concurrency), the JDK's AsynchronousFileChannel and one blocking thread; IOPS and
# IOPS per CPU-second of the whole process (fio: its own usr+sys CPU); two rings against one (scaling); a 1 GiB
# copy against Files.copy; sequential read throughput. Page-cache residency (fincore) before and after every run.
#
# Usage: benchmarks/run-files.sh
#   ROUNDS=5           alternated rounds (every variant once per round, in the same order)
#   SECONDS_PER_RUN=10 measured seconds per random-read run; WARMUP=8 seconds before it (fio: ramp_time); the
#                      Reactor variants need that long on one core: with 2-3 s, C2 is still recompiling flatMap's
#                      drain loop (deoptimisations seen with -XX:+PrintCompilation) and takes half the core
#   SCALING_DEPTHS="32" depths of the two-ring scaling runs
#   DEPTHS="1 32"      queue depths
#   PLACES="tmpfs disk"
#   TMPFS_DIR=/dev/shm/uring-files-bench   DISK_DIR=/tmp/uring-files-bench   (must be different file systems)
#   CORE=1             the core single-ring runs and fio are pinned to; CORES=0,1 for the two-ring scaling runs
#   VARIANTS="uringfile,uringfile-plain,uringfile-directbufs,handle,handle-plain,engine,elastic,jdk-afc,blocking"
#   SCALING_VARIANTS="engine,handle,uringfile"   (run with 1 and 2 rings on $CORES)
#   WARM_DISK=1        read the disk file into the page cache before each disk run (the host reclaims it within
#                      seconds, so residency after the run says how much of it was served from memory)
#   RESULTS=dir        raw outputs and summary.md (default benchmarks/target/file-results)
#
# fio's flags, pinned and stated: --ioengine=io_uring --nonvectored=1 (IORING_OP_READ, as the library)
# --iodepth=D --iodepth_batch_submit=1 --iodepth_batch_complete_min=1 --iodepth_batch_complete_max=D
# --fixedbufs=0 --registerfiles=0 --sqthread_poll=0 --hipri=0 --direct=0 --bs=4k --rw=randread --norandommap
# --randrepeat=0 --numjobs=1 --time_based --runtime=SECONDS_PER_RUN --ramp_time=WARMUP, and --invalidate=0 (fio
# drops the file's page cache before a run by default, which would make it the only variant reading from the device);
# and a psync run at depth 1 for reference (what a blocking pread costs on the same file). Needs fio (installed with apt-get if missing), fincore
# (util-linux), jq, taskset. The jar is (re)built with `mvn -q -B -DskipTests package` when stale.
set -euo pipefail

BENCH="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
ROUNDS="${ROUNDS:-5}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
WARMUP="${WARMUP:-8}"
SCALING_DEPTHS="${SCALING_DEPTHS:-32}"
DEPTHS="${DEPTHS:-1 32}"
PLACES="${PLACES:-tmpfs disk}"
TMPFS_DIR="${TMPFS_DIR:-/dev/shm/uring-files-bench}"
DISK_DIR="${DISK_DIR:-/tmp/uring-files-bench}"
CORE="${CORE:-1}"
CORES="${CORES:-0,1}"
VARIANTS="${VARIANTS:-uringfile,uringfile-plain,uringfile-directbufs,handle,handle-plain,engine,elastic,jdk-afc,blocking}"
SCALING_VARIANTS="${SCALING_VARIANTS:-engine,handle,uringfile}"
WARM_DISK="${WARM_DISK:-1}"
RESULTS="${RESULTS:-$BENCH/target/file-results}"
JAR="$BENCH/target/benchmarks.jar"
SIZE=$((1 << 30))

die() {
    echo "run-files.sh: $*" >&2
    exit 1
}

[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer: $ROUNDS"
command -v taskset >/dev/null || die "taskset (util-linux) is needed"
command -v fincore >/dev/null || die "fincore (util-linux) is needed"
command -v jq >/dev/null || die "jq is needed to read fio's JSON"
if ! command -v fio >/dev/null; then
    echo "installing fio ..." >&2
    apt-get install -y fio >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y fio >/dev/null) \
        || die "fio is needed (apt-get install fio)"
fi
taskset -c "$CORE" true 2>/dev/null || die "cannot pin to core $CORE"

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

# ---- the files: 1 GiB of random bytes in each place, on two different file systems
place_dir() {
    case "$1" in
        tmpfs) echo "$TMPFS_DIR" ;;
        disk) echo "$DISK_DIR" ;;
        *) die "unknown place $1" ;;
    esac
}
for place in $PLACES; do
    d="$(place_dir "$place")"
    mkdir -p "$d"
    if [[ ! -f "$d/data.1g" || "$(stat -c %s "$d/data.1g")" != "$SIZE" ]]; then
        echo "making $d/data.1g ..." >&2
        head -c "$SIZE" /dev/urandom > "$d/data.1g"
        sync "$d/data.1g"
    fi
done
fs_type() { stat -f -c %T "$1"; }
if [[ " $PLACES " == *" tmpfs "* && " $PLACES " == *" disk "* ]]; then
    [[ "$(fs_type "$TMPFS_DIR")" == tmpfs ]] || die "$TMPFS_DIR is not on tmpfs ($(fs_type "$TMPFS_DIR"))"
    [[ "$(fs_type "$DISK_DIR")" != tmpfs ]] || die "$DISK_DIR is on tmpfs: the disk place needs a disk"
    [[ "$(stat -c %d "$TMPFS_DIR")" != "$(stat -c %d "$DISK_DIR")" ]] || die "the two places share a device"
fi

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "kernel: $(uname -sr)"
    echo "nproc: $(nproc)"
    echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "java: $("$JAVA" -version 2>&1 | head -n 1)"
    echo "fio: $(fio --version)"
    for place in $PLACES; do
        d="$(place_dir "$place")"
        echo "$place: $d ($(fs_type "$d"), device $(stat -c %d "$d"), $(df -h --output=source "$d" | tail -n 1))"
    done
    echo "rounds: $ROUNDS, ${SECONDS_PER_RUN} s measured after ${WARMUP} s warm-up per random-read run"
    echo "single-ring runs and fio pinned to core $CORE; scaling runs on cores $CORES"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$RESULTS/machine.txt"
cat "$RESULTS/machine.txt" >&2

RAW="$RESULTS/raw.tsv" # round, place, then FileBench's columns
echo -e "round\tplace\tmode\tvariant\tdepth\trings\tops_per_s\tmib_per_s\tcpu_s\tops_per_cpu_s\twall_s\tresident_before\tresident_after" > "$RAW"

warm() { # place file
    if [[ "$1" == disk && "$WARM_DISK" == 1 ]]; then
        cat "$2" > /dev/null
    fi
}

resident() { fincore --bytes --noheadings --output RES "$1" 2>/dev/null || echo -1; }

run_fio() { # round place depth engine
    local f before json iops usr sys runtime_ms cpu
    f="$(place_dir "$2")/data.1g"
    warm "$2" "$f"
    before="$(resident "$f")"
    local flags=(--name=randread --filename="$f" --size=1g --rw=randread --bs=4k --ioengine="$4" --iodepth="$3"
        --direct=0 --invalidate=0 --norandommap --randrepeat=0 --numjobs=1 --time_based --runtime="$SECONDS_PER_RUN"
        --ramp_time="$WARMUP" --output-format=json)
    if [[ "$4" == io_uring ]]; then
        flags+=(--nonvectored=1 --iodepth_batch_submit=1 --iodepth_batch_complete_min=1
            --iodepth_batch_complete_max="$3" --fixedbufs=0 --registerfiles=0 --sqthread_poll=0 --hipri=0)
    fi
    json="$RESULTS/round$1-$2-fio-$4-d$3.json"
    taskset -c "$CORE" fio "${flags[@]}" > "$json"
    iops="$(jq '.jobs[0].read.iops' "$json")"
    usr="$(jq '.jobs[0].usr_cpu' "$json")"
    sys="$(jq '.jobs[0].sys_cpu' "$json")"
    runtime_ms="$(jq '.jobs[0].read.runtime' "$json")"
    cpu="$(awk -v u="$usr" -v s="$sys" -v r="$runtime_ms" 'BEGIN { printf "%.3f", (u + s) / 100 * r / 1000 }')"
    awk -v round="$1" -v place="$2" -v d="$3" -v e="fio-$4" -v iops="$iops" -v cpu="$cpu" -v r="$runtime_ms" \
        -v b="$before" -v a="$(resident "$f")" 'BEGIN {
            printf "%s\t%s\trandread\t%s\t%s\t1\t%.0f\t%.1f\t%.3f\t%.0f\t%.3f\t%s\t%s\n", round, place, e, d, iops,
                iops * 4096 / 1048576, cpu, (cpu > 0 ? iops * r / 1000 / cpu : 0), r / 1000, b, a }' >> "$RAW"
}

run_java() { # round place cpus tag mode variants extra-args... (tag, if set, is appended to the variant name)
    local round="$1" place="$2" cpus="$3" tag="$4" mode="$5" variants="$6"
    shift 6
    local f
    f="$(place_dir "$place")/data.1g"
    local IFS=','
    for v in $variants; do
        warm "$place" "$f"
        taskset -c "$cpus" "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" \
            io.reactiveuring.benchmarks.file.FileBench --mode "$mode" --file "$f" --variants "$v" "$@" \
            2>> "$RESULTS/java-stderr.txt" | awk -F'\t' -v OFS='\t' -v round="$round" -v place="$place" -v tag="$tag" \
            '{ if (tag != "") $2 = $2 tag; print round, place, $0 }' >> "$RAW"
    done
}

for ((round = 1; round <= ROUNDS; round++)); do
    echo "round $round/$ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    for place in $PLACES; do
        for depth in $DEPTHS; do
            run_fio "$round" "$place" "$depth" io_uring
            if [[ "$depth" == 1 ]]; then
                run_fio "$round" "$place" 1 psync
            fi
            run_java "$round" "$place" "$CORE" "" randread "$VARIANTS" --depth "$depth" --rings 1 \
                --warmup "$WARMUP" --seconds "$SECONDS_PER_RUN"
            if [[ " $SCALING_DEPTHS " == *" $depth "* ]]; then
                for rings in 1 2; do
                    run_java "$round" "$place" "$CORES" "@cores$CORES" randread "$SCALING_VARIANTS" \
                        --depth "$depth" --rings "$rings" --warmup "$WARMUP" --seconds "$SECONDS_PER_RUN"
                done
            fi
        done
        d="$(place_dir "$place")"
        run_java "$round" "$place" "$CORE" "" copy "files-copy,uring-splice,uring-rw" --dst "$d/copy.target"
        run_java "$round" "$place" "$CORE" "" seqread "filechannel,uring-stream" --chunk 65536
    done
done

# ---- summary: medians and min-max over rounds, per-round ratios
stats() { # values on stdin -> "median min max" or "- - -"
    sort -g | awk '{ x[NR] = $1 } END {
        if (NR == 0) { print "- - -"; exit }
        m = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
        print m, x[1], x[NR] }'
}
col() { # place mode variant depth rings column -> values, one per round (the first matching row of each round)
    awk -F'\t' -v p="$1" -v m="$2" -v v="$3" -v d="$4" -v r="$5" -v c="$6" \
        'NR > 1 && $2 == p && $3 == m && $4 == v && $5 == d && $6 == r && !seen[$1]++ { print $c }' "$RAW"
}
fmt() { # median min max [decimals]
    if [[ "$1" == "-" ]]; then echo "-"; else LC_ALL=C printf "%.${4:-0}f (%.${4:-0}f–%.${4:-0}f)" "$1" "$2" "$3"; fi
}
ratio() { # place mode vA dA rA vB dB rB column -> per-round ratios A/B
    paste <(col "$1" "$2" "$3" "$4" "$5" "$9") <(col "$1" "$2" "$6" "$7" "$8" "$9") |
        awk '$1 != "" && $2 > 0 { printf "%.4f\n", $1 / $2 }'
}
verdict() { # median min max target
    awk -v m="$1" -v lo="$2" -v t="$4" 'BEGIN {
        if (m == "-") { print "-"; exit }
        print (m >= t ? "met" : "MISSED") " (" (lo >= t ? "in every round" : "not in every round") ")" }'
}
# columns of raw.tsv: 7 ops_per_s, 8 mib_per_s, 10 ops_per_cpu_s, 13 resident_after
{
    echo "## Files: $ROUNDS round(s), median (min–max)"
    echo
    sed 's/^/    /' "$RESULTS/machine.txt"
    for place in $PLACES; do
        echo
        echo "### $place: 4 KiB random reads over 1 GiB"
        echo
        echo "| variant | depth | IOPS | IOPS per CPU-second | resident after (MiB, median) |"
        echo "| --- | --- | --- | --- | --- |"
        for depth in $DEPTHS; do
            for v in fio-io_uring fio-psync ${VARIANTS//,/ }; do
                d="$depth"
                [[ "$v" == blocking ]] && d=1
                [[ "$v" == fio-psync && "$depth" != 1 ]] && continue
                read -r im ilo ihi <<< "$(col "$place" randread "$v" "$d" 1 7 | stats)"
                read -r cm clo chi <<< "$(col "$place" randread "$v" "$d" 1 10 | stats)"
                read -r rm _ _ <<< "$(col "$place" randread "$v" "$d" 1 13 | stats)"
                res="-"
                [[ "$rm" != "-" ]] && res="$(awk -v r="$rm" 'BEGIN { printf "%.0f", r / 1048576 }')"
                echo "| $v | $depth | $(fmt "$im" "$ilo" "$ihi") | $(fmt "$cm" "$clo" "$chi") | $res |"
            done
        done
        echo
        echo "| target ($place) | per-round value, median (min–max) | verdict |"
        echo "| --- | --- | --- |"
        for depth in $DEPTHS; do
            for v in uringfile handle engine; do
                read -r m lo hi <<< "$(ratio "$place" randread "$v" "$depth" 1 fio-io_uring "$depth" 1 7 | stats)"
                echo "| $v / fio io_uring IOPS, depth $depth ≥ 0.9 | $(fmt "$m" "$lo" "$hi" 3) | $(verdict "$m" "$lo" "$hi" 0.9) |"
            done
            for peer in elastic jdk-afc; do
                read -r m lo hi <<< "$(ratio "$place" randread uringfile "$depth" 1 "$peer" "$depth" 1 10 | stats)"
                echo "| uringfile / $peer IOPS per CPU-s, depth $depth > 1 | $(fmt "$m" "$lo" "$hi" 3) | $(verdict "$m" "$lo" "$hi" 1.0) |"
            done
            read -r m lo hi <<< "$(ratio "$place" randread uringfile "$depth" 1 uringfile-plain "$depth" 1 7 | stats)"
            echo "| registered on / off (uringfile), depth $depth (reported) | $(fmt "$m" "$lo" "$hi" 3) | reported |"
            read -r m lo hi <<< "$(ratio "$place" randread uringfile "$depth" 1 uringfile-directbufs "$depth" 1 7 | stats)"
            echo "| buffered reads into registered chunks / pooled buffers (uringfile), depth $depth (reported) | $(fmt "$m" "$lo" "$hi" 3) | reported |"
        done
        echo
        echo "Scaling, two rings against one on cores $CORES (per-round IOPS ratio):"
        echo
        for depth in $SCALING_DEPTHS; do
            for v in ${SCALING_VARIANTS//,/ }; do
                read -r m lo hi <<< "$(ratio "$place" randread "$v@cores$CORES" "$depth" 2 "$v@cores$CORES" "$depth" 1 7 | stats)"
                echo "- $v, depth $depth per ring: $(fmt "$m" "$lo" "$hi" 2)"
            done
        done
        echo
        echo "Copy of 1 GiB and sequential read (MiB/s):"
        echo
        for v in files-copy uring-splice uring-rw; do
            read -r m lo hi <<< "$(col "$place" copy "$v" 1 1 8 | stats)"
            echo "- copy $v: $(fmt "$m" "$lo" "$hi" 0)"
        done
        read -r m lo hi <<< "$(ratio "$place" copy uring-splice 1 1 files-copy 1 1 8 | stats)"
        echo "- target: copy uring-splice / Files.copy ≥ 0.8: $(fmt "$m" "$lo" "$hi" 3), $(verdict "$m" "$lo" "$hi" 0.8)"
        for v in filechannel uring-stream; do
            read -r m lo hi <<< "$(col "$place" seqread "$v" 1 1 8 | stats)"
            echo "- sequential read $v (64 KiB chunks): $(fmt "$m" "$lo" "$hi" 0)"
        done
    done
    echo
    echo "Raw results: $RESULTS (raw.tsv, fio JSON per run, java-stderr.txt)."
} | tee "$RESULTS/summary.md"
