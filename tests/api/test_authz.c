/* The authorisation matrix (issue #19): every route the server serves (read
 * from its own GET /api/v1/openapi.json, which tests/unit/test_routes.c
 * keeps equal to the route table) × seven callers → the status expected.
 * A route without a row fails the test, so a new route cannot skip it.
 *
 * The callers: anonymous, the contributor who worked in the project, another
 * contributor, the project's owner, another requester, the project's
 * reviewer and an admin. Path parameters name the contributor's objects in
 * the owner's live project (its task, assignment, submission, upload, spare
 * API token, user id) or the owner's webhook; ids that no fixture has
 * (appeals, media, payout batches) are 999999. Bodies are "{}": an allowed
 * caller gets 400/409/422, a refused one 401/403/404, so no request changes
 * the fixture except the few run last (delete an upload, pause, close,
 * withdraw, logout) and the successes of the owner, reviewer and admin
 * columns, which the order makes the same on every run.
 *
 * FC_AUTHZ_PRINT=1 prints the table as found, to review and paste when a
 * route is added; the review is the point: a 2xx in a column that should
 * not have one is an authorisation bug. */
#include "harness.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static srv S;
static void up(void) { suite_with_users(&S, 2); }
static void down(void) { srv_stop(&S); }
TestSuite(authz, .init = up, .fini = down, .timeout = 300);

enum { ANON, CONTRIB, OTHER_CONTRIB, OWNER, OTHER_REQ, REVIEWER, ADMIN, NCALLERS };
static const char *const CALLER[NCALLERS] = {"anonymous", "contributor",     "other contributor",
					     "owner",     "other requester", "reviewer",
					     "admin"};

typedef struct row {
	const char *route;
	short want[NCALLERS];
} row;

/* clang-format off */
static const row MATRIX[] = {
#include "authz_matrix.h"
};
/* clang-format on */

/* Routes run last, in this order: they change the fixture. */
static const char *const LAST[] = {"uploads_delete", "projects_pause", "projects_close", "consent_withdraw", "logout"};

typedef struct fixture {
	char token[NCALLERS][64];
	long long project, task, assignment, submission, token_id, user, webhook;
	long long admin;
	char upload[64];
} fixture;

