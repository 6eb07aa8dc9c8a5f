# shellcheck shell=bash
# Shared by run-echo.sh, run-http.sh and run-idle.sh (sourced, not run): the peer definitions, building, pinning,
# starting and stopping servers, CPU time from /proc, waiting for a quiet machine, and the summary statistics.
# The callers set SCRIPT (their name, for messages) before sourcing and `set -euo pipefail` themselves.
#
# Peers are defined in ONE place, peer_command below: a peer is a name and the command that starts it on a port.

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
JAR="$BENCH/target/benchmarks.jar"
NATIVE="$BENCH/native/build"
PEERS_PACKAGE="io.reactiveuring.benchmarks.peers"

SERVER_CORE="${SERVER_CORE:-1}"
CLIENT_CORE="${CLIENT_CORE:-0}"
QUIET_WAIT="${QUIET_WAIT:-30}"
# A measured run during which other processes used more than MAX_OTHERS % of one core is repeated, up to RETRIES
# times (the last attempt is kept either way, with its figure in the summary).
MAX_OTHERS="${MAX_OTHERS:-20}"
RETRIES="${RETRIES:-2}"
READY_TIMEOUT="${READY_TIMEOUT:-60}"
PORT_BASE="${PORT_BASE:-18000}"
# Extra JVM options for every Java peer (the same for all of them), e.g. "-Xmx1g" or, to let Netty use
# sun.misc.Unsafe on JDK 25 (it does not by default there), "--sun-misc-unsafe-memory-access=allow".
JAVA_OPTS="${JAVA_OPTS:-}"

die() {
    echo "$SCRIPT: $*" >&2
    exit 1
}

# ---- peers: name -> start command, for a kind of benchmark (echo or http) and a port. Sets the array CMD.
# A Java peer is `$JAVA <options> -cp $JAR <main class> <arguments>`; its main class must print a line starting with
# "ready" once it listens on the port, and exit on SIGTERM (see benchmarks/README.md, "Plugging in a server").
peer_command() { # kind peer port
    local kind="$1" peer="$2" port="$3"
    local -a java_peer=("$JAVA" --enable-native-access=ALL-UNNAMED)
    # shellcheck disable=SC2206 # JAVA_OPTS and PEER_JVM_OPTS are word lists on purpose
    java_peer+=($JAVA_OPTS ${PEER_JVM_OPTS:-} -cp "$JAR")
    case "$kind/$peer" in
    echo/c) CMD=("$NATIVE/echo_server" "$port") ;;
    echo/rn-epoll) CMD=("${java_peer[@]}" "$PEERS_PACKAGE.ReactorNettyEchoServer" epoll "$port") ;;
    echo/rn-iouring) CMD=("${java_peer[@]}" "$PEERS_PACKAGE.ReactorNettyEchoServer" io_uring "$port") ;;
    echo/uring) CMD=("${java_peer[@]}" "$PEERS_PACKAGE.UringEchoServer" "$port") ;;
    http/c) CMD=("$NATIVE/http_plain" "$port") ;;
    http/rn-epoll) CMD=("${java_peer[@]}" "$PEERS_PACKAGE.ReactorNettyHttpServer" epoll "$port") ;;
    http/rn-iouring) CMD=("${java_peer[@]}" "$PEERS_PACKAGE.ReactorNettyHttpServer" io_uring "$port") ;;
    http/uring) CMD=("${java_peer[@]}" "$PEERS_PACKAGE.UringHttpServer" "$port") ;;
    http/uring-reactor) CMD=("${java_peer[@]}" "$PEERS_PACKAGE.UringHttpServer" "$port" reactor) ;;
    *) die "unknown $kind peer '$peer' (known: c rn-epoll rn-iouring uring, and uring-reactor for http)" ;;
    esac
}

