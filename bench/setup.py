#!/usr/bin/env python3
"""Benchmark fixture: a live project with N tasks and K contributor tokens.

  setup.py URL ADMIN_EMAIL ADMIN_PASSWORD TASKS CONTRIBUTORS TOKEN_FILE
Prints the project id. Uses only the public API (stdlib HTTP client).
When TOKEN_FILE already holds CONTRIBUTORS tokens (an earlier run on the same
database), they are used again: only a new project is made."""
import http.client, json, os, sys, time, urllib.parse

url, email, password, ntasks, ncontrib, token_file = sys.argv[1:7]
u = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)

def call(method, path, body=None, token=None, ctype="application/json", headers=None, raw=False):
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = body if raw else json.dumps(body).encode()
        h["Content-Type"] = ctype
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    txt = r.read()
    if r.status >= 300:
        sys.exit("%s %s -> %d %s" % (method, path, r.status, txt[:300]))
    return json.loads(txt) if txt else None

def token_for(email, password):
    conn.request("POST", "/api/v1/auth/login", body=json.dumps({"email": email, "password": password}),
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    body = json.loads(r.read())
    cookie = r.getheader("Set-Cookie").split(";")[0]
    conn.request("POST", "/api/v1/tokens", body=json.dumps({"name": "bench"}),
                 headers={"Content-Type": "application/json", "Cookie": cookie, "X-CSRF-Token": body["csrf_token"]})
    r = conn.getresponse()
    return json.loads(r.read())["token"]

admin = token_for(email, password)
config = ('<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text" choice="single">'
          '<Choice value="pos"/><Choice value="neg"/></Choices></View>')
p = call("POST", "/api/v1/projects", {"title": "bench", "label_config": config, "reward": 1, "overlap": 3}, admin)
pid = p["id"]
n = int(ntasks)
chunk = 200000
t0 = time.time()
for start in range(0, n, chunk):
    lines = "".join('{"text":"bench item %d"}\n' % i for i in range(start, min(n, start + chunk))).encode()
    call("POST", "/api/v1/projects/%d/tasks" % pid, lines, admin, "application/x-ndjson", raw=True)
import_s = time.time() - t0
call("POST", "/api/v1/projects/%d/fund" % pid, {"amount": n * 3}, admin)
call("POST", "/api/v1/projects/%d/publish" % pid, None, admin)
if os.path.exists(token_file) and len(open(token_file).read().split()) >= int(ncontrib):
    print(pid)
    sys.stderr.write("imported %d tasks over HTTP in %.1f s\n" % (n, import_s))
    sys.exit(0)
with open(token_file, "w") as f:
    for i in range(int(ncontrib)):
        e = "bench%d@bench.local" % i
        call("POST", "/api/v1/users", {"email": e, "password": "bench-password", "display_name": e,
                                         "roles": ["contributor"]}, admin)
        f.write(token_for(e, "bench-password") + "\n")
print(pid)
sys.stderr.write("imported %d tasks over HTTP in %.1f s\n" % (n, import_s))