static void make_fixture(fixture *f)
{
	snprintf(f->token[CONTRIB], 64, "%s", S.c[0]);
	snprintf(f->token[OTHER_CONTRIB], 64, "%s", S.c[1]);
	snprintf(f->token[OWNER], 64, "%s", S.req);
	snprintf(f->token[ADMIN], 64, "%s", S.admin_token);
	make_user(&S, "req2@test.local", "requester", f->token[OTHER_REQ]);
	make_user(&S, "rev@test.local", "contributor", f->token[REVIEWER]);
	char tasks[1024];
	f->project = project_live(&S, S.req,
				  json_pack("{s:s,s:s,s:i,s:i,s:[s]}", "title", "Matrix", "label_config", YES_NO_CONFIG,
					    "reward", 10, "overlap", 1, "reject_reasons", "spam"),
				  ndjson_lines(tasks, sizeof tasks, "{\"text\":\"item %d\"}\n", 3), 100);
	char path[160];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/members", f->project);
	res r = api(&S, "POST", path, S.req, "{s:I,s:s}", "user_id", (json_int_t)user_id(&S, f->token[REVIEWER]),
		    "role", "reviewer");
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	f->assignment = lease_ok(&S, f->project, S.c[0]);
	r = submit_choice(&S, f->assignment, S.c[0], "label", "yes", NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	f->submission = jint(r.json, "id");
	f->task = jint(r.json, "task_id");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/tokens", S.c[0], "{s:s}", "name", "spare");
	cr_assert_eq(r.status, 201, "%s", r.body);
	f->token_id = jint(r.json, "id");
	res_free(&r);
	f->user = S.c_id[0];
	f->admin = user_id(&S, S.admin_token);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks", f->project);
	r = api(&S, "POST", path, S.req, "{s:s,s:[s],s:s}", "url", "http://127.0.0.1:9/hook", "events",
		"SUBMISSION_ACCEPTED", "secret", "a-webhook-secret");
	cr_assert_eq(r.status, 201, "%s", r.body);
	f->webhook = jint(r.json, "id");
	res_free(&r);
	const char *tus[] = {"Tus-Resumable: 1.0.0", "Upload-Length: 10", NULL};
	r = http(&S, "POST", "/api/v1/uploads", S.c[0], NULL, NULL, 0, tus);
	cr_assert_eq(r.status, 201, "%s", r.body);
	snprintf(f->upload, sizeof f->upload, "%s", jstr(r.json, "id"));
	res_free(&r);
}

/* The route's pattern with its parameters filled in from the fixture. */
static void fill(const fixture *f, const char *pattern, char *out, size_t n)
{
	size_t o = 0;
	for (const char *p = pattern; *p && o < n - 1;) {
		if (*p != '{') {
			out[o++] = *p++;
			continue;
		}
		const char *close = strchr(p, '}');
		char name[32];
		snprintf(name, sizeof name, "%.*s", (int)(close - p - 1), p + 1);
		/* the collection this parameter belongs to: the segment before it */
		char coll[32] = "";
		const char *slash = p - 1, *start = slash; /* pattern "/x/{id}": slash before '{' */
		while (start > pattern && start[-1] != '/')
			start--;
		snprintf(coll, sizeof coll, "%.*s", (int)(slash - start), start);
		/* a parameter's own name first, else the collection it is in */
		const struct {
			const char *key;
			long long id;
		} ids[] = {{"webhook_id", f->webhook},     {"user_id", f->user},
			   {"projects", f->project},       {"tasks", f->task},
			   {"assignments", f->assignment}, {"submissions", f->submission},
			   {"tokens", f->token_id},        {"users", f->user}};
		char v[64] = "999999";
		if (!strcmp(coll, "uploads"))
			snprintf(v, sizeof v, "%s", f->upload);
		for (size_t i = sizeof ids / sizeof ids[0]; i-- > 0;)
			if (!strcmp(name, ids[i].key) || (i >= 2 && !strcmp(coll, ids[i].key)))
				snprintf(v, sizeof v, "%lld", ids[i].id);
		o += (size_t)snprintf(out + o, n - o, "%s", v);
		if (o >= n)
			o = n - 1;
		p = close + 1;
	}
	out[o] = 0;
}

/* A body that passes validation, so the caller's rights decide: owners
 * fund and add members, reviewers reject; "{}" for the rest. */
static void body_of(const fixture *f, const char *name, char *out, size_t n)
{
	static const struct {
		const char *route, *fmt; /* fmt's one %lld: the contributor's id, or the admin's */
		int admin;
	} BODIES[] = {
		{"projects_fund", "{\"amount\":1}", 0},
		{"payouts_create", "{\"amount\":1}", 0},
		{"project_bonus", "{\"user_id\":%lld,\"amount\":1,\"reason\":\"matrix\"}", 0},
		{"projects_members", "{\"user_id\":%lld,\"role\":\"reviewer\"}", 1},
		{"consent_put", "{\"text\":\"You agree.\",\"version\":\"v1\"}", 0},
		{"consent_accept", "{\"version\":\"v1\"}", 0},
		{"appeal_decide", "{\"decision\":\"uphold\",\"reason\":\"matrix\"}", 0},
		{"review_fix", "{\"result\":[]}", 0},
		{"webhooks_create",
		 "{\"url\":\"http://127.0.0.1:9/h\",\"events\":[\"SUBMISSION_ACCEPTED\"],\"secret\":\"s\"}", 0},
		{"review_reject", "{\"reason_code\":\"spam\",\"message\":\"matrix\"}", 0},
		{"review_appeal", "{\"message\":\"please look again\"}", 0},
		{"markdown_preview", "{\"markdown\":\"*x*\"}", 0},
		{"tokens_create", "{\"name\":\"matrix\"}", 0},
	};
	snprintf(out, n, "{}");
	for (size_t i = 0; i < sizeof BODIES / sizeof BODIES[0]; i++)
		if (!strcmp(BODIES[i].route, name)) {
			_Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wformat-nonliteral\"")
				snprintf(out, n, BODIES[i].fmt, BODIES[i].admin ? f->admin : f->user);
			_Pragma("GCC diagnostic pop")
		}
}

static long call(const fixture *f, int caller, const char *method, const char *path, const char *name)
{
	const char *headers[] = {"Tus-Resumable: 1.0.0", "Upload-Length: 10", "Upload-Offset: 0", NULL};
	int body = !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH");
	const char *ctype = !strcmp(name, "uploads_patch") ? "application/offset+octet-stream" : "application/json";
	const char *token = caller == ANON ? NULL : f->token[caller];
	char fresh[64];
	if (!strcmp(name, "logout") && token) { /* a token of its own: logout revokes it */
		res t = api(&S, "POST", "/api/v1/tokens", token, "{s:s}", "name", "logout");
		cr_assert_eq(t.status, 201, "%s", t.body);
		snprintf(fresh, sizeof fresh, "%s", jstr(t.json, "token"));
		res_free(&t);
		token = fresh;
	}
	char json[256];
	body_of(f, name, json, sizeof json);
	res r = http(&S, method, path, token, body ? ctype : NULL, body ? json : NULL, body ? strlen(json) : 0, headers);
	long st = r.status;
	res_free(&r);
	return st;
}

static const row *row_of(const char *name)
{
	for (size_t i = 0; i < sizeof MATRIX / sizeof MATRIX[0]; i++)
		if (!strcmp(MATRIX[i].route, name))
			return &MATRIX[i];
	return NULL;
}

typedef struct op {
	char method[8], pattern[160], name[64];
} op;

