#!/usr/bin/env python3
"""Writes docs/openapi.json from the route table in src/api/routes.c.

Summaries and request bodies come from SPEC below; a route without an entry
still appears (with its name as summary), and tests/unit/test_routes.c fails
when the document and the route table disagree. Run after adding a route:
    tools/gen-openapi.py > docs/openapi.json
"""
import json, re, sys, os

root = os.path.join(os.path.dirname(__file__), "..")
src = open(os.path.join(root, "src/api/routes.c")).read()
# clang-format may break a long entry over lines: whitespace between fields is free
routes = re.findall(r'\{"(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)",\s*"([^"]+)",\s*(\w+),\s*([^,]+),\s*(FC_BODY_\w+),\s*[^,]+,\s*"(\w+)"\s*\}', src)
routes = [tuple(" ".join(f.split()) for f in r) for r in routes]

S = lambda **kw: kw
SPEC = {
    "healthz": S(summary="Liveness check", tag="operations"),
    "metrics": S(summary="Prometheus metrics (text format)", tag="operations"),
    "openapi": S(summary="This document", tag="operations"),
    "admin_clock": S(summary="Set the test clock and run due jobs (serve --test-clock only)", tag="operations",
                     body={"now": "string(date-time)", "run_jobs": "boolean"}),
    "register": S(summary="Create a contributor account", tag="accounts",
                  body={"email": "string", "password": "string", "display_name": "string"}),
    "login": S(summary="Sign in; sets an HttpOnly session cookie and returns a CSRF token", tag="accounts",
               body={"email": "string", "password": "string"}),
    "logout": S(summary="Sign out (with an API token: revoke it)", tag="accounts"),
    "me": S(summary="The signed-in user", tag="accounts"),
    "tokens_create": S(summary="Create an API token (shown once)", tag="accounts",
                       body={"name": "string", "expires_in_days": "integer"}),
    "tokens_list": S(summary="List your API tokens (never the secret)", tag="accounts"),
    "tokens_delete": S(summary="Revoke one of your API tokens", tag="accounts"),
    "users_create": S(summary="Admin: create a user with roles", tag="accounts",
                      body={"email": "string", "password": "string", "display_name": "string", "roles": "array"}),
    "users_list": S(summary="Admin: every user, by id", tag="accounts", list=True),
    "users_patch": S(summary="Admin: change a user's roles, disable or enable the account", tag="accounts",
                     body={"roles": "array", "disabled": "boolean"}),
    "projects_create": S(summary="Create a draft project", tag="projects",
                         body={"title": "string", "kind": "string", "instructions": "string", "label_config": "string",
                               "collect": "object", "reward": "integer", "currency": "string", "overlap": "integer",
                               "lease_seconds": "integer", "opens_at": "string(date-time)",
                               "closes_at": "string(date-time)", "max_per_contributor": "integer",
                               "gold_rate": "number", "review_rate": "number", "auto_approve_days": "integer",
                               "reject_reasons": "array", "eligibility": "object", "gold_threshold": "number",
                               "gold_min_answers": "integer", "confidence_threshold": "number",
                               "max_overlap": "integer", "qualification": "object"}),
    "projects_list": S(summary="Projects: requesters their own; contributors live eligible ones with measured pay", tag="projects", list=True),
    "projects_get": S(summary="One project", tag="projects"),
    "projects_patch": S(summary="Change a project (same fields as create)", tag="projects"),
    "projects_publish": S(summary="draft|paused → live (needs tasks and escrow)", tag="projects"),
    "projects_pause": S(summary="live → paused", tag="projects"),
    "projects_close": S(summary="→ closed (final); unused escrow is returned", tag="projects"),
    "projects_members": S(summary="Add an owner or reviewer", tag="projects", body={"user_id": "integer", "role": "string"}),
    "projects_stats": S(summary="Counts, median active time, effective hourly pay, throughput", tag="projects"),
    "projects_fund": S(summary="Add money to the project's escrow (Idempotency-Key)", tag="money", body={"amount": "integer"}),
    "consent_put": S(summary="Set the consent document (a new version each change)", tag="consent",
                     body={"text": "string", "version": "string"}),
    "consent_get": S(summary="The current consent document and whether you accepted it", tag="consent"),
    "consent_accept": S(summary="Accept a consent version", tag="consent", body={"version": "string"}),
    "markdown_preview": S(summary="Render Markdown (at most 100,000 bytes) to safe HTML, as instructions_html and consent text_html are rendered", tag="projects",
                          body={"markdown": "string"}),
    "tasks_import": S(summary="Import tasks: JSON array, NDJSON or CSV (Label Studio JSON with predictions and annotations); "
                            "format=coco (a COCO file as pre-annotations) or mturk (MTurk batch results CSV); a zip or tar "
                            "of media files, one task per file; all-or-nothing (Idempotency-Key); docs/formats.md", tag="tasks",
                      raw=True, query={"format": ["tasks", "coco", "mturk"]}),
    "tasks_list": S(summary="A project's tasks", tag="tasks", list=True),
    "tasks_get": S(summary="One task", tag="tasks"),
    "export": S(summary="Owner: stream the project's data as jsonl, json (Label Studio), csv, coco, yolo (zip), "
                        "voc (zip), conll, mot (zip), dpo, webdataset (tar of shards; shard_size=N), yolo_pose (zip), brush_png (zip of PNG masks) "
                        "or cv (Common Voice tar); docs/formats.md", tag="tasks",
                query={"format": ["jsonl", "json", "csv", "coco", "yolo", "voc", "conll", "mot", "dpo", "webdataset",
                                  "yolo_pose", "brush_png", "cv"],
                       "status": ["accepted", "all"], "labels": ["raw"]}),
    "assign_lease": S(summary="Lease the next task (201) or nothing now (204)", tag="work"),
    "assign_submit": S(summary="Submit a result (Idempotency-Key)", tag="work",
                       body={"result": "array", "active_seconds": "number", "media_id": "integer"}),
    "assign_release": S(summary="Give the task back, no penalty", tag="work"),
    "my_submissions": S(summary="Your submissions with status, reason and pay", tag="work", list=True),
    "media_upload": S(summary="Upload a recording or photo (raw body with its media Content-Type); 201 with probe, 422 listing every failed check, 413 over collect.max_bytes", tag="collection"),
    "project_bonuses": S(summary="The project's bonuses, oldest first (owner; ?limit=&after=)", tag="money"),
    "task_files_add": S(summary="Add an image, audio or video file as one task (raw body, ?name= the file's name; owner): the config's first Image/Audio/Video field names it; 409 duplicate when the same bytes are in the project, 415 not_media, 400 no_media_field", tag="tasks"),
    "task_file_get": S(summary="Stream a file added as a task (project team, or whoever holds or submitted its task)", tag="tasks"),
    "media_get": S(summary="Stream an uploaded file (project team, uploader, or a validator holding it)", tag="collection"),
    "media_peaks": S(summary="Waveform peaks of a recording (?n= runs, 1..200000, default 2000; format=u8 for one byte a peak with X-Duration-Seconds), decoded on the server so a long file draws at once", tag="collection"),
    "validations_next": S(summary="A recording by someone else to validate, or 204", tag="collection"),
    "votes_create": S(summary="Vote on a recording (one per person, not the author)", tag="collection", body={"vote": "string"}),
    "profile_get": S(summary="Your self-reported demographics", tag="accounts"),
    "profile_patch": S(summary="Set optional demographics (age_band, gender, accent, languages, country)", tag="accounts",
                       body={"age_band": "string", "gender": "string", "accent": "string", "languages": "array", "country": "string"}),
    "my_earnings": S(summary="Pending, available and paid money; effective hourly pay", tag="money"),
    "review_next": S(summary="The next pending submission to review (204 when none)", tag="review"),
    "review_accept": S(summary="Accept a submission (pays it)", tag="review"),
    "review_reject": S(summary="Reject with a reason code and a message (both required)", tag="review",
                       body={"reason_code": "string", "message": "string"}),
    "review_fix": S(summary="Fix a submission; the fix is kept beside the original", tag="review", body={"result": "array"}),
    "review_appeal": S(summary="Appeal a rejection within 14 days", tag="review", body={"message": "string"}),
    "appeal_decide": S(summary="A different reviewer upholds or denies an appeal", tag="review",
                       body={"decision": "string", "reason": "string"}),
    "appeals_list": S(summary="A project's appeals (?status=open|upheld|denied)", tag="review"),
    "uploads_options": S(summary="tus 1.0 capabilities (Tus-Version, Tus-Extension, Tus-Max-Size)", tag="collection"),
    "uploads_create": S(summary="Start a resumable upload (tus: Upload-Length, Upload-Metadata)", tag="collection"),
    "uploads_head": S(summary="Where to resume (Upload-Offset)", tag="collection"),
    "uploads_patch": S(summary="Send bytes from Upload-Offset (application/offset+octet-stream)", tag="collection"),
    "uploads_delete": S(summary="Cancel an upload", tag="collection"),
    "uploads_attach": S(summary="Attach a complete upload to an assignment (runs every media check)", tag="collection",
                        body={"assignment_id": "integer"}),
    "quality_labels": S(summary="Aggregated labels per task (?method=mv|ds|ods|glad|mace|ebcc|auto|median|text|boxes|spans&control=)", tag="quality"),
    "quality_agreement": S(summary="Krippendorff's alpha, Fleiss' and Cohen's kappa, alpha per label, kappa per contributor pair; ?method=iou: pairwise IoU of regions", tag="quality"),
    "quality_my": S(summary="Your gold accuracy on a project with its 95% interval, and whether you are paused and why", tag="quality"),
    "qualification_result": S(summary="Your scored qualification test: score, passed, each answer with the correct one", tag="quality"),
    "qualification_retake": S(summary="Start the next attempt of a failed qualification test (new questions, per the retake policy)", tag="quality"),
    "quality_contributors": S(summary="Owner/reviewer: per contributor gold accuracy, agreement with consensus, Dawid-Skene accuracy, rejection rate, median time, pause (?control=)", tag="quality"),
    "quality_unpause": S(summary="Owner: lift a contributor's quality pause", tag="quality"),
    "webhooks_create": S(summary="Owner: add a webhook (events delivered from the outbox, signed with the secret)",
                         tag="webhooks", body={"url": "string", "events": "array", "secret": "string"}),
    "webhooks_list": S(summary="Owner: the project's webhooks with delivery counts", tag="webhooks"),
    "webhooks_delete": S(summary="Owner: delete a webhook (its undelivered items are given up)", tag="webhooks"),
    "webhooks_deliveries": S(summary="Owner: the latest 50 deliveries of a webhook", tag="webhooks"),
}

