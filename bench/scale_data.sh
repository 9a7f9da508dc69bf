#!/usr/bin/env bash
# bench/scale_data.sh BINARY DIR N → one live project of N tasks (overlap 3, 64 contributors)
# on each back end, kept in DIR for bench/scale_run.sh: DIR/sq (SQLite data folder) and a
# PostgreSQL 15 cluster in DIR/pg (fsync on, shared_buffers 256MB), database `bench`.
# How the project is made: bench/setup.py makes it live with 10,000 tasks over the API (and
# funds those), the server stops, and the other N - 10,000 tasks go in with one
# INSERT … SELECT in the database itself — WITH RECURSIVE on SQLite, generate_series on
# PostgreSQL — then ANALYZE. Their escrow is not funded; lease and submit do not look.
# Writes DIR/{sq,pg}.project, DIR/{sq,pg}.tokens, DIR/pg.url and the times to DIR/made.txt.
set -euo pipefail
B=$(realpath "$1"); D=$2; N=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$D"; D=$(realpath "$D"); chmod 711 "$D"
export FAIRCROWD_ADMIN_EMAIL=bench@bench.local FAIRCROWD_ADMIN_PASSWORD=bench-admin-pw
more=$((N - 10000)) row="'{\"text\":\"bench item '||i||'\"}'"
serve() { # serve LOG ARGS… → PID, URL
	"$B" serve --listen 127.0.0.1:0 --threads 4 "${@:2}" >"$D/$1.out" 2>"$D/$1.err" &
	PID=$!
	for _ in $(seq 1 600); do [ -s "$D/$1.out" ] && break; sleep 0.1; done
	URL=$(head -1 "$D/$1.out" | awk '{print $3}')
}
make_project() { # make_project sq|pg ARGS… (server args)
	serve "$1" "${@:2}"
	python3 "$here/setup.py" "$URL" "$FAIRCROWD_ADMIN_EMAIL" "$FAIRCROWD_ADMIN_PASSWORD" 10000 64 "$D/$1.tokens" >"$D/$1.project"
	kill "$PID"; wait "$PID" || true
}
recount() { # the data manager's counters from the tasks, whichever table this schema has
	if psql -Atq "$pgdb" -c "SELECT to_regclass('task_count_slots')" | grep -q .; then
		echo "DELETE FROM task_count_slots; INSERT INTO task_count_slots(project_id,slot,total,open,gold,with_results)
		  SELECT project_id, id % 16, COUNT(*), COUNT(*) FILTER (WHERE open=1), COUNT(*) FILTER (WHERE is_gold=1),
		  COUNT(*) FILTER (WHERE submitted_count>0) FROM tasks GROUP BY 1, 2"
	else
		echo "UPDATE task_counts c SET total=t.n, open=t.o FROM (SELECT project_id, COUNT(*) n,
		  COUNT(*) FILTER (WHERE open=1) o FROM tasks GROUP BY 1) t WHERE t.project_id=c.project_id"
	fi
}
t0=$(date +%s.%N)
make_project sq --data "$D/sq"
sqlite3 "$D/sq/faircrowd.db" "PRAGMA busy_timeout=60000; WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<$more)
  INSERT INTO tasks(project_id,data,created_at) SELECT $(cat "$D/sq.project"), $row, 0 FROM c; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
t1=$(date +%s.%N)
FC_PG_OPTIONS="-c shared_buffers=256MB -c max_wal_size=8GB" "$here/../scripts/test-postgres" start "$D/pgc" >"$D/pg.url"
pgurl=$(cat "$D/pg.url"); psql -q "$pgurl" -c "CREATE DATABASE bench"; pgdb="${pgurl%/*}/bench"
echo "$pgdb" >"$D/pg.db"
FAIRCROWD_ALLOW_LOCAL_MEDIA=1 make_project pg --data "$D/pgdata" --database "$pgdb"
# Triggers off for the insert (session_replication_role): the counter trigger would update one
# row 10M times in one transaction, each version a new index entry to skip (quadratic); the
# counters are then counted once, as migration 0018 does.
psql -q "$pgdb" -c "SET session_replication_role = replica" \
	-c "INSERT INTO tasks(project_id,data,created_at) SELECT $(cat "$D/pg.project"), $row, 0 FROM generate_series(1,$more) i" \
	-c "SET session_replication_role = DEFAULT" -c "$(recount)" -c "VACUUM ANALYZE"
t2=$(date +%s.%N)
printf 'N=%s made with %s: SQLite %.0f s, PostgreSQL %.0f s; SQLite %s, PostgreSQL %s\n' "$N" "$B" \
	"$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(du -sh "$D/sq" | cut -f1)" \
	"$(psql -Atq "$pgdb" -c "SELECT pg_size_pretty(pg_database_size('bench'))")" | tee -a "$D/made.txt"
