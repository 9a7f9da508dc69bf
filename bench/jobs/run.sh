#!/bin/sh
# run.sh — each scheduled job with N rows due (bench/jobs/jobs_bench.c), at
# 100,000 and 1,000,000 rows: the ratio says whether it is linear (~10).
#
#   bench/jobs/run.sh [BENCH_BINARY] [JOBS…]   # default build/jobs_bench, all jobs
# SIZES="100000 1000000" by default. Figures go to bench/README.md.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/jobs_bench}
[ $# -gt 0 ] && shift
[ "$bin" = "$root/build/jobs_bench" ] && ninja -C "$root/build" jobs_bench >/dev/null
jobs=${*:-lease lease-scattered upload outbox retention notice}
for job in $jobs; do
	for n in ${SIZES:-100000 1000000}; do
		dir=$(mktemp -d /tmp/fc-jobs-bench-XXXXXX)
		"$bin" setup "$job" "$dir" "$n" >/dev/null
		printf '%s %s: ' "$job" "$n"
		"$bin" run "$job" "$dir" | sed 's/^run [a-z-]*: //'
		rm -rf "$dir"
	done
done
