#!/usr/bin/env bash
# HTTP/1.1 plaintext keep-alive side by side under wrk: the C liburing ceiling (native/http_plain.c), Reactor Netty
# on epoll and on io_uring (peers/ReactorNettyHttpServer), and reactive-uring's own server (peers/UringHttpServer,
# once it exists), each on one core, wrk (one thread) on the other core. Every peer must answer
# GET /plaintext with the same bytes (status line, header names, order and values, body; only the Date value
# differs): the script checks one response of each peer before loading it. Prints a summary (median and min–max
# over alternated rounds, ratios per round) and keeps the raw outputs.
#
# Usage: benchmarks/run-http.sh
#   ROUNDS=5          alternated rounds; each round runs every connection count for every peer (the peer order
#                     rotates from round to round)
#   CONNS="16 64 256" connection counts (wrk -c)
#   PEERS="..."       default: c rn-epoll rn-iouring, plus uring once its main class is in the jar; a requested Java
#                     peer whose main class is missing is an error. Peers are defined in peers-lib.sh, peer_command
#   WARMUP=20         seconds of wrk before the measured run (JIT warm-up, not counted): a Reactor Netty peer on one
#                     core (its C2 compiler thread shares the core with the event loop) needs ~20 s to settle
#   DURATION=10       seconds measured (wrk -d)
#   STRICT_RESPONSE=1 a peer whose response differs from the reference bytes stops the run (0: warn and go on)
#   SERVER_CORE=1 CLIENT_CORE=0   the cores the server and wrk are pinned to
#   QUIET_WAIT=30     seconds to wait at most, before each run, for the machine to be idle (< 25 % busy over 1 s)
#   MAX_OTHERS=20 RETRIES=2   a run during which other processes used more than MAX_OTHERS % of one core is
#                     repeated, up to RETRIES times
#   JAVA_OPTS=...     extra JVM options for every Java peer
#   RESULTS=dir       default benchmarks/target/http-results
#
# Server CPU time over the measured window: utime + stime of the server process (all threads) from
# /proc/<pid>/stat, read right before wrk starts and right after it ends, divided by wrk's request count. wrk's
# own CPU time is the `times` of this shell's children around it. Installs wrk from Debian when it is missing.
set -euo pipefail

SCRIPT=run-http.sh
# shellcheck source-path=SCRIPTDIR source=peers-lib.sh
source "$(cd "$(dirname "$0")" && pwd)/peers-lib.sh"

ROUNDS="${ROUNDS:-5}"
CONNS="${CONNS:-16 64 256}"
WARMUP="${WARMUP:-20}"
DURATION="${DURATION:-10}"
STRICT_RESPONSE="${STRICT_RESPONSE:-1}"
RESULTS="${RESULTS:-$BENCH/target/http-results}"

