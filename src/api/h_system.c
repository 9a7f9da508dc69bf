/* Health, metrics, OpenAPI, the web UI's static files, the test clock. */
#include "api/handlers.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/embed.h"
#include "events/events.h"
#include "events/jobs.h"
#include "events/outbox.h"
#include "http/metrics.h"

#include <stdio.h>
#include <string.h>

extern const fc_embedded fc_docs[];
extern const size_t fc_docs_count;

static const char CSP[] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
			  "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
			  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

void h_healthz(fc_req *r)
{
	static const char ok[] = "{\"status\":\"ok\"}";
	fc_reply_bytes(r, 200, "application/json; charset=utf-8", ok, sizeof ok - 1, 0);
	fc_reply_header(r, "Cache-Control", "no-store");
}

/* GET /metrics: for the scraper holding FAIRCROWD_METRICS_TOKEN, or an
 * admin; the route is FC_AUTH_OPTIONAL so a token that is not a user's
 * reaches this check. */
static int may_see_metrics(fc_req *r)
{
	const fc_auth *a = r->auth;
	const char *want = fc_app_of(r)->metrics_token, *got = fc_req_bearer(r);
	if (want && *want && got && fc_crypto_streq(got, want))
		return 1;
	if (a && a->authed && (a->user.roles & FC_ROLE_ADMIN))
		return 1;
	if (a && a->authed)
		fc_reply_errorf(r, FC_EPERM, "forbidden", NULL, "Only an admin or the metrics token may read /metrics.");
	else
		fc_reply_errorf(r, FC_EAUTH, "unauthenticated", NULL,
				"Send 'Authorization: Bearer' with the metrics token (FAIRCROWD_METRICS_TOKEN).");
	return 0;
}

void h_metrics(fc_req *r)
{
	if (!may_see_metrics(r))
		return;
	fc_buf b = {0};
	const char *names[256];
	size_t n = fc_routes_count < 256 ? fc_routes_count : 256;
	for (size_t i = 0; i < n; i++)
		names[i] = fc_routes[i].name;
	fc_metrics_render(&b, names, n);
	fc_buf_printf(&b,
		      "# HELP faircrowd_database_bytes Size of the database and its WAL on disk.\n"
		      "# TYPE faircrowd_database_bytes gauge\nfaircrowd_database_bytes %lld\n"
		      "# HELP faircrowd_uptime_seconds Seconds since the server started.\n"
		      "# TYPE faircrowd_uptime_seconds gauge\nfaircrowd_uptime_seconds %lld\n",
		      (long long)fc_store_size_bytes(fc_store_of(r)),
		      (long long)(fc_clock_now() - fc_app_of(r)->started_at));
	uint64_t writes, commits;
	double commit_s, hold_s;
	fc_store_stats(fc_store_of(r), &writes, &commits, &commit_s, &hold_s);
	fc_buf_printf(&b,
		      "# HELP faircrowd_db_writes_total Write transactions.\n# TYPE faircrowd_db_writes_total counter\n"
		      "faircrowd_db_writes_total %llu\n"
		      "# HELP faircrowd_db_commits_total WAL flushes (one fdatasync each, covering one or more groups).\n"
		      "# TYPE faircrowd_db_commits_total counter\nfaircrowd_db_commits_total %llu\n"
		      "# HELP faircrowd_db_commit_seconds_total Time spent committing.\n"
		      "# TYPE faircrowd_db_commit_seconds_total counter\nfaircrowd_db_commit_seconds_total %.6f\n"
		      "# HELP faircrowd_db_write_lock_seconds_total Time the single writer was busy.\n"
		      "# TYPE faircrowd_db_write_lock_seconds_total counter\nfaircrowd_db_write_lock_seconds_total %.6f\n",
		      (unsigned long long)writes, (unsigned long long)commits, commit_s, hold_s);
	fc_buf_printf(&b,
		      "# HELP faircrowd_job_ticks_total Ticks of scheduled jobs this server claimed and ran.\n"
		      "# TYPE faircrowd_job_ticks_total counter\nfaircrowd_job_ticks_total %llu\n",
		      (unsigned long long)fc_jobs_ticks_run());
	fc_buf_printf(&b, "# HELP faircrowd_events_total Domain events published, by kind.\n"
			  "# TYPE faircrowd_events_total counter\n");
	for (int k = 0; k < FC_EV_COUNT; k++)
		fc_buf_printf(&b, "faircrowd_events_total{kind=\"%s\"} %llu\n", fc_event_name(k),
			      (unsigned long long)fc_events_published(k));
	uint64_t delivered, retried, given_up;
	fc_outbox_counts(&delivered, &retried, &given_up);
	fc_buf_printf(&b,
		      "# HELP faircrowd_outbox_delivered_total Outbox items delivered (webhooks).\n"
		      "# TYPE faircrowd_outbox_delivered_total counter\nfaircrowd_outbox_delivered_total %llu\n"
		      "# HELP faircrowd_outbox_retries_total Failed delivery attempts scheduled again.\n"
		      "# TYPE faircrowd_outbox_retries_total counter\nfaircrowd_outbox_retries_total %llu\n"
		      "# HELP faircrowd_outbox_given_up_total Outbox items given up on after 24 hours of retries.\n"
		      "# TYPE faircrowd_outbox_given_up_total counter\nfaircrowd_outbox_given_up_total %llu\n",
		      (unsigned long long)delivered, (unsigned long long)retried, (unsigned long long)given_up);
	fc_reply_bytes(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.p ? b.p : "", b.len, 1);
	fc_buf_free(&b);
}