# The main class of a Java peer (the word after the jar in its command), or nothing for a native one.
peer_main_class() { # kind peer
    local i
    peer_command "$1" "$2" 0
    for ((i = 0; i + 1 < ${#CMD[@]}; i++)); do
        if [[ "${CMD[i]}" == "$JAR" ]]; then
            echo "${CMD[i + 1]}"
            return
        fi
    done
}

JAR_ENTRIES=""
jar_has_class() { # fully qualified class name (the jar's listing is read once)
    if [[ -z "$JAR_ENTRIES" ]]; then
        JAR_ENTRIES="$("$(dirname "$JAVA")/jar" tf "$JAR")" || die "cannot list $JAR"
    fi
    grep -qxF "${1//.//}.class" <<< "$JAR_ENTRIES"
}

# The peers that exist today: the C and Reactor Netty ones always, ours once its main class is in the jar.
default_peers() { # kind
    local peers="c rn-epoll rn-iouring"
    if jar_has_class "$(peer_main_class "$1" uring)"; then
        peers="$peers uring"
    fi
    echo "$peers"
}

# Fails, naming the class, when a requested Java peer's main class is not in the jar.
check_peers() { # kind peers...
    local kind="$1" peer class
    shift
    for peer in "$@"; do
        class="$(peer_main_class "$kind" "$peer")"
        if [[ -n "$class" ]] && ! jar_has_class "$class"; then
            die "peer '$peer' needs the main class $class, which is not in $JAR (not written yet, or the jar is" \
                "stale: rebuild with 'mvn -q -B -DskipTests package'); run with PEERS=\"...\" without it"
        fi
    done
}

# ---- tools
java_feature() {
    "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { print $2 }'
}

find_java() { # a JDK >= 25: JAVA_HOME if it is one, else the newest under /usr/lib/jvm
    local candidate version
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        version="$(java_feature "$JAVA_HOME/bin/java")"
        if [[ "${version%%.*}" -ge 25 ]]; then
            echo "$JAVA_HOME/bin/java"
            return
        fi
    fi
    while read -r candidate; do
        version="$(java_feature "$candidate")"
        if [[ -n "$version" && "${version%%.*}" -ge 25 ]]; then
            echo "$candidate"
            return
        fi
    done < <(find /usr/lib/jvm -mindepth 3 -maxdepth 3 -path '*/bin/java' 2>/dev/null | sort -rV)
    die "no JDK >= 25 found (set JAVA_HOME)"
}

apt_install_missing() { # command package [command package ...]
    local -a missing=()
    while (($# >= 2)); do
        command -v "$1" >/dev/null 2>&1 || missing+=("$2")
        shift 2
    done
    if ((${#missing[@]} > 0)); then
        echo "installing: ${missing[*]}" >&2
        local sudo=""
        [[ "$(id -u)" -eq 0 ]] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

build_native() {
    OUT="$NATIVE" bash "$BENCH/native/build.sh" >/dev/null
}

jar_is_stale() {
    [[ ! -f "$JAR" ]] && return 0
    [[ -n "$(find "$ROOT/pom.xml" "$ROOT"/*/pom.xml "$ROOT"/*/src -path '*/target' -prune -o -type f \
        -newer "$JAR" -print -quit 2>/dev/null)" ]]
}

build_jar() {
    if jar_is_stale; then
        echo "building $JAR ..." >&2
        (cd "$ROOT" && mvn -q -B -DskipTests package)
    fi
    [[ -f "$JAR" ]] || die "$JAR was not built"
}

raise_nofile() { # soft limit of open files up to the hard limit (the idle benchmark needs > 10,000)
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
}

preflight() {
    command -v taskset >/dev/null || die "taskset (util-linux) is needed to pin the benchmarks"
    command -v ss >/dev/null || die "ss (iproute2) is needed to see the servers' sockets"
    taskset -c "$SERVER_CORE" true 2>/dev/null || die "cannot pin to core $SERVER_CORE (nproc: $(nproc))"
    taskset -c "$CLIENT_CORE" true 2>/dev/null || die "cannot pin to core $CLIENT_CORE (nproc: $(nproc))"
    [[ "$QUIET_WAIT" =~ ^[0-9]+$ ]] || die "QUIET_WAIT must be a number of seconds: $QUIET_WAIT"
    [[ "$MAX_OTHERS" =~ ^[0-9]+$ && "$RETRIES" =~ ^[0-9]+$ ]] || die "MAX_OTHERS and RETRIES are whole numbers"
}

write_machine_info() { # file
    {
        echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "kernel: $(uname -sr)"
        echo "nproc: $(nproc)"
        echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
        echo "java: $("$JAVA" -version 2>&1 | head -n 1)"
        echo "liburing: $(dpkg-query -W -f='${Version}' liburing-dev 2>/dev/null || echo '?')"
        echo "server pinned to core $SERVER_CORE, load generator to core $CLIENT_CORE"
        echo "JAVA_OPTS: ${JAVA_OPTS:-(none)}"
    } > "$1"
}

# ---- machine load
busy_percent() { # share of all CPUs busy over one second, from /proc/stat
    local -a a b
    read -ra a < /proc/stat
    sleep 1
    read -ra b < /proc/stat
    awk -v a="${a[*]}" -v b="${b[*]}" 'BEGIN {
        n = split(a, x, " "); split(b, y, " ")
        # user nice system idle iowait irq softirq steal (guest time is already part of user)
        for (i = 2; i <= 9 && i <= n; i++) { d = y[i] - x[i]; total += d; if (i == 5 || i == 6) idle += d }
        printf "%d", (total > 0 ? 100 * (total - idle) / total : 0)
    }'
}

# Waits up to QUIET_WAIT seconds for < 25 % busy; sets BUSY to the last reading and WAITED to the seconds waited.
wait_until_quiet() {
    WAITED=0
    BUSY="$(busy_percent)"
    while ((BUSY >= 25 && WAITED < QUIET_WAIT)); do
        sleep 1
        WAITED=$((WAITED + 2))
        BUSY="$(busy_percent)"
    done
}

# ---- servers
SERVER_PID=""
NEXT_PORT="$PORT_BASE"

port_listening() { # port
    [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]
}

next_free_port() { # sets PORT: a fresh port per server start, so no server meets another's TIME_WAIT sockets
    while port_listening "$NEXT_PORT" || [[ -n "$(ss -Htan "sport = :$NEXT_PORT" 2>/dev/null)" ]]; do
        NEXT_PORT=$((NEXT_PORT + 1))
    done
    PORT="$NEXT_PORT"
    NEXT_PORT=$((NEXT_PORT + 1))
}

# Starts peer on a fresh port (PORT), pinned to SERVER_CORE, output to log; waits for its ready line and its
# listening socket. Sets SERVER_PID.
start_server() { # kind peer log
    local kind="$1" peer="$2" log="$3" waited=0
    next_free_port
    peer_command "$kind" "$peer" "$PORT"
    echo "\$ taskset -c $SERVER_CORE ${CMD[*]}" > "$log"
    # taskset execs the command, so $! is the server's own pid (the JVM or the C program).
    taskset -c "$SERVER_CORE" "${CMD[@]}" >> "$log" 2>&1 < /dev/null &
    SERVER_PID=$!
    until grep -q '^ready' "$log" && port_listening "$PORT"; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            wait "$SERVER_PID" 2>/dev/null || true
            SERVER_PID=""
            die "peer '$peer' exited before it was ready; its output ($log):"$'\n'"$(tail -n 20 "$log")"
        fi
        if ((waited >= READY_TIMEOUT * 10)); then
            stop_server
            die "peer '$peer' printed no 'ready' line or did not listen on port $PORT within ${READY_TIMEOUT}s ($log)"
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
}

cleanup() { # on exit: no server left running, no temporary file left behind
    stop_server
    rm -f "$CHILDREN_TIMES"
}

stop_server() { # SIGTERM, then SIGKILL after 10 s
    local pid="$SERVER_PID" i
    [[ -n "$pid" ]] || return 0
    SERVER_PID=""
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "$SCRIPT: server $pid ignored SIGTERM for 10 s, killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# utime + stime of every thread of pid, in µs (fields 14 and 15 of /proc/<pid>/stat, in clock ticks).
CLK_TCK="$(getconf CLK_TCK)"
proc_cpu_us() { # pid
    local stat rest
    stat="$(< "/proc/$1/stat")" || die "process $1 is gone"
    rest="${stat##*) }" # the command name may hold spaces and parentheses: count fields after the last ") "
    awk -v hz="$CLK_TCK" '{ printf "%.0f", ($12 + $13) * 1000000 / hz }' <<< "$rest"
}

# CPU time (user + system, µs) of the children this shell has waited for, from the `times` builtin, which must run
# in this shell, not in a command substitution's subshell (that has no children of its own): sets CHILDREN_CPU_US.
CHILDREN_TIMES="$(mktemp)"
children_cpu_us() {
    local line
    times > "$CHILDREN_TIMES"
    line="$(tail -n 1 "$CHILDREN_TIMES")"
    # shellcheck disable=SC2034 # read by the scripts that source this file
    CHILDREN_CPU_US="$(awk '{
        t = 0
        for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] }
        printf "%.0f", t * 1000000
    }' <<< "$line")"
}

# ---- statistics
stats_of() { # numbers on stdin -> "median min max" ("- - -" when there are none)
    sort -g | awk '
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

# Column `col` of raw.tsv rows with conns and peer -> "median min max".
metric_stats() { # raw conns peer col
    awk -F'\t' -v c="$2" -v p="$3" -v col="$4" '$2 == c && $3 == p && $col != "-" { print $col }' "$1" | stats_of
}

# Per-round ratio of column col between peers a and b at conns -> "median min max".
ratio_stats() { # raw conns a b col
    awk -F'\t' -v c="$2" -v a="$3" -v b="$4" -v col="$5" '
        $2 == c && $3 == a && $col != "-" { va[$1] = $col }
        $2 == c && $3 == b && $col != "-" { vb[$1] = $col }
        END { for (r in va) if ((r in vb) && vb[r] > 0) print va[r] / vb[r] }' "$1" | stats_of
}

# "ahead" per DESIGN.md: the medians differ and the min-max ranges do not overlap. Higher is better for
# throughput, lower for CPU time and latency. Prints ▲ (a better), ▼ (a worse) or ≈.
compare_mark() { # raw conns a b col higher|lower
    local am alo ahi bm blo bhi
    read -r am alo ahi <<< "$(metric_stats "$1" "$2" "$3" "$5")"
    read -r bm blo bhi <<< "$(metric_stats "$1" "$2" "$4" "$5")"
    [[ "$am" == "-" || "$bm" == "-" ]] && { echo "?"; return; }
    awk -v alo="$alo" -v ahi="$ahi" -v blo="$blo" -v bhi="$bhi" -v dir="$6" 'BEGIN {
        better = (dir == "higher") ? (alo > bhi) : (ahi < blo)
        worse = (dir == "higher") ? (ahi < blo) : (alo > bhi)
        print better ? "▲" : (worse ? "▼" : "≈")
    }'
}

# Markdown: one table per metric, rows = peer, columns = against peer, cells = per-round ratio median (min–max)
# and the ▲/▼/≈ mark of the ranges.
ratio_matrix() { # raw conns title col higher|lower peers...
    local raw="$1" conns="$2" title="$3" col="$4" dir="$5" a b m lo hi
    shift 5
    echo
    echo "$title (row ÷ column, per round; ▲ row better with non-overlapping ranges, ▼ worse, ≈ overlapping):"
    echo
    printf '| |'
    for b in "$@"; do printf ' vs %s |' "$b"; done
    echo
    printf '| --- |'
    for b in "$@"; do printf ' --- |'; done
    echo
    for a in "$@"; do
        printf '| %s |' "$a"
        for b in "$@"; do
            if [[ "$a" == "$b" ]]; then
                printf ' – |'
            else
                read -r m lo hi <<< "$(ratio_stats "$raw" "$conns" "$a" "$b" "$col")"
                printf ' %s %s |' "$(fmt "$m" "$lo" "$hi" 3)" "$(compare_mark "$raw" "$conns" "$a" "$b" "$col" "$dir")"
            fi
        done
        echo
    done
}

# Rotates a word list by n (round r starts with a different peer, so no peer always runs first or last).
rotate() { # n words...
    local n="$1"
    shift
    local -a words=("$@")
    local count=${#words[@]} i
    for ((i = 0; i < count; i++)); do
        printf '%s ' "${words[(i + n) % count]}"
    done
}

# ---- the summary of run-echo.sh and run-http.sh
# raw.tsv columns: round, conns, peer, requests/s, p50 µs, p99 µs, server CPU µs per request, server CPU %,
# load generator CPU %, machine busy % before the run, other processes' CPU % during the measured window, attempts.
write_summary() { # title raw machine-file conns-list peers...
    local title="$1" raw="$2" machine="$3" conns_list="$4" conns peer col
    shift 4
    echo "## $title"
    echo
    sed 's/^/    /' "$machine"
    echo
    echo "Median (min–max) over the rounds; CPU time is the server process's utime + stime (all its threads) over the"
    echo "measured window, from /proc/<pid>/stat."
    local rounds
    rounds="$(awk -F'\t' '!/^#/ { r[$1] = 1 } END { print length(r) }' "$raw")"
    if ((rounds < 5)); then
        echo
        echo "**$rounds round(s) only**: min–max ranges of fewer than 5 rounds say little, and the ▲/▼ marks are not"
        echo "the \"ahead\" of DESIGN.md (which needs at least 5 alternated rounds)."
    fi
    for conns in $conns_list; do
        echo
        echo "### $conns connections"
        echo
        echo "| peer | requests/s | p50 µs | p99 µs | server CPU µs/request | server CPU % | load generator CPU % |" \
            "other processes CPU % |"
        echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
        for peer in "$@"; do
            printf '| %s |' "$peer"
            for col in 4:0 5:1 6:1 7:2 8:1 9:1 11:1; do
                # shellcheck disable=SC2046 # metric_stats prints three words on purpose
                printf ' %s |' "$(fmt $(metric_stats "$raw" "$conns" "$peer" "${col%%:*}") "${col##*:}")"
            done
            echo
        done
        if (($# > 1)); then
            ratio_matrix "$raw" "$conns" "Throughput ratio" 4 higher "$@"
            ratio_matrix "$raw" "$conns" "Server CPU per request ratio" 7 lower "$@"
            ratio_matrix "$raw" "$conns" "p99 latency ratio" 6 lower "$@"
        fi
    done
    echo
    echo "Machine load (busy % of both cores over 1 s) before each run: $(awk -F'\t' '!/^#/ { print $10 }' "$raw" |
        stats_of | awk '{ printf "median %s, min %s, max %s", $1, $2, $3 }'). \"Other processes CPU %\" is what"
    echo "everything but the server and the load generator ran during the measured window (% of one core, from"
    echo "/proc/stat); a run is repeated (up to RETRIES times) while it exceeds MAX_OTHERS ($MAX_OTHERS %). Runs that needed"
    echo "more than one attempt: $(awk -F'\t' '!/^#/ && $12 > 1 { n++ } END { print n + 0 }' "$raw")."
}

# Whether a measured run was disturbed by other processes beyond MAX_OTHERS (% of one core).
too_disturbed() { # others_cpu_pct
    awk -v o="$1" -v max="$MAX_OTHERS" 'BEGIN { exit !(o != "-" && o > max) }'
}

# Busy time of all CPUs, µs (user + nice + system + irq + softirq + steal of the first line of /proc/stat).
machine_busy_us() {
    local -a cpu
    read -ra cpu < /proc/stat
    awk -v hz="$CLK_TCK" -v u="${cpu[1]}" -v n="${cpu[2]}" -v s="${cpu[3]}" -v i="${cpu[6]}" -v si="${cpu[7]}" \
        -v st="${cpu[8]}" 'BEGIN { printf "%.0f", (u + n + s + i + si + st) * 1000000 / hz }'
}
