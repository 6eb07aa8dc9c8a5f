#!/usr/bin/env bash
# Builds the native liburing benchmark peers and load generators. Idempotent: apt-get runs only when a build
# dependency is missing, and gcc always rebuilds (it is fast).
#
#   nop_bench     NOP throughput (run-nop.sh)
#   echo_server   TCP echo server, the ceiling for run-echo.sh
#   echo_load     closed-loop TCP echo load generator (run-echo.sh)
#   http_plain    HTTP/1.1 plaintext responder, the ceiling for run-http.sh
#   idle_clients  holds N idle connections (run-idle.sh)
#
# Usage: benchmarks/native/build.sh        (OUT=/some/dir to override output dir)
# Prints the path of nop_bench last (run-nop.sh reads it); the others are beside it.
set -euo pipefail

SRC_DIR="$(cd "$(dirname "$0")" && pwd)"
OUT="${OUT:-$SRC_DIR/build}"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

missing=()
dpkg -s liburing-dev >/dev/null 2>&1 || missing+=(liburing-dev)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

mkdir -p "$OUT"
for program in echo_server echo_load http_plain; do
    gcc -O2 -Wall -Wextra -o "$OUT/$program" "$SRC_DIR/$program.c" -luring
done
gcc -O2 -Wall -Wextra -o "$OUT/idle_clients" "$SRC_DIR/idle_clients.c"
gcc -O2 -Wall -Wextra -o "$OUT/nop_bench" "$SRC_DIR/nop_bench.c" -luring
echo "$OUT/nop_bench"
