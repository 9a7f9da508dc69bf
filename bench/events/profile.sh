#!/bin/bash
# bench/events/profile.sh BINARY PORT N OUT → callgrind profile of the server over exactly N
# lease+submit cycles (set-up and warm-up not instrumented), written to OUT; the summary line
# divided by N is the server's instructions per cycle, `callgrind_annotate --inclusive=yes OUT`
# says where they go. Same fixture as instructions.sh (2,000 tasks, overlap 3, 8 contributors).
set -euo pipefail
B=$1; P=$2; N=$3; OUT=$4
export FAIRCROWD_ADMIN_EMAIL=bench@bench.local FAIRCROWD_ADMIN_PASSWORD=bench-admin-pw
here=$(cd "$(dirname "$0")" && pwd)
D=$(mktemp -d /tmp/ev-XXXX)
valgrind --tool=callgrind --callgrind-out-file="$OUT" --instr-atstart=no --trace-children=no \
	"$B" serve --listen 127.0.0.1:$P --data $D/d --threads 4 > $D/out 2>$D/err &
SPID=$!
for _ in $(seq 1 300); do curl -fs http://127.0.0.1:$P/healthz >/dev/null 2>&1 && break; sleep 0.2; done
pid=$(python3 "$here/../setup.py" http://127.0.0.1:$P bench@bench.local bench-admin-pw 2000 8 $D/tokens 2>/dev/null)
python3 "$here/cycles.py" http://127.0.0.1:$P "$pid" $D/tokens 1 >/dev/null # warm: every path once
callgrind_control -i on $SPID >/dev/null
python3 "$here/cycles.py" http://127.0.0.1:$P "$pid" $D/tokens "$N" >/dev/null
callgrind_control -i off $SPID >/dev/null
kill -TERM $SPID; wait $SPID 2>/dev/null || true
rm -rf $D
callgrind_annotate "$OUT" 2>/dev/null | awk -v n="$N" '/PROGRAM TOTALS/ {gsub(",", "", $1); printf "instructions_per_cycle=%d\n", $1 / n}'
