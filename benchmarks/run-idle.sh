#!/usr/bin/env bash
# Memory per idle TCP connection, per peer: starts a peer's echo server (the same peers as run-echo.sh), opens and
# closes WARM_CONNS connections (so lazily created pools and tables are not charged to the idle ones), records its
# memory, opens CONNECTIONS idle connections with native/idle_clients.c, waits until the server holds them all
# established, records again and reports the difference per connection.
#
# Usage: benchmarks/run-idle.sh
#   PEERS="..."         default: c rn-epoll rn-iouring, plus uring once its main class is in the jar
#   CONNECTIONS=10000   idle connections (the open-file limit must allow them; the script raises the soft limit
#                       to the hard limit)
#   ROUNDS=3            rounds (each peer once per round, a fresh server every time)
#   WARM_CONNS=100      connections opened and closed before the baseline
#   SETTLE=2            seconds to wait after the connections are established, before measuring
#   SERVER_CORE=1 CLIENT_CORE=0 QUIET_WAIT=30 JAVA_OPTS=... as in run-echo.sh
#   RESULTS=dir         default benchmarks/target/idle-results
#
# Measured, before and after: the server's RSS (VmRSS of /proc/<pid>/status: everything it touched, heap, native,
# code); for Java peers also the heap in use after a full GC (`jcmd <pid> GC.run`, then `GC.heap_info`), and the
# JVM's native memory outside the heap (Native Memory Tracking: the JVM runs with -XX:NativeMemoryTracking=summary,
# and `VM.native_memory summary` total committed minus the Java heap committed). Kernel memory of the sockets
# themselves (buffers, io_uring requests, epoll items) is in no process's RSS and is not counted.
set -euo pipefail

SCRIPT=run-idle.sh
# shellcheck source-path=SCRIPTDIR source=peers-lib.sh
source "$(cd "$(dirname "$0")" && pwd)/peers-lib.sh"

ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-10000}"
WARM_CONNS="${WARM_CONNS:-100}"
SETTLE="${SETTLE:-2}"
RESULTS="${RESULTS:-$BENCH/target/idle-results}"

