#!/usr/bin/env python3
"""The new-work notice job (issue #17) with many contributors, on SQLite.

  bench/reach/worknotice.py [BINARY] [CONTRIBUTORS]   (default build/faircrowd 100000)

A project is made and funded through the API; CONTRIBUTORS eligible
contributors are then written with SQL straight into the database while the
server is stopped (the account API is measured elsewhere), after the
project was published; the job runs on the first tick of the next start.
The figure is the time from that start until every contributor holds one
notice (polled in the database), and the server's CPU seconds over that
time, start-up included (from /proc, so the
load of other processes on the machine counts less). Email is not
configured: notices are in the app only, as for most contributors. The job
writes in pages of 256 contributors, each page one write transaction, so
the wall time per page is the longest another writer can wait on it."""
import os, sqlite3, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fcbench import admin_token, call, cpu_seconds, start  # noqa: E402

binary = sys.argv[1] if len(sys.argv) > 1 else "build/faircrowd"
n = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
tmp = tempfile.mkdtemp(prefix="fc-notice-")


p, u = start(binary, tmp)
token = admin_token(u)
config = ('<View><Text name="text" value="$text"/><Choices name="s" toName="text">'
          '<Choice value="pos"/><Choice value="neg"/></Choices></View>')
_, proj = call(u, "POST", "/api/v1/projects", {"title": "bench notice", "label_config": config, "reward": 5,
                                               "overlap": 1}, token)
pid = proj["id"]
call(u, "POST", "/api/v1/projects/%d/tasks" % pid, "".join('{"text":"t%d"}\n' % i for i in range(20)), token,
     ctype="application/x-ndjson")
call(u, "POST", "/api/v1/projects/%d/fund" % pid, {"amount": 100000}, token)
call(u, "POST", "/api/v1/projects/%d/publish" % pid, None, token)  # announced to nobody yet: no contributors
p.terminate()
p.wait()

db = sqlite3.connect(os.path.join(tmp, "faircrowd.db"))
db.execute("""WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM k WHERE i < ?)
  INSERT INTO users(email,password_hash,display_name,roles,created_at)
  SELECT 'c' || i || '@bench.local', 'x', 'c' || i, 4, 0 FROM k""", (n,))
db.commit()
db.close()

t0 = time.time()
p, u = start(binary, tmp)  # the job's first tick after a start announces the project to all of them
ro = sqlite3.connect("file:%s?mode=ro" % os.path.join(tmp, "faircrowd.db"), uri=True, timeout=30)
done = 0
while time.time() - t0 < 1800:
    done = ro.execute("SELECT COUNT(*) FROM work_notices WHERE project_id=?", (pid,)).fetchone()[0]
    if done >= n:
        break
    time.sleep(0.2)
wall, cpu = time.time() - t0, cpu_seconds(p.pid)
notes = ro.execute("SELECT COUNT(*) FROM notifications WHERE kind='new_work'").fetchone()[0]
ro.close()
p.terminate()
p.wait()
pages = (n + 255) // 256
print("machine: %s, %d cores; %s; load %s" % (os.uname().machine, os.cpu_count(), time.strftime("%F", time.gmtime()),
                                              " ".join(open("/proc/loadavg").read().split()[:3])))
print("new-work notices to %d contributors: %d notices, %d in-app notifications; %.1f s wall from the start, "
      "%.2f s server CPU (%.1f us CPU per contributor); %d pages, %.0f ms wall per page" %
      (n, done, notes, wall, cpu, cpu / max(done, 1) * 1e6, pages, wall / pages * 1000))
if not os.environ.get("FC_BENCH_KEEP"):
    subprocess.run(["rm", "-rf", tmp])
