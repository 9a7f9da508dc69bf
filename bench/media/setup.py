#!/usr/bin/env python3
"""setup.py URL N NAME: on a fresh faircrowd server (admin from the environment
of bench/media/*.sh), N live video collection projects with one task each and
one contributor holding an assignment of each; prints shell assignments
NAME_tokens='T1 T2 ...' NAME_aids='A1 A2 ...' (a project per upload: a project
refuses the same file twice)."""
import http.client, json, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); c = http.client.HTTPConnection(u.hostname, u.port)
n, name = int(sys.argv[2]), sys.argv[3]
def call(m, p, body=None, tok=None, cookie=None, csrf=None):
    h = {"Content-Type": "application/json"}
    if tok: h["Authorization"] = "Bearer " + tok
    if cookie: h["Cookie"] = cookie; h["X-CSRF-Token"] = csrf
    c.request(m, p, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse(); t = r.read()
    assert r.status < 300, (p, r.status, t)
    return json.loads(t) if t else None, r
b, r = call("POST", "/api/v1/auth/login", {"email": "admin@bench.local", "password": "bench-password-1"})
cookie = r.getheader("Set-Cookie").split(";")[0]
admin = call("POST", "/api/v1/tokens", {"name": "b"}, cookie=cookie, csrf=b["csrf_token"])[0]["token"]
def user(email, roles):
    call("POST", "/api/v1/users", {"email": email, "password": "bench-password-1", "display_name": email, "roles": roles}, admin)
    b, r = call("POST", "/api/v1/auth/login", {"email": email, "password": "bench-password-1"})
    ck = r.getheader("Set-Cookie").split(";")[0]
    return call("POST", "/api/v1/tokens", {"name": "b"}, cookie=ck, csrf=b["csrf_token"])[0]["token"]
req = user("req@bench.local", ["requester"])
toks, aids = [], []
for i in range(n):  # a project per round: a project refuses the same file twice
    p = call("POST", "/api/v1/projects", {"title": "video %d" % i, "kind": "collection", "reward": 1,
             "collect": {"media": "video", "max_bytes": 300 * 1024 * 1024}}, req)[0]["id"]
    c.request("POST", "/api/v1/projects/%d/tasks" % p, body=b'{"prompt":"wave"}\n',
              headers={"Authorization": "Bearer " + req, "Content-Type": "application/x-ndjson"}); c.getresponse().read()
    call("POST", "/api/v1/projects/%d/fund" % p, {"amount": 100}, req)
    call("POST", "/api/v1/projects/%d/publish" % p, None, req)
    t = user("c%d@bench.local" % i, ["contributor"])
    toks.append(t); aids.append(str(call("POST", "/api/v1/projects/%d/assignments" % p, None, t)[0]["id"]))
print("%s_tokens='%s' %s_aids='%s'" % (name, " ".join(toks), name, " ".join(aids)))
