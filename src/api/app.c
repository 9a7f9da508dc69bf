/* Dispatch: authentication, CSRF, idempotent replays, then the handler. */
#include "account/idempotency.h"
#include "api/handlers.h"
#include "core/crypto.h"
#include "core/log.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Fault injection for the durability tests, honoured only by a server
 * started with --test-clock: FAIRCROWD_TEST_CRASH_AFTER=ROUTE_NAME makes the
 * process exit right after that route's handler succeeded — its
 * transaction committed, its answer not yet sent or saved. */
static void crash_point(fc_req *r)
{
	const char *name = getenv("FAIRCROWD_TEST_CRASH_AFTER");
	if (name && fc_app_of(r)->test_clock && r->status >= 200 && r->status < 300 && !strcmp(name, r->route->name)) {
		fc_log(FC_LOG_WARN, "FAIRCROWD_TEST_CRASH_AFTER=%s: exiting as a crash would", name);
		fc_log_flush();
		_exit(70);
	}
}

static int is_safe_method(const char *m) { return !strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "OPTIONS"); }

const char *fc_req_bearer(fc_req *r)
{
	const char *h = fc_req_header(r, "Authorization");
	return h && !strncasecmp(h, "Bearer ", 7) && h[7] ? h + 7 : NULL;
}

/* Both come from the server layer, which believes X-Forwarded-For and
 * X-Forwarded-Proto only from the trusted proxies (--trust-proxy). */
const char *fc_api_client_address(fc_req *r, char *buf, size_t n) { return fc_req_client_ip(r, buf, n); }

int fc_api_is_https(fc_req *r) { return fc_app_of(r)->secure_cookies || fc_req_https(r); }

/* Resolves Bearer token or session cookie into r->auth. Returns 0, or an
 * error when credentials were given but are bad. */
static int authenticate(fc_req *r, fc_auth *a, fc_err *err)
{
	fc_store *s = fc_store_of(r);
	const char *h = fc_req_header(r, "Authorization");
	if (h) {
		const char *token = fc_req_bearer(r);
		if (!token)
			return fc_err_set(err, FC_EAUTH, "invalid_token", NULL, "Use 'Authorization: Bearer <token>'.");
		int rc = fc_account_token_auth(s, token, &a->user, err);
		if (!rc)
			a->authed = 1;
		return rc;
	}
	const char *c = fc_req_cookie(r, "fc_session");
	if (c && *c) {
		int rc = fc_account_session(s, c, &a->user, a->csrf, err);
		if (rc)
			return rc;
		a->authed = 1;
		a->via_cookie = 1;
		snprintf(a->session_token, sizeof a->session_token, "%s", c);
	}
	return 0;
}

static void request_hash(fc_req *r, char out[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[32];
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)r->method, strlen(r->method));
	crypto_hash_sha256_update(&st, (const unsigned char *)" ", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)r->path, strlen(r->path));
	crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
	if (r->body.len)
		crypto_hash_sha256_update(&st, (const unsigned char *)r->body.p, r->body.len);
	if (r->spool) {
		unsigned char buf[65536];
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, r->spool)) > 0)
			crypto_hash_sha256_update(&st, buf, n);
		rewind(r->spool);
	}
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, 65, h, sizeof h);
}

/* Authenticates the caller and checks the route's auth level and, for a
 * cookie, the CSRF token. Leaves the record in r->auth; replies and returns
 * -1 when the caller may not use the route. */
static int check_caller(fc_req *r)
{
	fc_err err = {0};
	fc_auth *a = calloc(1, sizeof *a);
	if (!a) {
		fc_reply_errorf(r, FC_ENOMEM, NULL, NULL, "Out of memory.");
		return -1;
	}
	r->auth = a;
	int level = r->route->auth & 0x0f;
	int rc = authenticate(r, a, &err);
	if (rc && level != FC_AUTH_OPTIONAL) {
		fc_api_fail(r, &err);
		return -1;
	}
	fc_err_clear(&err);
	if (!a->authed && level != FC_AUTH_OPTIONAL) {
		fc_reply_errorf(r, FC_EAUTH, "unauthenticated", NULL,
				"Sign in or send an API token to use this endpoint.");
		return -1;
	}
	if (level == FC_AUTH_ADMIN && !(a->user.roles & FC_ROLE_ADMIN)) {
		fc_reply_errorf(r, FC_EPERM, "forbidden", NULL, "Only an admin may do this.");
		return -1;
	}
	if (a->via_cookie && !is_safe_method(r->method)) {
		const char *t = fc_req_header(r, "X-CSRF-Token");
		if (!t || !fc_crypto_streq(t, a->csrf)) {
			fc_reply_errorf(r, FC_EPERM, "csrf_failed", "X-CSRF-Token",
					"Send the X-CSRF-Token from sign-in with this request.");
			return -1;
		}
	}
	return 0;
}

