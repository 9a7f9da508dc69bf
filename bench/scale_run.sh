#!/usr/bin/env bash
# bench/scale_run.sh BINARY DIR [ROUNDS] → lease+submit cycles/s, p50/p99 and CPU per cycle,
# one SQLite server against 1, 2 and 3 servers on one PostgreSQL, on a new 10,000-task
# project per line and on the big project of bench/scale_data.sh (DIR), side by side in one
# run. 64 contributors (bench/loadgen.c; with n servers contributor i talks to server i mod n),
# FC_SCALE_SECONDS per line (default 10), 16 threads per server.
# CPU per cycle: user + system time of every faircrowd server and every PostgreSQL process
# during the line (from /proc), divided by the cycles; the load generator is not counted.
# The load average is printed with each line: the machine is shared.
# FC_SCALE_SOCKET=1: the servers connect to PostgreSQL by its Unix socket (a PostgreSQL on
# the servers' machine) instead of TCP on loopback.
set -euo pipefail
B=$(realpath "$1"); D=$(realpath "$2"); R=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
LG=$here/../build/loadgen
secs=${FC_SCALE_SECONDS:-10}
export FAIRCROWD_ADMIN_EMAIL=bench@bench.local FAIRCROWD_ADMIN_PASSWORD=bench-admin-pw
pgdata=$D/pgc/pg/data
if ! runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pgdata" status >/dev/null 2>&1; then
	runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pgdata" -l "$D/pgc/pg/server.log" -w start >/dev/null
fi
pgdb=$(cat "$D/pg.db")
if [ -n "${FC_SCALE_SOCKET:-}" ]; then # the servers reach PostgreSQL by its Unix socket, not TCP
	port=${pgdb##*:} && pgdb="postgres://postgres@/${port#*/}?host=$D/pgc/pg&port=${port%%/*}"
fi
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
serve() { # serve NAME ARGS… → URL
	"$B" serve --listen 127.0.0.1:0 --threads 16 "${@:2}" >"$D/$1.run.out" 2>"$D/$1.run.err" &
	pids+=($!)
	for _ in $(seq 1 600); do [ -s "$D/$1.run.out" ] && break; sleep 0.1; done
	URL=$(head -1 "$D/$1.run.out" | awk '{print $3}')
}
serve sq --data "$D/sq"; SQ=$URL
PG=()
for i in 1 2 3; do
	FAIRCROWD_ALLOW_LOCAL_MEDIA=1 serve "pg$i" --data "$D/pgdata$i" --database "$pgdb"
	PG+=("$URL")
done
pgpids() { pgrep -d ' ' -P "$(head -1 "$pgdata/postmaster.pid")" || true; } # this cluster's processes
cpu() { # total utime+stime in ticks of the given pids
	local t=0
	for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
	echo $t
}
tck=$(getconf CLK_TCK)
one() { # LABEL URLS PROJECT TOKENS
	local pg c0 c1 p0 p1 out cycles
	pg="$(head -1 "$pgdata/postmaster.pid") $(pgpids)"
	c0=$(cpu "${pids[@]}")
	p0=$(cpu $pg)
	out=$("$LG" "$2" "$3" "$secs" "$4")
	c1=$(cpu "${pids[@]}")
	p1=$(cpu $(echo $pg $(pgpids) | tr ' ' '\n' | sort -u))
	cycles=$(echo "$out" | sed -n 's/.*cycles=\([0-9]*\).*/\1/p')
	printf '%-24s %s cpu_us_per_cycle=%s (faircrowd %s + postgres %s) load=%s\n' "$1" \
		"$(echo "$out" | sed 's/servers=[0-9]* contributors=[0-9]* //')" \
		$(python3 -c "t=$tck*max($cycles,1)/1e6; a=($c1-$c0)/t; b=($p1-$p0)/t; print(round(a+b), round(a), round(b))") \
		"$(cut -d' ' -f1 /proc/loadavg)"
}
setup() { python3 "$here/setup.py" "$1" "$FAIRCROWD_ADMIN_EMAIL" "$FAIRCROWD_ADMIN_PASSWORD" 10000 64 "$2" 2>>"$D/setup.log"; }
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u '+%F %H:%M') UTC; $B; big project: $(cat "$D/made.txt" | tail -1)"
for round in $(seq 1 "$R"); do
	echo "-- round $round: 10,000-task project (new each line)"
	p=$(setup "$SQ" "$D/sq.tokens"); one "sqlite 1 server" "$SQ" "$p" "$D/sq.tokens"
	for k in 1 2 3; do
		p=$(setup "${PG[0]}" "$D/pg.tokens")
		one "postgres $k server(s)" "$(IFS=,; echo "${PG[*]:0:$k}")" "$p" "$D/pg.tokens"
	done
	echo "-- round $round: big project"
	one "sqlite 1 server" "$SQ" "$(cat "$D/sq.project")" "$D/sq.tokens"
	for k in 1 2 3; do
		one "postgres $k server(s)" "$(IFS=,; echo "${PG[*]:0:$k}")" "$(cat "$D/pg.project")" "$D/pg.tokens"
	done
done