static void send_asset(fc_req *r, const fc_embedded *f, int html)
{
	const char *inm = fc_req_header(r, "If-None-Match");
	if (inm && !strcmp(inm, f->etag)) {
		fc_reply_empty(r, 304);
	} else if (!html && (!strncmp(f->type, "audio/", 6) || !strncmp(f->type, "video/", 6))) {
		/* samples for the media annotators: byte ranges (players seek with
		 * them), never gzip (already compressed, and ranges are of bytes) */
		uint64_t a = 0, b = f->len ? f->len - 1 : 0;
		int k = fc_http_range(fc_req_header(r, "Range"), f->len, &a, &b);
		char cr[80];
		if (k < 0) {
			fc_reply_bytes(r, 416, "text/plain", "", 0, 0);
			snprintf(cr, sizeof cr, "bytes */%zu", (size_t)f->len);
		} else {
			fc_reply_bytes(r, k ? 206 : 200, f->type, f->data + a, k ? b - a + 1 : f->len, 0);
			snprintf(cr, sizeof cr, "bytes %llu-%llu/%zu", (unsigned long long)a, (unsigned long long)b,
				 (size_t)f->len);
		}
		if (k)
			fc_reply_header(r, "Content-Range", cr);
		fc_reply_header(r, "Accept-Ranges", "bytes");
	} else {
		const char *ae = fc_req_header(r, "Accept-Encoding");
		int gz = ae && strstr(ae, "gzip") && f->gz_len < f->len;
		if (gz)
			fc_reply_bytes(r, 200, f->type, f->gz, f->gz_len, 0);
		else
			fc_reply_bytes(r, 200, f->type, f->data, f->len, 0);
		if (gz)
			fc_reply_header(r, "Content-Encoding", "gzip");
	}
	fc_reply_header(r, "ETag", f->etag);
	fc_reply_header(r, "Vary", "Accept-Encoding");
	/* names are not content-hashed, so browsers revalidate (cheap 304s) */
	fc_reply_header(r, "Cache-Control", "no-cache");
	if (html)
		fc_reply_header(r, "Content-Security-Policy", CSP);
}

void h_openapi(fc_req *r)
{
	const fc_embedded *f = fc_embed_find(fc_docs, fc_docs_count, "openapi.json");
	if (!f) {
		fc_reply_errorf(r, FC_ENOTFOUND, "not_found", NULL, "No OpenAPI document was built in.");
		return;
	}
	send_asset(r, f, 0);
}

void h_static(fc_req *r)
{
	const char *p = r->path;
	while (*p == '/')
		p++;
	const fc_embedded *f = NULL;
	if (*p && !strstr(p, ".."))
		f = fc_embed_find(fc_web_assets, fc_web_assets_count, p);
	if (!f) {
		/* a path with an extension that is not a file is a real 404; any
		 * other path is a screen of the single-page app */
		const char *slash = strrchr(r->path, '/');
		if (slash && strchr(slash, '.')) {
			fc_reply_errorf(r, FC_ENOTFOUND, "not_found", NULL, "No such file: %s.", r->path);
			return;
		}
		f = fc_embed_find(fc_web_assets, fc_web_assets_count, "index.html");
	}
	if (!f) {
		fc_reply_errorf(r, FC_ENOTFOUND, "not_found", NULL, "The web UI was not built in.");
		return;
	}
	send_asset(r, f, strstr(f->type, "text/html") != NULL);
}

void h_admin_clock(fc_req *r)
{
	if (!fc_app_of(r)->test_clock) {
		fc_reply_errorf(r, FC_ENOTFOUND, "not_found", NULL, "No such endpoint: %s %s.", r->method, r->path);
		return;
	}
	static const fc_field fields[] = {{"now", FC_J_TIME | FC_J_REQUIRED}, {"run_jobs", FC_J_BOOL}, {0}};
	json_t *b = fc_api_body(r, fields);
	if (!b)
		return;
	int64_t t;
	fc_clock_parse(json_string_value(json_object_get(b, "now")), &t);
	/* run_jobs false: the rules that act at request time (a submit after
	 * its lease ended) are tested without the expiry job running first */
	int run_jobs = !json_is_false(json_object_get(b, "run_jobs"));
	json_decref(b);
	fc_clock_set(t);
	fc_err err = {0};
	fc_jobs_report rep = {0};
	if (run_jobs && fc_jobs_run_due(fc_store_of(r), &rep, &err)) {
		fc_api_fail(r, &err);
		return;
	}
	char ts[32];
	fc_reply_json(r, 200,
		      json_pack("{s:s,s:{s:I,s:I,s:I,s:I,s:I}}", "now", fc_clock_format(t, ts, sizeof ts), "jobs",
				"leases_expired", (json_int_t)rep.leases_expired, "auto_approved",
				(json_int_t)rep.auto_approved, "pay_floor_topups", (json_int_t)rep.pay_floor_topups,
				"outbox_delivered", (json_int_t)rep.outbox_delivered, "uploads_expired",
				(json_int_t)rep.uploads_expired));
}
