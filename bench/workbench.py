#!/usr/bin/env python3
"""Workbench benchmark (issue #16): the data manager's first page at 1M tasks
and bulk accept of 10,000 submissions, as server time (the "ms" of the
request log line), on SQLite.

  bench/workbench.py [BINARY] [TASKS]      (default build/faircrowd 1000000)

FC_BENCH_PG=URL (a PostgreSQL server's URL, e.g. one of scripts/test-postgres)
runs it on PostgreSQL: the fixture is made once as the database wb1m (kept,
with its statistics: ANALYZE), each run works on a copy (wbrun, CREATE
DATABASE ... TEMPLATE wb1m).

FC_BENCH_DB=DIR keeps the made data folder: the first run builds it into DIR,
later runs copy DIR and skip the build (about 18 minutes for 1M tasks on a
loaded machine); the copy is what the bulk accept changes.

The fixture is written with SQL straight into the database while the server
is stopped (an import of a million tasks over HTTP is measured elsewhere):
TASKS tasks, 1% gold, the first 4% answered by three contributors (the
second half of those disagreeing), task counters kept by 0021's triggers
and the full-text index by 0030's."""
import json, os, sqlite3, subprocess, sys, tempfile, time, statistics

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fcbench import admin_token, call, cpu_seconds, start  # noqa: E402

binary = sys.argv[1] if len(sys.argv) > 1 else "build/faircrowd"
ntasks = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
tmp = tempfile.mkdtemp(prefix="fc-wb-")


def server_ms(route):
    """The ms of the request log lines of route, in order (the log is
    complete once the server has stopped)."""
    out = []
    with open(os.path.join(tmp, "server.log")) as f:
        for line in f:
            if line.startswith("{") and '"route":"%s"' % route in line:
                out.append(json.loads(line)["ms"])
    return out


def make_project():
    """The bench project, made over the API by a server that then stops: its id."""
    p, u = start(binary, tmp)
    token = admin_token(u)
    config = ('<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text" choice="single">'
              '<Choice value="pos"/><Choice value="neg"/></Choices></View>')
    _, proj = call(u, "POST", "/api/v1/projects", {"title": "bench", "label_config": config, "reward": 1, "overlap": 3},
                   token)
    p.terminate()
    p.wait()
    return proj["id"]


