"""Helpers shared by the Python benchmarks: start a server on a data folder,
call the API, sign the bench admin in, read a process's CPU time."""
import http.client, json, os, subprocess, sys, urllib.parse

ADMIN = {"email": "bench@bench.local", "password": "bench-admin-pw"}


def start(binary, data):
    """faircrowd serve on data (request log appended to data/server.log): (process, parsed URL).
    The environment at the call is the server's (FAIRCROWD_DATABASE: PostgreSQL)."""
    log = open(os.path.join(data, "server.log"), "ab")
    p = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--data", data], stdout=subprocess.PIPE,
                         stderr=log,
                         env=dict(os.environ, FAIRCROWD_ADMIN_EMAIL=ADMIN["email"],
                                  FAIRCROWD_ADMIN_PASSWORD=ADMIN["password"]))
    url = p.stdout.readline().decode().split()[-1]
    return p, urllib.parse.urlparse(url)


def call(u, method, path, body=None, token=None, cookie=None, csrf=None, ctype="application/json"):
    """One request; exits on a status >= 300. body: a dict (sent as JSON), a str/bytes, or None."""
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    h = {"Content-Type": ctype}
    if token:
        h["Authorization"] = "Bearer " + token
    if cookie:
        h["Cookie"], h["X-CSRF-Token"] = cookie, csrf
    data = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    out = r.read()
    if r.status >= 300:
        sys.exit("%s %s -> %d %s" % (method, path, r.status, out[:300]))
    return r, (json.loads(out) if out else None)


def admin_token(u):
    """An API token of the bench admin."""
    r, me = call(u, "POST", "/api/v1/auth/login", ADMIN)
    cookie = r.getheader("Set-Cookie").split(";")[0]
    _, tok = call(u, "POST", "/api/v1/tokens", {"name": "bench"}, cookie=cookie, csrf=me["csrf_token"])
    return tok["token"]


def cpu_seconds(pid):
    """utime + stime of a process, all its threads (/proc/PID/stat fields 14 and 15)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