void fc_app_precheck(fc_req *r)
{
	if (r->route->auth != FC_AUTH_NONE)
		check_caller(r);
}

/* ---- the per-user quota on spooled bodies in flight ---- */

#define SPOOL_USERS 1024
static struct {
	int64_t user;
	uint64_t bytes;
} spool_use[SPOOL_USERS];
static pthread_mutex_t spool_mu = PTHREAD_MUTEX_INITIALIZER;

static void spool_release(fc_req *r)
{
	fc_auth *a = r->auth;
	if (!a || !a->spool_held)
		return;
	pthread_mutex_lock(&spool_mu);
	for (int i = 0; i < SPOOL_USERS; i++)
		if (spool_use[i].bytes && spool_use[i].user == a->user.id) {
			spool_use[i].bytes -= a->spool_held;
			break;
		}
	pthread_mutex_unlock(&spool_mu);
	a->spool_held = 0;
}

size_t fc_app_body_limit(fc_req *r, size_t route_limit)
{
	size_t limit = fc_api_body_limit(r, route_limit);
	fc_auth *a = r->auth;
	if (r->route->body != FC_BODY_SPOOL || !a || !a->authed)
		return limit;
	const char *cl = fc_req_header(r, "Content-Length");
	uint64_t want = cl ? strtoull(cl, NULL, 10) : limit;
	if (want > limit || want == 0)
		return limit; /* answered 413 (or nothing to store) by the server */
	uint64_t quota = (uint64_t)fc_app_of(r)->upload_quota;
	int slot = -1;
	uint64_t held = 0;
	pthread_mutex_lock(&spool_mu);
	for (int i = 0; i < SPOOL_USERS; i++) {
		if (spool_use[i].bytes && spool_use[i].user == a->user.id) {
			slot = i;
			break;
		}
		if (slot < 0 && !spool_use[i].bytes)
			slot = i;
	}
	if (slot >= 0)
		held = spool_use[slot].bytes;
	int ok = slot >= 0 && (!quota || held + want <= quota);
	if (ok) {
		spool_use[slot].user = a->user.id;
		spool_use[slot].bytes += want;
		a->spool_held = want;
		r->on_free = spool_release;
	}
	pthread_mutex_unlock(&spool_mu);
	if (ok)
		return limit;
	if (slot < 0) /* every slot is another user's upload */
		fc_reply_errorf(r, FC_EBUSY, "busy", NULL, "The server is receiving too many uploads; try again soon.");
	else
		fc_reply_errorf(r, FC_ERATE, "upload_quota", NULL,
				"Your uploads in progress hold %llu bytes; %llu more would pass your %llu; wait for "
				"them to finish.",
				(unsigned long long)held, (unsigned long long)want, (unsigned long long)quota);
	fc_reply_header(r, "Retry-After", "30");
	return limit;
}

void fc_app_dispatch(fc_req *r)
{
	fc_err err = {0};
	if (!r->route) {
		if (r->method_mismatch) {
			fc_reply_errorf(r, FC_EINVAL, "method_not_allowed", NULL, "%s is not allowed on %s.", r->method,
					r->path);
			r->status = 405;
			return;
		}
		if (!strncmp(r->path, "/api/", 5) || !strcmp(r->path, "/api") ||
		    (strcmp(r->method, "GET") && strcmp(r->method, "HEAD"))) {
			fc_reply_errorf(r, FC_ENOTFOUND, "not_found", NULL, "No such endpoint: %s %s.", r->method,
					r->path);
			return;
		}
		h_static(r);
		return;
	}
	if (r->route->auth == FC_AUTH_NONE) {
		r->route->fn(r); /* public, no idempotency: nothing to resolve */
		return;
	}
	if (!r->auth && check_caller(r)) /* normally done by fc_app_precheck already */
		return;
	fc_auth *a = r->auth;
	const char *key = (r->route->auth & FC_IDEMPOTENT) && a->authed ? fc_req_header(r, "Idempotency-Key") : NULL;
	char hash[65];
	fc_store *store = fc_store_of(r);
	if (key) {
		if (!*key || strlen(key) > 255) {
			fc_reply_errorf(r, FC_EINVAL, "invalid_idempotency_key", "Idempotency-Key",
					"The Idempotency-Key header must have 1 to 255 characters.");
			return;
		}
		/* A second request with the same (user, key) while the first runs
		 * would find no stored answer and run again — a double funding — so
		 * the first holds a claim (a row: servers sharing the database see
		 * it) and the second gets 409 idempotency_key_in_use, unless the
		 * answer is stored by then (the holder finished, or committed and
		 * died), which it replays. tests/api/test_money.c fires eight at once. */
		int claim = fc_idem_claim(store, a->user.id, key, &err);
		if (claim && claim != FC_ECONFLICT) {
			fc_api_fail(r, &err);
			return;
		}
		request_hash(r, hash);
		int status;
		char *body = NULL;
		int rc = fc_idem_lookup(store, a->user.id, key, hash, &status, &body, &err);
		if (rc == 0) {
			size_t len = strlen(body);
			fc_reply_bytes(r, status, "application/json; charset=utf-8", body, len, 1);
			fc_reply_header(r, "Idempotent-Replayed", "true");
			free(body);
		} else if (rc != FC_ENOTFOUND) {
			fc_api_fail(r, &err);
		} else if (claim == FC_ECONFLICT) {
			fc_reply_errorf(r, FC_ECONFLICT, "idempotency_key_in_use", "Idempotency-Key",
					"A request with this Idempotency-Key is still running; retry it in a moment.");
			fc_reply_header(r, "Retry-After", "1");
		}
		if (rc != FC_ENOTFOUND || claim == FC_ECONFLICT) {
			if (!claim)
				fc_idem_unclaim(store, a->user.id, key);
			return;
		}
		r->capture = 1;
		fc_idem_arm(a->user.id, key, r->route->name, hash);
	}
	r->route->fn(r);
	if (key) {
		fc_idem_disarm();
		crash_point(r);
	}
	if (key) {
		if (r->status >= 200 && r->status < 300 && r->captured.p)
			fc_idem_save(store, a->user.id, key, r->route->name, hash, r->status, r->captured.p, NULL);
		fc_idem_unclaim(store, a->user.id, key);
	}
}

