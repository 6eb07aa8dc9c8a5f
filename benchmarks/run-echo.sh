#!/usr/bin/env bash
# TCP echo side by side: the C liburing ceiling (native/echo_server.c), Reactor Netty on epoll and on io_uring
# (peers/ReactorNettyEchoServer), and reactive-uring's own server (peers/UringEchoServer, once it exists), each on
# one core, loaded by the closed-loop generator native/echo_load.c on the other core. Prints a summary (median and
# min–max over alternated rounds, ratios per round) and keeps the raw outputs.
#
# Usage: benchmarks/run-echo.sh
#   ROUNDS=5          alternated rounds; each round runs every connection count for every peer (the peer order
#                     rotates from round to round)
#   CONNS="16 64 256" connection counts
#   PEERS="..."       default: c rn-epoll rn-iouring, plus uring once its main class is in the jar; a requested Java
#                     peer whose main class is missing is an error. Peers are defined in peers-lib.sh, peer_command
#   SIZE=64           message size, bytes
#   WARMUP=5          seconds of load before the measured window (same connections, not counted)
#   DURATION=10       seconds measured
#   LOAD_MODE=uring   echo_load's driver: uring (multishot recv), uring-recv or epoll (see README: uring drives the
#                     most load from one core)
#   SERVER_CORE=1 CLIENT_CORE=0   the cores the server and the load generator are pinned to
#   QUIET_WAIT=30     seconds to wait at most, before each run, for the machine to be idle (< 25 % busy over 1 s)
#   MAX_OTHERS=20 RETRIES=2   a run during which other processes used more than MAX_OTHERS % of one core is
#                     repeated, up to RETRIES times
#   JAVA_OPTS=...     extra JVM options for every Java peer
#   RESULTS=dir       default benchmarks/target/echo-results
#
# Server CPU time over the measured window comes from /proc/<server pid>/stat (utime + stime, all threads), read by
# echo_load itself at the start and at the end of the window; divided by the requests of that window it is the
# "server CPU µs/request" column. One round of 3 connection counts x 4 peers takes about 4 minutes by default.
set -euo pipefail

SCRIPT=run-echo.sh
# shellcheck source-path=SCRIPTDIR source=peers-lib.sh
source "$(cd "$(dirname "$0")" && pwd)/peers-lib.sh"

ROUNDS="${ROUNDS:-5}"
CONNS="${CONNS:-16 64 256}"
SIZE="${SIZE:-64}"
WARMUP="${WARMUP:-5}"
DURATION="${DURATION:-10}"
LOAD_MODE="${LOAD_MODE:-uring}"
RESULTS="${RESULTS:-$BENCH/target/echo-results}"

[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer: $ROUNDS"
[[ "$SIZE" =~ ^[1-9][0-9]*$ ]] || die "SIZE must be a positive number of bytes: $SIZE"
[[ "$CONNS" =~ ^[1-9][0-9]*( [1-9][0-9]*)*$ ]] || die "CONNS must be connection counts separated by spaces: $CONNS"
[[ "$LOAD_MODE" =~ ^(uring|uring-recv|epoll)$ ]] || die "LOAD_MODE must be uring, uring-recv or epoll: $LOAD_MODE"
preflight
raise_nofile
JAVA="$(find_java)"

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
    echo "rounds: $ROUNDS, connections: $CONNS, message: $SIZE B, warm-up ${WARMUP}s, measured ${DURATION}s," \
        "load generator: echo_load -m $LOAD_MODE"
} >> "$RESULTS/machine.txt"
cat "$RESULTS/machine.txt" >&2

RAW="$RESULTS/raw.tsv"
printf '#round\tconns\tpeer\trps\tp50_us\tp99_us\tserver_cpu_us_per_req\tserver_cpu_pct\tclient_cpu_pct\tbusy_pct' > "$RAW"
printf '\tothers_cpu_pct\tattempts\n' >> "$RAW"
trap cleanup EXIT

value_of() { # key line
    sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<< "$2"
}

for ((round = 1; round <= ROUNDS; round++)); do
    for conns in $CONNS; do
        for peer in $(rotate $((round - 1)) "${PEER_LIST[@]}"); do
            for ((attempt = 1; ; attempt++)); do
                wait_until_quiet
                echo "round $round/$ROUNDS, $conns connections, $peer, attempt $attempt (machine ${BUSY}% busy," \
                    "waited ${WAITED}s)" >&2
                name="round$round-c$conns-$peer"
                start_server echo "$peer" "$RESULTS/$name-server.log"
                if ! line="$(taskset -c "$CLIENT_CORE" "$NATIVE/echo_load" -p "$PORT" -c "$conns" -s "$SIZE" \
                    -d "$DURATION" -w "$WARMUP" -m "$LOAD_MODE" -P "$SERVER_PID" 2> "$RESULTS/$name-load.err")"; then
                    stop_server
                    die "echo_load failed against $peer: $(cat "$RESULTS/$name-load.err")"
                fi
                stop_server
                echo "$line" >> "$RESULTS/$name-load.txt"
                others="$(value_of others_cpu_pct "$line")"
                if ((attempt > RETRIES)) || ! too_disturbed "${others:--}"; then
                    break
                fi
                echo "  other processes used ${others}% of a core during the run: again" >&2
            done
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$conns" "$peer" \
                "$(value_of rps "$line")" "$(value_of p50_us "$line")" "$(value_of p99_us "$line")" \
                "$(value_of server_cpu_us_per_req "$line")" "$(value_of server_cpu_pct "$line")" \
                "$(value_of client_cpu_pct "$line")" "$BUSY" "${others:--}" "$attempt" >> "$RAW"
        done
    done
done

{
    write_summary "TCP echo, $SIZE B messages: $ROUNDS rounds" "$RAW" "$RESULTS/machine.txt" "$CONNS" "${PEER_LIST[@]}"
    echo
    echo "Raw results: $RESULTS (raw.tsv; round*-c*-<peer>-load.txt from echo_load, one line per attempt;"
    echo "round*-c*-<peer>-server.log)."
} | tee "$RESULTS/summary.md"