def schema(t):
    if t.startswith("string("):
        return {"type": "string", "format": t[7:-1]}
    return {"type": t}

paths = {}
for method, pattern, fn, auth, body, name in routes:
    spec = SPEC.get(name, {})
    op = {"operationId": name, "summary": spec.get("summary", name.replace("_", " ")),
          "tags": [spec.get("tag", "other")],
          "responses": {"default": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}
    ok = "201" if method == "POST" and name.endswith(("create", "register", "submit", "import", "fund", "accept", "appeal", "lease", "members")) and name not in ("review_accept",) else "200"
    op["responses"][ok] = {"description": "OK"}
    if "FC_AUTH_NONE" in auth:
        op["security"] = []
    params = [{"name": p, "in": "path", "required": True, "schema": {"type": "integer"}} for p in re.findall(r"\{(\w+)\}", pattern)]
    if spec.get("list"):
        params += [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}},
                   {"name": "after", "in": "query", "schema": {"type": "string"}}]
    for q, values in spec.get("query", {}).items():
        params.append({"name": q, "in": "query", "schema": {"type": "string", "enum": values, "default": values[0]}})
    if params:
        op["parameters"] = params
    if "body" in spec:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": False,
            "properties": {k: schema(v) for k, v in spec["body"].items()}}}}}
    if spec.get("raw"):
        op["requestBody"] = {"required": True, "content": {t: {"schema": {"type": "string"}} for t in
                             ("application/json", "application/x-ndjson", "text/csv")}}
    paths.setdefault(pattern, {})[method.lower()] = op

doc = {
    "openapi": "3.0.3",
    "info": {"title": "faircrowd", "version": "0.1.0",
             "description": "Collect and annotate AI training data with a fairly paid crowd. See docs/api.md."},
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}, {"cookie": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                            "cookie": {"type": "apiKey", "in": "cookie", "name": "fc_session"}},
        "schemas": {"Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
            "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string", "nullable": True},
            "details": {"type": "array", "items": {"type": "object"}}}}}}}},
    "paths": paths,
}
json.dump(doc, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
