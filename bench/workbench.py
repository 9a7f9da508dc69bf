#!/usr/bin/env python3
"""Workbench benchmark (issue #16): the data manager's first page at 1M tasks
and bulk accept of 10,000 submissions, as server time (the "ms" of the
request log line), on SQLite.

  bench/workbench.py [BINARY] [TASKS]      (default build/faircrowd 1000000)

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


p, u = start(binary, tmp)
token = admin_token(u)
config = ('<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text" choice="single">'
          '<Choice value="pos"/><Choice value="neg"/></Choices></View>')
_, proj = call(u, "POST", "/api/v1/projects", {"title": "bench", "label_config": config, "reward": 1, "overlap": 3},
               token)
pid = proj["id"]
p.terminate()
p.wait()

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
  SELECT ?, json_object('text', 'bench item ' || i || ' with an ordinary sentence', 'image',
         'https://example.org/img/' || i || '.jpg'), 0,
         CASE WHEN i % 100 = 0 THEN 1 ELSE 0 END,
         CASE WHEN i % 100 = 0 THEN '{"sentiment":"pos"}' END, 0 FROM n""", (ntasks, pid))
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

p, u = start(binary, tmp)
w2 = None
queries = [("first page (no filter)", ""), ("first page, sort -id", "sort=-id"), ("state=open", "state=open"),
           ("state=done", "state=done"), ("has_results=true", "has_results=true"), ("gold=true", "gold=true"),
           ("agreement_below=0.9", "agreement_below=0.9"), ("contributor (w2)", "contributor=__W2__"),
           ("q (matches item 999999 only)", "q=item%20999999%20with"), ("q=999999 (one rare word)", "q=999999"),
           ("q=ordinary (every task)", "q=ordinary"), ("q=ordinary, sort -id", "q=ordinary&sort=-id"),
           ("q=ordinary&state=open", "q=ordinary&state=open"), ("sort=-priority", "sort=-priority"),
           ("has_results=false, sort=-id", "has_results=false&sort=-id")]
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
