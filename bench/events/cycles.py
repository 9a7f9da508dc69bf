#!/usr/bin/env python3
"""Runs N lease+submit cycles, one at a time, round-robin over the contributor
tokens in TOKEN_FILE, against project PID.  cycles.py URL PID TOKEN_FILE N
Used by bench/events/instructions.sh to count the server's instructions per
cycle under callgrind (a count, not a time: it does not depend on the load of
the machine)."""
import http.client, json, sys, urllib.parse

url, pid, token_file, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
u = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
tokens = [t.strip() for t in open(token_file) if t.strip()]
result = json.dumps({"result": [{"from_name": "sentiment", "to_name": "text", "type": "choices",
                                 "value": {"choices": ["pos"]}}]}).encode()
done = 0
for i in range(n):
    tok = tokens[i % len(tokens)]
    conn.request("POST", "/api/v1/projects/%d/assignments" % pid, headers={"Authorization": "Bearer " + tok})
    r = conn.getresponse()
    body = r.read()
    if r.status != 201:
        continue
    aid = json.loads(body)["id"]
    conn.request("POST", "/api/v1/assignments/%d/submit" % aid, body=result,
                 headers={"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
    r = conn.getresponse()
    r.read()
    done += r.status == 201
print(done)