[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer: $ROUNDS"
[[ "$CONNECTIONS" =~ ^[1-9][0-9]*$ ]] || die "CONNECTIONS must be a positive integer: $CONNECTIONS"
[[ "$WARM_CONNS" =~ ^[0-9]+$ && "$SETTLE" =~ ^[0-9]+$ ]] || die "WARM_CONNS and SETTLE are whole numbers"
preflight
raise_nofile
(($(ulimit -n) >= CONNECTIONS + 100)) ||
    die "the open-file limit ($(ulimit -n), hard $(ulimit -Hn)) is too low for $CONNECTIONS connections"
JAVA="$(find_java)"
JCMD="$(dirname "$JAVA")/jcmd"
[[ -x "$JCMD" ]] || die "no jcmd beside $JAVA"

build_native
build_jar
PEERS="${PEERS:-$(default_peers echo)}"
read -ra PEER_LIST <<< "$PEERS"
((${#PEER_LIST[@]} > 0)) || die "PEERS is empty"
check_peers echo "${PEER_LIST[@]}"

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
write_machine_info "$RESULTS/machine.txt"
{
    echo "peers: ${PEER_LIST[*]}"
    echo "rounds: $ROUNDS, idle connections: $CONNECTIONS, warm-up connections: $WARM_CONNS, settle ${SETTLE}s"
} >> "$RESULTS/machine.txt"
cat "$RESULTS/machine.txt" >&2

RAW="$RESULTS/raw.tsv"
printf '#round\tpeer\trss_before_kb\trss_after_kb\theap_before_kb\theap_after_kb\tnative_before_kb\tnative_after_kb\n' \
    > "$RAW"
CLIENTS_PID=""
stop_clients() {
    if [[ -n "$CLIENTS_PID" ]]; then
        kill -TERM "$CLIENTS_PID" 2>/dev/null || true
        wait "$CLIENTS_PID" 2>/dev/null || true
        CLIENTS_PID=""
    fi
}
trap 'stop_clients; cleanup' EXIT

established_on_server() { # port -> count of established connections whose local port is the server's
    ss -Htn state established "( sport = :$1 )" | wc -l
}

# Opens n idle connections from CLIENT_CORE; waits for idle_clients' "established" line and for the server to hold
# them all. Sets CLIENTS_PID.
open_idle() { # n log
    local n="$1" log="$2" waited=0
    taskset -c "$CLIENT_CORE" "$NATIVE/idle_clients" -n "$n" -p "$PORT" > "$log" 2>&1 < /dev/null &
    CLIENTS_PID=$!
    until grep -q '^established' "$log" && (($(established_on_server "$PORT") >= n)); do
        kill -0 "$CLIENTS_PID" 2>/dev/null || die "idle_clients failed: $(cat "$log")"
        ((waited < 1200)) || die "the server did not establish $n connections within 120 s (see $log)"
        sleep 0.1
        waited=$((waited + 1))
    done
}

close_idle() { # log
    stop_clients
    grep -q '^closed' "$1" || die "idle_clients did not close its connections cleanly: $(cat "$1")"
}

rss_kb() { # pid
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# Heap in use after a full GC, KiB: the "used" of every heap space line of GC.heap_info (serial: DefNew and Tenured;
# G1: garbage-first heap), not Metaspace.
heap_used_kb() { # pid log
    "$JCMD" "$1" GC.run > /dev/null
    "$JCMD" "$1" GC.heap_info | tee -a "$2" | awk '
        /Metaspace|class space/ { next }
        /total/ && match($0, /used [0-9]+K/) { sum += substr($0, RSTART + 5, RLENGTH - 6) }
        END { print sum + 0 }'
}

# Native memory the JVM committed outside the Java heap, KiB (NMT: total committed - Java Heap committed).
native_kb() { # pid log
    "$JCMD" "$1" VM.native_memory summary | tee -a "$2" | awk '
        /^Total:/ && match($0, /committed=[0-9]+KB/) { total = substr($0, RSTART + 10, RLENGTH - 12) }
        /Java Heap \(/ && match($0, /committed=[0-9]+KB/) { heap = substr($0, RSTART + 10, RLENGTH - 12) }
        END { print total - heap }'
}

measure() { # peer is-java log -> "rss heap native" (heap and native "-" for a native peer)
    if [[ "$2" == yes ]]; then
        local heap native
        heap="$(heap_used_kb "$SERVER_PID" "$3")"
        native="$(native_kb "$SERVER_PID" "$3")"
        echo "$(rss_kb "$SERVER_PID") $heap $native"
    else
        echo "$(rss_kb "$SERVER_PID") - -"
    fi
}

for ((round = 1; round <= ROUNDS; round++)); do
    for peer in $(rotate $((round - 1)) "${PEER_LIST[@]}"); do
        wait_until_quiet
        echo "round $round/$ROUNDS, $peer: $CONNECTIONS idle connections (machine ${BUSY}% busy)" >&2
        name="round$round-$peer"
        java=no
        [[ -n "$(peer_main_class echo "$peer")" ]] && java=yes
        PEER_JVM_OPTS=""
        [[ "$java" == yes ]] && PEER_JVM_OPTS="-XX:NativeMemoryTracking=summary"
        start_server echo "$peer" "$RESULTS/$name-server.log"
        if ((WARM_CONNS > 0)); then
            open_idle "$WARM_CONNS" "$RESULTS/$name-warm-clients.log"
            close_idle "$RESULTS/$name-warm-clients.log"
            sleep 1
        fi
        read -r rss0 heap0 native0 <<< "$(measure "$peer" "$java" "$RESULTS/$name-before.txt")"
        open_idle "$CONNECTIONS" "$RESULTS/$name-clients.log"
        sleep "$SETTLE"
        read -r rss1 heap1 native1 <<< "$(measure "$peer" "$java" "$RESULTS/$name-after.txt")"
        close_idle "$RESULTS/$name-clients.log"
        stop_server
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$peer" "$rss0" "$rss1" "$heap0" "$heap1" "$native0" \
            "$native1" >> "$RAW"
    done
done

per_conn_stats() { # peer before-col after-col -> "median min max" of (after - before) KiB * 1024 / CONNECTIONS
    awk -F'\t' -v p="$1" -v b="$2" -v a="$3" -v n="$CONNECTIONS" \
        '$2 == p && $b != "-" { print ($a - $b) * 1024 / n }' "$RAW" | stats_of
}

{
    echo "## Memory per idle connection: $CONNECTIONS connections, $ROUNDS rounds"
    echo
    sed 's/^/    /' "$RESULTS/machine.txt"
    echo
    echo "Bytes per idle connection, median (min–max) over the rounds: (after − before) / $CONNECTIONS. RSS is the"
    echo "whole process; heap is the Java heap in use after a full GC; native is what the JVM committed outside the"
    echo "heap (NMT). The sockets' kernel memory is not included."
    echo
    echo "| peer | RSS B/conn | heap B/conn | native (NMT, non-heap) B/conn | heap + native B/conn |"
    echo "| --- | --- | --- | --- | --- |"
    for peer in "${PEER_LIST[@]}"; do
        # shellcheck disable=SC2046 # the stats are three words on purpose
        printf '| %s | %s | %s | %s | %s |\n' "$peer" "$(fmt $(per_conn_stats "$peer" 3 4) 0)" \
            "$(fmt $(per_conn_stats "$peer" 5 6) 0)" "$(fmt $(per_conn_stats "$peer" 7 8) 0)" \
            "$(fmt $(awk -F'\t' -v p="$peer" -v n="$CONNECTIONS" \
                '$2 == p && $5 != "-" { print (($6 - $5) + ($8 - $7)) * 1024 / n }' "$RAW" | stats_of) 0)"
    done
    echo
    echo "Raw results: $RESULTS (raw.tsv in KiB, round*-<peer>-before.txt/-after.txt with the jcmd outputs, logs)."
} | tee "$RESULTS/summary.md"
