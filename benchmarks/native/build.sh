#!/usr/bin/env bash
# Builds the native liburing benchmark peer(s). Idempotent: apt-get runs only
# when a build dependency is missing, and gcc always rebuilds (it is fast).
#
# Usage: benchmarks/native/build.sh        (OUT=/some/dir to override output dir)
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
gcc -O2 -Wall -Wextra -o "$OUT/nop_bench" "$SRC_DIR/nop_bench.c" -luring
echo "$OUT/nop_bench"
