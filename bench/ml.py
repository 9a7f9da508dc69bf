#!/usr/bin/env python3
"""ML backend client: predict throughput and per-batch latency against a
test ML backend that answers at once (so the figure is faircrowd's own
cost: reading tasks, HTTP, JSON, checking every result against the label
config, storing it), and the order an "uncertainty" lease is picked in.

  bench/ml.py [BINARY] [TASKS]     (default build/faircrowd, 20000)

Starts the server on a new data folder (SQLite), a requester, a live
project of TASKS text tasks, then attaches the backend and times until
every task holds a prediction. Prints one JSON line of figures."""
import http.client, http.server, json, os, shutil, subprocess, sys, tempfile, threading, time, urllib.parse

binary = sys.argv[1] if len(sys.argv) > 1 else "build/faircrowd"
ntasks = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
CONFIG = ('<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text" choice="single">'
          '<Choice value="pos"/><Choice value="neg"/></Choices></View>')
batches = []  # (tasks, seconds spent answering) per /predict


class Backend(http.server.BaseHTTPRequestHandler):
    """The test ML backend: answers /health, /setup and /predict at once."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.answer({"status": "UP"})

    def do_POST(self):
        t0 = time.perf_counter()
        req = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path != "/predict":
            return self.answer({"model_version": "bench-v1"})
        tasks = req["tasks"]
        self.answer({"results": [{"model_version": "bench-v1", "score": (t["id"] % 97) / 97.0, "result": [
            {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["pos"]}}]}
            for t in tasks]})
        batches.append((len(tasks), time.perf_counter() - t0))


backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Backend)
threading.Thread(target=backend.serve_forever, daemon=True).start()
data = tempfile.mkdtemp(prefix="fc-bench-ml-")
env = dict(os.environ, FAIRCROWD_ADMIN_EMAIL="admin@bench.local", FAIRCROWD_ADMIN_PASSWORD="admin-bench-1")
srv = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--data", data], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    line = srv.stdout.readline()
    u = urllib.parse.urlparse(line.split("listening on ")[1].split()[0])
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)

    def call(method, path, body=None, token=None, ctype="application/json", raw=False, cookie=None):
        h = {}
        if token:
            h["Authorization"] = "Bearer " + token
        if cookie:
            h.update(cookie)
        if body is not None:
            h["Content-Type"] = ctype
        conn.request(method, path, body=(body if raw else json.dumps(body).encode()) if body is not None else None,
                     headers=h)
        r = conn.getresponse()
        txt = r.read()
        if r.status >= 300:
            sys.exit("%s %s -> %d %s" % (method, path, r.status, txt[:300]))
        return r, (json.loads(txt) if txt else None)

    def token_for(email, password):
        r, b = call("POST", "/api/v1/auth/login", {"email": email, "password": password})
        ck = {"Cookie": r.getheader("Set-Cookie").split(";")[0], "X-CSRF-Token": b["csrf_token"]}
        return call("POST", "/api/v1/tokens", {"name": "bench"}, cookie=ck)[1]["token"]

    admin = token_for("admin@bench.local", "admin-bench-1")
    call("POST", "/api/v1/users", {"email": "req@bench.local", "password": "requester-bench-1",
                                   "display_name": "Bench", "roles": ["requester"]}, token=admin)
    req = token_for("req@bench.local", "requester-bench-1")
    pid = call("POST", "/api/v1/projects", {"title": "ML bench", "label_config": CONFIG, "reward": 1,
                                            "order": "uncertainty"}, token=req)[1]["id"]
    nd = "".join(json.dumps({"text": "review number %d, fine" % i}) + "\n" for i in range(ntasks)).encode()
    call("POST", "/api/v1/projects/%d/tasks" % pid, nd, token=req, ctype="application/x-ndjson", raw=True)
    t0 = time.perf_counter()
    call("PUT", "/api/v1/projects/%d/ml" % pid, {"url": "http://127.0.0.1:%d" % backend.server_port}, token=req)
    attach = time.perf_counter() - t0
    while True:
        st = call("GET", "/api/v1/projects/%d/ml" % pid, token=req)[1]
        if st["predicted"] >= ntasks or st["last_error"]:
            break
        time.sleep(0.05)
    total = time.perf_counter() - t0
    answer = sum(s for _, s in batches)
    print(json.dumps({
        "tasks": ntasks, "predicted": st["predicted"], "last_error": st["last_error"],
        "attach_ms": round(attach * 1000, 1), "seconds": round(total, 2),
        "tasks_per_second": round(st["predicted"] / total), "batches": len(batches),
        "ms_per_batch_of_32": round(total * 1000 / max(len(batches), 1), 2),
        "backend_ms_per_batch": round(answer * 1000 / max(len(batches), 1), 2),
        "faircrowd_us_per_task": round((total - answer) * 1e6 / max(st["predicted"], 1), 1)}))
finally:
    srv.terminate()
    srv.wait()
    backend.shutdown()
    shutil.rmtree(data, ignore_errors=True)