def build():
    """Writes the fixture into tmp; the project's id."""
    pid = make_project()

    t0 = time.time()
    db = sqlite3.connect(os.path.join(tmp, "faircrowd.db"))
    db.executescript("""
    PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
    INSERT INTO users(email,password_hash,display_name,roles,created_at)
      VALUES('w1@b','x','w1',4,0),('w2@b','x','w2',4,0),('w3@b','x','w3',4,0);
    """)
    answered = ntasks // 25
    db.execute("""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < ?)
      INSERT INTO tasks(project_id,data,priority,is_gold,gold,created_at)
      SELECT ?, json_object('text', 'bench item ' || i || ' with an ordinary sentence'
             || CASE WHEN i % 20 = 0 THEN ' uncommon' ELSE '' END || CASE WHEN i % 1000 = 0 THEN ' scarce' ELSE '' END,
             'image',
             'https://example.org/img/' || i || '.jpg'), 0,
             CASE WHEN i % 100 = 0 THEN 1 ELSE 0 END,
             CASE WHEN i % 100 = 0 THEN '{"sentiment":"pos"}' END, 0 FROM n""", (ntasks, pid))
    # the index merged into one segment, as a bulk import leaves it (fc_db_task_text_bulk_end)
    db.execute("INSERT INTO tasks_fts(tasks_fts) VALUES('optimize')")
    first = db.execute("SELECT MIN(id) FROM tasks WHERE project_id=?", (pid,)).fetchone()[0]
    db.execute("""INSERT INTO assignments(task_id,project_id,user_id,leased_at,expires_at,status)
      SELECT t.id, ?, u.id, 0, 1, 'submitted' FROM tasks t, users u
      WHERE t.project_id=? AND t.id < ? AND u.email LIKE 'w%@b'""", (pid, pid, first + answered))
    db.execute("""INSERT INTO submissions(assignment_id,task_id,project_id,user_id,result,active_seconds,status,reward,created_at)
      SELECT a.id, a.task_id, ?, a.user_id,
        '[{"from_name":"sentiment","to_name":"text","type":"choices","value":{"choices":["' ||
          CASE WHEN a.task_id >= ? AND u.email = 'w3@b' THEN 'neg' ELSE 'pos' END || '"]}}]',
        4.5, 'pending', 1, CAST(strftime('%s','now') AS INTEGER) FROM assignments a JOIN users u ON u.id=a.user_id WHERE a.project_id=?""",
               (pid, first + answered // 2, pid))
    # each submission's reward held as money/ does on submit (escrow -> pending), so
    # that accepting moves it (pending -> available) as in use
    db.execute("""INSERT INTO ledger_txns(id,currency,memo,ref,created_at)
      SELECT s.id + 1000000000, p.currency, 'reward earned, pending approval', 'submission:' || s.id, 0
      FROM submissions s JOIN projects p ON p.id=s.project_id WHERE s.project_id=?""", (pid,))
    db.execute("""INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at)
      SELECT s.id + 1000000000, 'escrow:' || s.project_id, -s.reward, p.currency, 0
      FROM submissions s JOIN projects p ON p.id=s.project_id WHERE s.project_id=?
      UNION ALL SELECT s.id + 1000000000, 'pending:' || s.user_id, s.reward, p.currency, 0
      FROM submissions s JOIN projects p ON p.id=s.project_id WHERE s.project_id=?""", (pid, pid))
    # the balance rows money/ keeps beside the entries (migration 0036)
    db.execute("DELETE FROM ledger_balances")
    db.execute("""INSERT INTO ledger_balances(account,currency,shard,balance,last_txn)
      SELECT account, currency, 0, SUM(amount), MAX(txn_id) FROM ledger_entries GROUP BY account, currency""")
    db.execute("""UPDATE tasks SET submitted_count=3, open=0,
      agreement=CASE WHEN id >= ? THEN 0.6667 ELSE 1.0 END WHERE project_id=? AND id < ?""",
               (first + answered // 2, pid, first + answered))
    db.commit()
    db.close()
    sys.stderr.write("fixture: %d tasks, %d answered three times, in %.1f s\n" % (ntasks, answered, time.time() - t0))
    return pid


def build_pg(base, dbname):
    """The fixture in PostgreSQL: the same rows as build(), written with the
    per-row triggers off (the counters' AFTER triggers would queue one update
    per task: a 1M load with them had not finished after 25 minutes); the
    counters are summed once after, and ANALYZE gives the planner statistics."""
    os.environ["FAIRCROWD_DATABASE"] = "%s/%s" % (base, dbname)
    pid = make_project()
    t0 = time.time()
    answered = ntasks // 25
    sql = """
SET session_replication_role = replica;
INSERT INTO users(email,password_hash,display_name,roles,created_at)
  VALUES('w1@b','x','w1',4,0),('w2@b','x','w2',4,0),('w3@b','x','w3',4,0);
INSERT INTO tasks(project_id,data,priority,is_gold,gold,created_at)
  SELECT {pid}, json_build_object('text', 'bench item ' || i || ' with an ordinary sentence'
         || CASE WHEN i % 20 = 0 THEN ' uncommon' ELSE '' END || CASE WHEN i % 1000 = 0 THEN ' scarce' ELSE '' END,
         'image', 'https://example.org/img/' || i || '.jpg')::text, 0,
         CASE WHEN i % 100 = 0 THEN 1 ELSE 0 END,
         CASE WHEN i % 100 = 0 THEN '{{"sentiment":"pos"}}' END, 0 FROM generate_series(1, {n}) i;
CREATE TEMP TABLE f AS SELECT MIN(id) AS first FROM tasks WHERE project_id={pid};
INSERT INTO assignments(task_id,project_id,user_id,leased_at,expires_at,status)
  SELECT t.id, {pid}, u.id, 0, 1, 'submitted' FROM tasks t, users u, f
  WHERE t.project_id={pid} AND t.id < f.first + {answered} AND u.email LIKE 'w%@b' ORDER BY t.id, u.id;
INSERT INTO submissions(assignment_id,task_id,project_id,user_id,result,active_seconds,status,reward,created_at)
  SELECT a.id, a.task_id, {pid}, a.user_id,
    '[{{"from_name":"sentiment","to_name":"text","type":"choices","value":{{"choices":["' ||
      CASE WHEN a.task_id >= f.first + {half} AND u.email = 'w3@b' THEN 'neg' ELSE 'pos' END || '"]}}}}]',
    4.5, 'pending', 1, extract(epoch from now())::bigint FROM assignments a JOIN users u ON u.id=a.user_id, f
  WHERE a.project_id={pid} ORDER BY a.id;
INSERT INTO ledger_txns(id,currency,memo,ref,created_at)
  SELECT s.id + 1000000000, p.currency, 'reward earned, pending approval', 'submission:' || s.id, 0
  FROM submissions s JOIN projects p ON p.id=s.project_id WHERE s.project_id={pid};
INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at)
  SELECT s.id + 1000000000, 'escrow:' || s.project_id, -s.reward, p.currency, 0
  FROM submissions s JOIN projects p ON p.id=s.project_id WHERE s.project_id={pid}
  UNION ALL SELECT s.id + 1000000000, 'pending:' || s.user_id, s.reward, p.currency, 0
  FROM submissions s JOIN projects p ON p.id=s.project_id WHERE s.project_id={pid};
DELETE FROM ledger_balances;
INSERT INTO ledger_balances(account,currency,shard,balance,last_txn)
  SELECT account, currency, 0, SUM(amount), MAX(txn_id) FROM ledger_entries GROUP BY account, currency;
UPDATE tasks SET submitted_count=3, open=0,
  agreement=CASE WHEN id >= f.first + {half} THEN 0.6667 ELSE 1.0 END FROM f
  WHERE project_id={pid} AND id < f.first + {answered};
DELETE FROM task_count_slots WHERE project_id={pid};
INSERT INTO task_count_slots(project_id, slot, total, open, gold, with_results)
  SELECT project_id, id % 16, COUNT(*), COUNT(*) FILTER (WHERE open = 1),
         COUNT(*) FILTER (WHERE is_gold = 1), COUNT(*) FILTER (WHERE submitted_count > 0)
  FROM tasks WHERE project_id={pid} GROUP BY 1, 2;
SET session_replication_role = origin;
VACUUM ANALYZE;
""".format(pid=pid, n=ntasks, answered=answered, half=answered // 2)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", os.environ["FAIRCROWD_DATABASE"]], input=sql.encode(),
                   check=True)
    sys.stderr.write("fixture (PostgreSQL): %d tasks in %.1f s\n" % (ntasks, time.time() - t0))
    return pid


def psql(base, command):
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", base + "/postgres", "-c", command], check=True)


keep = os.environ.get("FC_BENCH_DB")
pg = os.environ.get("FC_BENCH_PG")
if pg:
    os.environ["FAIRCROWD_ALLOW_LOCAL_MEDIA"] = "1"  # one server: media on its own disk
    base = pg.rsplit("/", 1)[0]
    have = subprocess.run(["psql", "-tA", base + "/postgres", "-c", "SELECT 1 FROM pg_database WHERE datname='wb1m'"],
                          capture_output=True, check=True).stdout.strip()
    if not have:
        psql(base, "CREATE DATABASE wb1m")
        build_pg(base, "wb1m")
    psql(base, "DROP DATABASE IF EXISTS wbrun")
    psql(base, "CREATE DATABASE wbrun TEMPLATE wb1m")
    os.environ["FAIRCROWD_DATABASE"] = base + "/wbrun"
    pid = int(subprocess.run(["psql", "-tA", base + "/wbrun", "-c", "SELECT max(id) FROM projects WHERE title='bench'"],
                             capture_output=True, check=True).stdout)
    open(os.path.join(tmp, "server.log"), "w").close()
elif keep and os.path.exists(os.path.join(keep, "faircrowd.db")):
    subprocess.run(["cp", "-a", keep + "/.", tmp], check=True)
    with sqlite3.connect(os.path.join(tmp, "faircrowd.db")) as db:
        pid = db.execute("SELECT id FROM projects WHERE title='bench' ORDER BY id DESC").fetchone()[0]
    open(os.path.join(tmp, "server.log"), "w").close()
else:
    pid = build()
    if keep:
        subprocess.run(["cp", "-a", tmp + "/.", keep], check=True)
p, u = start(binary, tmp)
token = admin_token(u)

w2 = None
queries = [("first page (no filter)", ""), ("first page, sort -id", "sort=-id"), ("state=open", "state=open"),
           ("state=done", "state=done"), ("has_results=true", "has_results=true"), ("gold=true", "gold=true"),
           ("agreement_below=0.9", "agreement_below=0.9"), ("contributor (w2)", "contributor=__W2__"),
           ("q (matches item 999999 only)", "q=item%20999999%20with"), ("q=999999 (one rare word)", "q=999999"),
           ("q=ordinary (every task)", "q=ordinary"), ("q=ordinary, sort -id", "q=ordinary&sort=-id"),
           ("q=ordinary&state=open", "q=ordinary&state=open"), ("sort=-priority", "sort=-priority"),
           ("has_results=false, sort=-id", "has_results=false&sort=-id"),
           ("q=999999, sort priority", "q=999999&sort=priority"),
           ("q=scarce (0.1%), sort -priority", "q=scarce&sort=-priority"),
           ("q=uncommon (5%), sort -priority", "q=uncommon&sort=-priority"),
           ("q=ordinary, sort -priority", "q=ordinary&sort=-priority"),
           ("q=uncommon&state=open, -priority", "q=uncommon&state=open&sort=-priority")]
_, subs = call(u, "GET", "/api/v1/projects/%d/submissions?limit=1" % pid, token=token)
w2 = subs["items"][0]["user_id"] + 1
print("machine: %s, %d cores; %s" % (os.uname().machine, os.cpu_count(), time.strftime("%F", time.gmtime())))
for name, q in queries:
    for _ in range(5):
        call(u, "GET", "/api/v1/projects/%d/tasks?limit=50&%s" % (pid, q.replace("__W2__", str(w2))), token=token)

_, page = call(u, "GET", "/api/v1/projects/%d/submissions?status=pending&limit=1000" % pid, token=token)
ids = [s["id"] for s in page["items"]]
while len(ids) < 10000 and page["next"]:
    _, page = call(u, "GET", "/api/v1/projects/%d/submissions?status=pending&limit=1000&after=%s" %
                   (pid, page["next"]), token=token)
    ids += [s["id"] for s in page["items"]]
ids = ids[:10000]
perf = None
if os.environ.get("FC_BENCH_PERF"):  # a profile of the bulk accept: perf report -i $FC_BENCH_PERF
    perf = subprocess.Popen(["perf", "record", "-g", "-p", str(p.pid), "-o", os.environ["FC_BENCH_PERF"]],
                            stderr=subprocess.DEVNULL)
    time.sleep(1)
t0, cpu0 = time.time(), cpu_seconds(p.pid)
_, first_accept = call(u, "POST", "/api/v1/projects/%d/submissions/accept" % pid, {"ids": ids}, token=token)
wall, cpu = time.time() - t0, cpu_seconds(p.pid) - cpu0
if perf:
    perf.send_signal(2)
    perf.wait()
_, again = call(u, "POST", "/api/v1/projects/%d/submissions/accept" % pid, {"ids": ids}, token=token)
p.terminate()
p.wait()  # the request log is complete now

ms = server_ms("tasks_list")
for i, (name, _) in enumerate(queries):
    runs = ms[5 * i:5 * i + 5]
    print("data manager %-32s %d tasks: median %.1f ms, max %.1f ms (server, 5 runs)" %
          (name, ntasks, statistics.median(runs), max(runs)))
acc = server_ms("submissions_accept")
print("bulk accept of %d submissions: %.0f ms server, %.0f ms wall, %.0f ms server CPU (accepted %d, failed %d)" %
      (len(ids), acc[0], wall * 1000, cpu * 1000, first_accept["accepted"], len(first_accept["failed"])))
print("load average at the end: %.1f %.1f %.1f" % os.getloadavg())
print("the same again (idempotent): %.0f ms server (unchanged %d)" % (acc[1], again["unchanged"]))
if not os.environ.get("FC_BENCH_KEEP"):
    subprocess.run(["rm", "-rf", tmp])