json_t *fc_api_body(fc_req *r, const fc_field *fields)
{
	fc_err err = {0};
	json_t *j = fc_json_parse(r->body.p, r->body.len, &err);
	if (j && fc_json_check(j, fields, &err)) {
		json_decref(j);
		j = NULL;
	}
	if (!j)
		fc_api_fail(r, &err);
	return j;
}

void fc_api_fail(fc_req *r, fc_err *err)
{
	fc_reply_error(r, err);
	fc_err_clear(err);
}

int fc_api_page(fc_req *r, int *limit, int64_t *after)
{
	const char *l = fc_req_query(r, "limit"), *a = fc_req_query(r, "after");
	*limit = 50;
	*after = 0;
	char *end;
	if (l) {
		long v = strtol(l, &end, 10);
		if (!*l || *end || v < 1 || v > 1000) {
			fc_reply_errorf(r, FC_EINVAL, "invalid_limit", "limit",
					"limit must be an integer from 1 to 1000.");
			return -1;
		}
		*limit = (int)v;
	}
	if (a) {
		long long v = strtoll(a, &end, 10);
		if (!*a || *end || v < 0) {
			fc_reply_errorf(r, FC_EINVAL, "invalid_cursor", "after",
					"after must be a cursor from a previous page.");
			return -1;
		}
		*after = v;
	}
	return 0;
}

int64_t fc_api_id(fc_req *r, int i)
{
	if (i >= r->nparams || r->ids[i] <= 0) {
		fc_reply_errorf(r, FC_ENOTFOUND, "not_found", NULL, "Not found.");
		return -1;
	}
	return r->ids[i];
}

void fc_api_reply(fc_req *r, int rc, fc_err *err, int status, json_t *out)
{
	if (rc)
		fc_api_fail(r, err);
	else if (!out && (status & FC_API_EMPTY_IS_204))
		fc_reply_empty(r, 204);
	else
		fc_reply_json(r, status & 0xffff, out);
}

void fc_api_call_id(fc_req *r, fc_api_id_fn fn, int status)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fn(fc_store_of(r), fc_user_of(r), id, &out, &err);
	fc_api_reply(r, rc, &err, status, out);
}

void fc_api_call_id_page(fc_req *r, fc_api_id_page_fn fn)
{
	int64_t id = fc_api_id(r, 0);
	int limit;
	int64_t after;
	if (id < 0 || fc_api_page(r, &limit, &after))
		return;
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fn(fc_store_of(r), fc_user_of(r), id, limit, after, &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}

void fc_api_call_page(fc_req *r, fc_api_page_fn fn)
{
	int limit;
	int64_t after;
	if (fc_api_page(r, &limit, &after))
		return;
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fn(fc_store_of(r), fc_user_of(r), limit, after, &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}

void fc_api_call_id_body(fc_req *r, fc_api_id_body_fn fn, int status)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	json_t *b = fc_json_parse(r->body.p, r->body.len, &err), *out = NULL;
	if (!b) {
		fc_api_fail(r, &err);
		return;
	}
	int rc = fn(fc_store_of(r), fc_user_of(r), id, b, &out, &err);
	json_decref(b);
	fc_api_reply(r, rc, &err, status, out);
}