[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer: $ROUNDS"
[[ "$CONNS" =~ ^[1-9][0-9]*( [1-9][0-9]*)*$ ]] || die "CONNS must be connection counts separated by spaces: $CONNS"
[[ "$WARMUP" =~ ^[0-9]+$ && "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "WARMUP and DURATION are whole seconds"
preflight
raise_nofile
apt_install_missing wrk wrk
JAVA="$(find_java)"

build_native
build_jar
PEERS="${PEERS:-$(default_peers http)}"
read -ra PEER_LIST <<< "$PEERS"
((${#PEER_LIST[@]} > 0)) || die "PEERS is empty"
check_peers http "${PEER_LIST[@]}"

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
write_machine_info "$RESULTS/machine.txt"
{
    echo "peers: ${PEER_LIST[*]}"
    echo "rounds: $ROUNDS, connections: $CONNS, warm-up ${WARMUP}s, measured ${DURATION}s, $(wrk --version 2>&1 |
        head -n 1 | cut -d' ' -f1-2), wrk -t1 -c<conns> -d${DURATION}s --latency"
} >> "$RESULTS/machine.txt"
cat "$RESULTS/machine.txt" >&2

RAW="$RESULTS/raw.tsv"
printf '#round\tconns\tpeer\trps\tp50_us\tp99_us\tserver_cpu_us_per_req\tserver_cpu_pct\tclient_cpu_pct\tbusy_pct' > "$RAW"
printf '\tothers_cpu_pct\tattempts\n' >> "$RAW"
trap cleanup EXIT

# The reference response (native/http_plain.c), with the Date value as an IMF-fixdate pattern.
CRLF=$'\r\n'
REFERENCE_RE="^HTTP/1\\.1 200 OK${CRLF}Content-Length: 13${CRLF}Content-Type: text/plain${CRLF}"
REFERENCE_RE+="Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
REFERENCE_RE+="[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT${CRLF}${CRLF}Hello, World!\$"

# One keep-alive request, as wrk sends it. Waits up to 20 s for the first bytes (a cold JVM loads its HTTP classes
# on the first request), then reads until the connection has been quiet for 0.5 s.
check_response() { # peer file
    local response="" chunk="" timeout=20
    exec 3<> "/dev/tcp/127.0.0.1/$PORT"
    printf 'GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n' "$PORT" >&3
    while IFS= read -r -d '' -t "$timeout" -N 4096 chunk <&3 || [[ -n "$chunk" ]]; do
        [[ -n "$chunk" ]] || break
        response+="$chunk"
        chunk=""
        timeout=0.5
        ((${#response} < 65536)) || break
    done
    exec 3<&-
    printf '%s' "$response" > "$2"
    if [[ "$response" =~ $REFERENCE_RE ]]; then
        return 0
    fi
    if [[ "$STRICT_RESPONSE" == 1 ]]; then
        stop_server
        die "peer '$1' does not answer with the reference bytes (see $2; od -c shows the CRs)"
    fi
    echo "$SCRIPT: warning: peer '$1' answers differently from the reference (see $2)" >&2
}

to_us() { # wrk duration (e.g. 621.00us, 1.10ms, 2.00s) -> µs
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.1f", v }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.1f", v * 1000 }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.1f", v * 1000000 }
        else printf "-"
    }'
}

# One run: start the peer, check its response, warm up, measure, stop. Sets rps p50 p99 cpu_per_req server_pct
# client_pct others.
measure_once() { # peer conns name
    local peer="$1" conns="$2" name="$3" url out requests client0 client1 server0 server1 machine0 machine1 start_ns end_ns
    start_server http "$peer" "$RESULTS/$name-server.log"
    check_response "$peer" "$RESULTS/$name-response.txt"
    url="http://127.0.0.1:$PORT/plaintext"
    if ((WARMUP > 0)); then
        taskset -c "$CLIENT_CORE" wrk -t1 -c"$conns" -d"${WARMUP}s" "$url" > "$RESULTS/$name-warmup.txt" 2>&1 ||
            die "wrk (warm-up) failed against $peer: $(tail -n 5 "$RESULTS/$name-warmup.txt")"
    fi
    out="$RESULTS/$name-wrk.txt"
    children_cpu_us
    client0="$CHILDREN_CPU_US"
    server0="$(proc_cpu_us "$SERVER_PID")"
    machine0="$(machine_busy_us)"
    start_ns="$(date +%s%N)"
    taskset -c "$CLIENT_CORE" wrk -t1 -c"$conns" -d"${DURATION}s" --latency "$url" > "$out" 2>&1 ||
        die "wrk failed against $peer: $(tail -n 5 "$out")"
    end_ns="$(date +%s%N)"
    machine1="$(machine_busy_us)"
    server1="$(proc_cpu_us "$SERVER_PID")"
    children_cpu_us
    client1="$CHILDREN_CPU_US"
    stop_server

    if grep -q 'Non-2xx or 3xx responses' "$out"; then
        die "$peer answered errors under load (see $out)"
    fi
    if grep -q 'Socket errors' "$out"; then
        echo "$SCRIPT: warning: wrk saw socket errors against $peer: $(grep 'Socket errors' "$out")" >&2
    fi
    requests="$(awk '/requests in/ { print $1; exit }' "$out")"
    [[ "$requests" =~ ^[0-9]+$ && "$requests" -gt 0 ]] || die "no requests counted against $peer (see $out)"
    rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
    p50="$(to_us "$(awk '$1 == "50%" { print $2; exit }' "$out")")"
    p99="$(to_us "$(awk '$1 == "99%" { print $2; exit }' "$out")")"
    read -r cpu_per_req server_pct client_pct others <<< "$(awk -v s0="$server0" -v s1="$server1" -v c0="$client0" \
        -v c1="$client1" -v m0="$machine0" -v m1="$machine1" -v n="$requests" -v t0="$start_ns" -v t1="$end_ns" '
        BEGIN {
            wall_us = (t1 - t0) / 1000
            printf "%.3f %.1f %.1f %.1f", (s1 - s0) / n, 100 * (s1 - s0) / wall_us, 100 * (c1 - c0) / wall_us,
                100 * ((m1 - m0) - (s1 - s0) - (c1 - c0)) / wall_us
        }')"
    cp "$out" "$RESULTS/$name-wrk-attempt$attempt.txt"
}

for ((round = 1; round <= ROUNDS; round++)); do
    for conns in $CONNS; do
        for peer in $(rotate $((round - 1)) "${PEER_LIST[@]}"); do
            for ((attempt = 1; ; attempt++)); do
                wait_until_quiet
                echo "round $round/$ROUNDS, $conns connections, $peer, attempt $attempt (machine ${BUSY}% busy," \
                    "waited ${WAITED}s)" >&2
                measure_once "$peer" "$conns" "round$round-c$conns-$peer"
                if ((attempt > RETRIES)) || ! too_disturbed "$others"; then
                    break
                fi
                echo "  other processes used ${others}% of a core during the run: again" >&2
            done
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$conns" "$peer" "$rps" "$p50" "$p99" \
                "$cpu_per_req" "$server_pct" "$client_pct" "$BUSY" "$others" "$attempt" >> "$RAW"
        done
    done
done

{
    write_summary "HTTP/1.1 plaintext (wrk, keep-alive): $ROUNDS rounds" "$RAW" "$RESULTS/machine.txt" "$CONNS" \
        "${PEER_LIST[@]}"
    echo
    echo "Raw results: $RESULTS (raw.tsv, round*-c*-<peer>-wrk.txt, -warmup.txt, -response.txt, -server.log)."
} | tee "$RESULTS/summary.md"
