#!/bin/sh
# accuracy.sh — accuracy of `faircrowd aggregate` (every method) against the
# expert labels of the shared crowd datasets.
#
#   bench/quality/accuracy.sh            # from the repo root
#   FAIRCROWD=build/faircrowd FC_SHARED_DIR=../shared bench/quality/accuracy.sh
#
# Accuracy = share of truth.csv questions whose aggregated label equals the
# truth (datasets/README.md). Prints one line per dataset and method.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${FAIRCROWD:-$root/build/faircrowd}
shared=${FC_SHARED_DIR:-$root/../shared}
[ -x "$bin" ] || { echo "accuracy.sh: $bin not built (set FAIRCROWD)" >&2; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

printf '%-10s %-4s %8s %9s %8s\n' dataset method accuracy correct seconds
for dir in "$shared"/datasets/crowd/*/; do
	name=$(basename "$dir")
	[ -f "$dir/answer.csv" ] && [ -f "$dir/truth.csv" ] || continue
	for method in ${METHODS:-mv ds ods glad mace ebcc auto}; do
		start=$(date +%s.%N)
		"$bin" aggregate --method "$method" "$dir/answer.csv" >"$tmp"
		end=$(date +%s.%N)
		# The datasets' ids and labels are plain (no quoting), so splitting
		# on commas is exact; CR is stripped for the CRLF dataset.
		awk -F, -v name="$name" -v method="$method" -v secs="$(echo "$end - $start" | bc)" '
			{ sub(/\r$/, "") }
			FNR == 1 { next }
			NR == FNR { truth[$1] = $2; n++; next }
			($1 in truth) && truth[$1] == $2 { ok++ }
			END { printf "%-10s %-4s %8.5f %9s %8.3f\n", name, method, ok / n, ok "/" n, secs }
		' "$dir/truth.csv" "$tmp"
	done
done
