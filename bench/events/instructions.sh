#!/bin/bash
# bench/events/instructions.sh BINARY PORT N → server instructions per lease+submit cycle.
# Runs the server under callgrind twice on the same fixture: once idle (set-up only) and
# once with N more cycles; the difference divided by N is the cost of one cycle. Counts,
# unlike times, do not move with the load of the machine.
set -euo pipefail
B=$1; P=$2; N=${3:-300}
export FAIRCROWD_ADMIN_EMAIL=bench@bench.local FAIRCROWD_ADMIN_PASSWORD=bench-admin-pw
here=$(cd "$(dirname "$0")" && pwd)
run() { # cycles → total instructions of the server process
	local D; D=$(mktemp -d /tmp/ev-XXXX)
	valgrind --tool=callgrind --callgrind-out-file=$D/cg.out --trace-children=no \
		"$B" serve --listen 127.0.0.1:$P --data $D/d --threads 4 > $D/out 2>$D/err &
	local SPID=$!
	for _ in $(seq 1 300); do curl -fs http://127.0.0.1:$P/healthz >/dev/null 2>&1 && break; sleep 0.2; done
	local pid; pid=$(python3 "$here/../setup.py" http://127.0.0.1:$P bench@bench.local bench-admin-pw 2000 8 $D/tokens 2>/dev/null)
	python3 "$here/cycles.py" http://127.0.0.1:$P "$pid" $D/tokens 1 >/dev/null # warm: every path once
	[ "$1" -gt 0 ] && python3 "$here/cycles.py" http://127.0.0.1:$P "$pid" $D/tokens "$1" >/dev/null
	kill -TERM $SPID; wait $SPID 2>/dev/null || true
	grep -m1 '^summary:' $D/cg.out | awk '{print $2}'
	rm -rf $D
}
base=$(run 0); with=$(run "$N")
python3 -c "print('instructions_per_cycle=%d (idle %d, with %d cycles %d)' % (($with-$base)/$N, $base, $N, $with))"
