#!/bin/bash
# bench/cycle_profile.sh BINARY PORT N [DATABASE_URL] → what one lease+submit cycle costs the
# server in database calls, round trips and write-lock time: N cycles one at a time (one
# client, bench/events/cycles.py) on the fixture of bench/events (2,000 tasks, overlap 3, 8
# contributors), on SQLite in a temporary folder or on DATABASE_URL (an empty PostgreSQL
# database). Counts come from uprobes on libsqlite3 / libpq (perf probe, needs root; calls
# through the libraries' own PLT count too, a few per thousand), times from the server's
# faircrowd_db_* counters in /metrics. Counts do not move with the load of the machine.
set -euo pipefail
B=$1; P=$2; N=$3; DB=${4:-}
export FAIRCROWD_ADMIN_EMAIL=bench@bench.local FAIRCROWD_ADMIN_PASSWORD=bench-admin-pw
here=$(cd "$(dirname "$0")" && pwd)
sq=/lib/x86_64-linux-gnu/libsqlite3.so.0 pq=/lib/x86_64-linux-gnu/libpq.so.5
for f in sqlite3_step sqlite3_reset sqlite3_prepare_v3; do perf probe -q -x $sq $f 2>/dev/null || true; done
for f in PQexecPrepared PQexec PQexecParams PQprepare PQpipelineSync PQsendQuery; do perf probe -q -x $pq $f 2>/dev/null || true; done
D=$(mktemp -d /tmp/cyc-XXXX)
args=(serve --listen 127.0.0.1:$P --data $D/d --threads 4)
[ -n "$DB" ] && args+=(--database "$DB")
FAIRCROWD_ALLOW_LOCAL_MEDIA=1 "$B" "${args[@]}" >$D/out 2>$D/err &
SPID=$!
trap 'kill $SPID 2>/dev/null; rm -rf $D' EXIT
for _ in $(seq 1 300); do curl -fs http://127.0.0.1:$P/healthz >/dev/null 2>&1 && break; sleep 0.2; done
pid=$(python3 "$here/setup.py" http://127.0.0.1:$P bench@bench.local bench-admin-pw 2000 8 $D/tokens 2>/dev/null)
python3 "$here/events/cycles.py" http://127.0.0.1:$P "$pid" $D/tokens 8 >/dev/null # warm: every path, every token
admin=$(python3 -c "
import sys; sys.argv = ['setup.py', 'http://127.0.0.1:$P', 'bench@bench.local', 'bench-admin-pw', '0', '0', '/dev/null']
src = open('$here/setup.py').read(); exec(src[:src.index('admin = token_for')]); print(token_for(sys.argv[2], sys.argv[3]))")
metrics() { curl -fs -H "Authorization: Bearer $admin" http://127.0.0.1:$P/metrics | awk '/^faircrowd_db_/ {print $1, $2}'; }
metrics >$D/m0
t0=$(date +%s.%N)
perf stat -x, -e 'probe_libsqlite3:*,probe_libpq:*' -p $SPID -o $D/stat -- \
	python3 "$here/events/cycles.py" http://127.0.0.1:$P "$pid" $D/tokens "$N" >$D/done
t1=$(date +%s.%N)
metrics >$D/m1
python3 - "$N" "$(cat $D/done)" "$t0" "$t1" $D/stat $D/m0 $D/m1 <<'PY'
import sys
n, done, t0, t1, stat, m0, m1 = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), *sys.argv[5:]
calls = {}
for line in open(stat):
    f = line.strip().split(",")
    if len(f) > 2 and f[2].startswith("probe_"):
        calls[f[2].split(":")[1]] = calls.get(f[2].split(":")[1], 0) + (int(f[0]) if f[0].isdigit() else 0)
rd = lambda p: {l.split()[0]: float(l.split()[1]) for l in open(p)}
a, b = rd(m0), rd(m1)
d = {k: b[k] - a.get(k, 0) for k in b}
print("cycles %d of %d, %.2f ms per cycle (one client)" % (done, n, (t1 - t0) * 1000 / n))
for k in sorted(calls):
    print("  %-18s %6.1f per cycle" % (k, calls[k] / n))
if calls.get("PQexecPrepared") is not None:
    # waited round trips: each blocking call, each pipeline (one Sync); PQsendQuery alone
    # (a reader's ROLLBACK, answered while the connection sits in the pool) is not waited for
    rt = sum(calls.get(k, 0) for k in ("PQexecPrepared", "PQexec", "PQexecParams", "PQprepare", "PQpipelineSync"))
    print("  round trips to PostgreSQL %.1f per cycle" % (rt / n))
for k in sorted(d):
    if "write" in k or "hold" in k or "commit" in k:
        print("  %-40s %10.4f per cycle" % (k, d[k] / n))
PY
