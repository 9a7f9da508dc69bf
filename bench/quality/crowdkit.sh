#!/bin/sh
# crowdkit.sh — faircrowd aggregate against crowd-kit's fit, side by side in
# one run, on the seeded 1M-answer set of ../shared/tools/gen_synth.py.
#
#   CROWDKIT_SRC=/work/crowd-kit DATA=/work/aggr-data bench/quality/crowdkit.sh [METHODS] [ROWS]
#
# CROWDKIT_SRC: a copy of github.com/Toloka/crowd-kit's source (not packaged
# for Debian; keep it outside this repository). DATA: a folder holding
# synth_1m.csv and synth_1m_truth.csv (made there by gen_synth.py if
# missing). METHODS defaults to "ds"; ROWS (default all) keeps the first ROWS
# answers, for the slower crowd-kit models. Python is Debian's /usr/bin/python3
# with python3-pandas, python3-sklearn, python3-scipy, python3-tqdm and
# python3-nltk (crowd-kit imports all of them).
#
# Per method, one line each for faircrowd (whole command: CSV read + fit +
# CSV write) and crowd-kit (fit_predict only, CSV read excluded), then the
# ratios of wall time and of CPU time. The CPU ratio is the one to trust on a
# busy machine; peak RSS is each whole process.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${FAIRCROWD:-$root/build/faircrowd}
src=${CROWDKIT_SRC:?set CROWDKIT_SRC to a copy of Toloka/crowd-kit}
data=${DATA:?set DATA to a folder for synth_1m.csv}
methods=${1:-ds}
rows=${2:-}
py=/usr/bin/python3
[ -x "$bin" ] || { echo "crowdkit.sh: $bin not built (set FAIRCROWD)" >&2; exit 1; }
if [ ! -f "$data/synth_1m.csv" ]; then
	(cd "$data" && "$py" "$root/../shared/tools/gen_synth.py")
fi
csv=$data/synth_1m.csv
if [ -n "$rows" ]; then
	csv=$data/synth_head_$rows.csv
	head -n "$((rows + 1))" "$data/synth_1m.csv" >"$csv"
fi
truth=$data/synth_1m_truth.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "$(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(wc -l <"$csv") lines in $(basename "$csv")"
# The CSV read and write alone: faircrowd with majority vote (~free).
/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$bin" aggregate --method mv "$csv" >/dev/null
read -r bw bu bs brss <"$tmp/time"
echo "faircrowd mv (read + write baseline) wall $bw cpu $(echo "$bu + $bs" | bc) rss_mib $((brss / 1024))"
for m in $methods; do
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$bin" aggregate --method "$m" "$csv" >"$tmp/out.csv"
	read -r fw fu fs frss <"$tmp/time"
	facc=$(awk -F, 'FNR == 1 { next } NR == FNR { t[$1] = $2; next } ($1 in t) { n++; ok += t[$1] == $2 }
		END { printf "%.5f", ok / n }' "$truth" "$tmp/out.csv")
	fcpu=$(echo "$fu + $fs" | bc)
	echo "faircrowd $m wall $fw cpu $fcpu accuracy $facc rss_mib $((frss / 1024))"
	# The fit alone, timed inside one process (ninja -C build fit_time).
	fit_time=$(dirname "$bin")/fit_time
	[ -x "$fit_time" ] && "$fit_time" "$csv" "$m" | sed -n 's/^faircrowd fit /faircrowd fit alone: /p'
	line=$(PYTHONPATH=$src "$py" "$root/bench/quality/crowdkit_fit.py" "$m" "$csv" "$truth")
	echo "$line"
	set -- $line
	fitcpu=$(echo "$fcpu - $bu - $bs" | bc)
	echo "ratio $m: wall $(echo "scale=1; $6 / $fw" | bc)x, cpu $(echo "scale=1; $8 / $fcpu" | bc)x (crowd-kit fit / faircrowd whole command); cpu $(echo "scale=1; $8 / $fitcpu" | bc)x (fit / fit: faircrowd minus the mv baseline, $fitcpu s)"
done
