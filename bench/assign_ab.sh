#!/bin/bash
# bench/assign_ab.sh BINARY PORT [TASKS] [SECONDS] → one line of bench/run assign (64
# contributors, overlap 3, --threads 16) for one build, plus what the line cost the server:
# its CPU (user + system, /proc) per cycle and, from /metrics, the write-lock time and the
# WAL flushes per cycle. Run two builds alternately in the same minutes to compare them.
set -euo pipefail
B=$1; P=$2; N=${3:-10000}; S=${4:-10}
cd "$(dirname "$0")/.."
export FAIRCROWD_ADMIN_EMAIL=bench@bench.local FAIRCROWD_ADMIN_PASSWORD=bench-admin-pw
D=$(mktemp -d /tmp/fc-ab-XXXX)
$B serve --listen 127.0.0.1:$P --data $D/d --threads 16 >$D/out 2>$D/err &
SPID=$!
trap 'kill $SPID 2>/dev/null; wait $SPID 2>/dev/null; rm -rf $D' EXIT
for _ in $(seq 1 300); do curl -fs http://127.0.0.1:$P/healthz >/dev/null 2>&1 && break; sleep 0.1; done
pid=$(python3 bench/setup.py http://127.0.0.1:$P bench@bench.local bench-admin-pw $N 64 $D/tokens 2>/dev/null)
admin=$(python3 -c "
import sys; sys.argv = ['setup.py', 'http://127.0.0.1:$P', 'bench@bench.local', 'bench-admin-pw', '0', '0', '/dev/null']
src = open('bench/setup.py').read(); exec(src[:src.index('admin = token_for')]); print(token_for(sys.argv[2], sys.argv[3]))")
metrics() { curl -fs -H "Authorization: Bearer $admin" http://127.0.0.1:$P/metrics | awk '/^faircrowd_db_/ {printf "%s=%s ", $1, $2}'; }
sleep 1
m0=$(metrics)
c0=$(awk '{print $14+$15}' /proc/$SPID/stat)
out=$(build/loadgen http://127.0.0.1:$P $pid $S $D/tokens)
c1=$(awk '{print $14+$15}' /proc/$SPID/stat)
m1=$(metrics)
python3 - "$B" "$out" "$c0" "$c1" "$(getconf CLK_TCK)" "$m0" "$m1" <<'PY'
import re, sys
b, out, c0, c1, hz, m0, m1 = sys.argv[1:]
cyc = max(1, int(re.search(r" cycles=(\d+)", out).group(1)))
a, z = (dict((k, float(v)) for k, v in re.findall(r"(\w+)=([\d.]+)", m)) for m in (m0, m1))
d = lambda k: (z.get(k, 0) - a.get(k, 0)) / cyc
print("%s %s cpu_us_per_cycle=%.0f lock_us_per_cycle=%.0f flushes_per_cycle=%.2f load=%s" % (
    b, out, (int(c1) - int(c0)) / int(hz) * 1e6 / cyc, d("faircrowd_db_write_lock_seconds_total") * 1e6,
    d("faircrowd_db_commits_total"), open("/proc/loadavg").read().split()[0]))
PY
