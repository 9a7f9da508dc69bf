#!/bin/sh
# run.sh — money at scale: auto-approval of 1,000,000 pending submissions and
# a payout batch for 100,000 contributors (bench/money/money_bench.c).
#
#   bench/money/run.sh [BUILD_DIR]     # default build (release)
# Prints each phase's wall time and peak RSS; figures go to bench/MONEY_FIGURES.md.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
ninja -C "$build" money_bench >/dev/null
bin=$build/money_bench
dir=$(mktemp -d /tmp/fc-money-bench-XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$bin" setup "$dir" "${SUBS:-1000000}" 10000
"$bin" approve "$dir"
"$bin" payout-setup "$dir" "${CONTRIBUTORS:-100000}"
"$bin" payout "$dir"
"$bin" check "$dir"
du -sh "$dir" | awk '{print "data folder: " $1}'