/* Every operation of the served OpenAPI document, the LAST ones at the end. */
static size_t operations(op *ops, size_t max)
{
	res r = api(&S, "GET", "/api/v1/openapi.json", NULL, NULL);
	cr_assert_eq(r.status, 200);
	size_t n = 0, late = 0;
	op tail[8];
	const char *path;
	json_t *methods;
	json_object_foreach(jget(r.json, "paths"), path, methods) {
		const char *m;
		json_t *o;
		json_object_foreach(methods, m, o) {
			const char *id = json_string_value(json_object_get(o, "operationId"));
			if (!id)
				continue;
			op x = {0};
			for (size_t i = 0; m[i] && i < sizeof x.method - 1; i++)
				x.method[i] = (char)(m[i] >= 'a' && m[i] <= 'z' ? m[i] - 32 : m[i]);
			snprintf(x.pattern, sizeof x.pattern, "%s", path);
			snprintf(x.name, sizeof x.name, "%s", id);
			int is_last = 0;
			for (size_t k = 0; k < sizeof LAST / sizeof LAST[0]; k++)
				is_last |= !strcmp(LAST[k], id);
			if (is_last && late < 8)
				tail[late++] = x;
			else if (n < max)
				ops[n++] = x;
		}
	}
	res_free(&r);
	for (size_t k = 0; k < sizeof LAST / sizeof LAST[0]; k++)
		for (size_t i = 0; i < late; i++)
			if (!strcmp(tail[i].name, LAST[k]) && n < max)
				ops[n++] = tail[i];
	return n;
}

Test(authz, every_route_times_every_caller_gives_the_expected_status)
{
	set_clock(&S, "2030-01-01T00:00:00Z");
	fixture f = {0};
	make_fixture(&f);
	static op ops[256];
	size_t n = operations(ops, 256);
	cr_assert_gt(n, 60, "the OpenAPI document lists %zu operations", n);
	int print = getenv("FC_AUTHZ_PRINT") != NULL;
	static const int order[NCALLERS] = {ANON, OTHER_CONTRIB, OTHER_REQ, REVIEWER, CONTRIB, OWNER, ADMIN};
	for (size_t i = 0; i < n; i++) {
		const row *want = row_of(ops[i].name);
		cr_expect(want || print, "route %s (%s %s) has no row in tests/api/authz_matrix.h", ops[i].name,
			  ops[i].method, ops[i].pattern);
		char path[256];
		fill(&f, ops[i].pattern, path, sizeof path);
		long got[NCALLERS];
		for (int k = 0; k < NCALLERS; k++) {
			int c = order[k];
			got[c] = call(&f, c, ops[i].method, path, ops[i].name);
			if (want)
				cr_expect_eq(got[c], want->want[c], "%s %s as %s: %ld, expected %d", ops[i].method,
					     path, CALLER[c], got[c], want->want[c]);
		}
		if (print)
			printf("{\"%s\", {%ld, %ld, %ld, %ld, %ld, %ld, %ld}},\n", ops[i].name, got[0], got[1], got[2],
			       got[3], got[4], got[5], got[6]);
	}
	/* and no row for a route that no longer exists */
	for (size_t j = 0; j < sizeof MATRIX / sizeof MATRIX[0]; j++) {
		int found = 0;
		for (size_t i = 0; i < n && !found; i++)
			found = !strcmp(ops[i].name, MATRIX[j].route);
		cr_expect(found, "tests/api/authz_matrix.h has a row for %s, which no route has", MATRIX[j].route);
	}
}

/* Rules every row must keep, whatever it says: a check on the table itself,
 * so a careless paste cannot make a hole look expected. */
Test(authz, the_matrix_keeps_the_rules)
{
	static const char *const PUBLIC[] = {"healthz",         "openapi", "register",       "login",
					     "uploads_options", "metrics", "password_reset", "password_reset_confirm",
					     "signing_key"};
	for (size_t j = 0; j < sizeof MATRIX / sizeof MATRIX[0]; j++) {
		const row *w = &MATRIX[j];
		int public_ = 0;
		for (size_t k = 0; k < sizeof PUBLIC / sizeof PUBLIC[0]; k++)
			public_ |= !strcmp(PUBLIC[k], w->route);
		if (!public_)
			cr_expect_eq(w->want[ANON], 401, "%s answers anonymous callers %d", w->route, w->want[ANON]);
		if (!strncmp(w->route, "admin", 5) || !strncmp(w->route, "users_", 6) ||
		    !strncmp(w->route, "payouts_batch", 13) || !strcmp(w->route, "payouts_confirm") ||
		    !strcmp(w->route, "payouts_stats"))
			for (int c = CONTRIB; c < ADMIN; c++)
				cr_expect(w->want[c] == 403, "%s (admin only) answers the %s %d", w->route, CALLER[c],
					  w->want[c]);
		/* the owner's project as someone with no part in it: never a success */
		if (!strncmp(w->route, "projects_", 9) && strcmp(w->route, "projects_create") &&
		    strcmp(w->route, "projects_list") && strcmp(w->route, "projects_get") /* live: public */)
			for (int c = OTHER_CONTRIB; c <= OTHER_REQ; c += OTHER_REQ - OTHER_CONTRIB)
				cr_expect(w->want[c] >= 400, "%s succeeds for the %s (%d)", w->route, CALLER[c],
					  w->want[c]);
	}
}
