/* Webhooks: outbox items queued on the domain events, POSTed with libcurl. */
#include "webhooks/webhooks.h"
#include "access/access.h"
#include "core/clock.h"
#include "core/json.h"
#include "events/events.h"
#include "events/outbox.h"
#include "http/outbound.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SINK "webhook"

static const char *const ACTIONS[] = {"TASKS_CREATED",       "ANNOTATION_CREATED", "SUBMISSION_ACCEPTED",
				      "SUBMISSION_REJECTED", "PROJECT_PUBLISHED",  "EXPORT_DONE"};
#define N_ACTIONS (sizeof ACTIONS / sizeof ACTIONS[0])

/* ---- configuration ---- */

static int check_url(const char *url, fc_err *err)
{
	size_t n = strlen(url);
	const char *host = !strncasecmp(url, "https://", 8)  ? url + 8
			   : !strncasecmp(url, "http://", 7) ? url + 7
							     : NULL;
	if (!host || !*host || *host == '/' || n > 2048)
		return fc_err_set(err, FC_EINVAL, "invalid_url", "url",
				  "url must be an http:// or https:// address of at most 2048 characters.");
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return fc_err_set(err, FC_EINVAL, "invalid_url", "url",
					  "url must not contain spaces or control characters.");
	char why[200];
	if (fc_outbound_url_refusal(url, why, sizeof why))
		return fc_err_set(err, FC_ERULE, "address_refused", "url", "url is refused: %s.", why);
	return 0;
}

static int check_events(const json_t *events, fc_err *err)
{
	if (!json_array_size(events))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "events", "events must name at least one action.");
	size_t i, j;
	json_t *v;
	json_array_foreach(events, i, v) {
		const char *a = json_string_value(v);
		size_t k = 0;
		while (a && k < N_ACTIONS && strcmp(a, ACTIONS[k]))
			k++;
		if (!a)
			k = N_ACTIONS;
		if (k == N_ACTIONS)
			return fc_err_set(err, FC_EINVAL, "invalid_value", "events",
					  "events.%zu is not one of TASKS_CREATED, ANNOTATION_CREATED, SUBMISSION_ACCEPTED, "
					  "SUBMISSION_REJECTED, PROJECT_PUBLISHED, EXPORT_DONE.",
					  i);
		for (j = 0; j < i; j++)
			if (!strcmp(a, json_string_value(json_array_get(events, j))))
				return fc_err_set(err, FC_EINVAL, "invalid_value", "events", "events names %s twice.", a);
	}
	return 0;
}

static json_t *webhook_json(fc_stmt *st)
{
	char ts[32];
	json_t *w = json_object();
	json_object_set_new(w, "id", json_integer(fc_stmt_int(st, 0)));
	json_object_set_new(w, "project_id", json_integer(fc_stmt_int(st, 1)));
	json_object_set_new(w, "url", json_string(fc_stmt_text(st, 2)));
	json_object_set_new(w, "events", fc_stmt_json(st, 3));
	json_object_set_new(w, "created_at", json_string(fc_clock_format(fc_stmt_int(st, 4), ts, sizeof ts)));
	return w;
}

#define WEBHOOK_COLUMNS "id, project_id, url, events, created_at"

int fc_webhook_create(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field F[] = {{"url", FC_J_STRING | FC_J_REQUIRED},
				     {"events", FC_J_ARRAY | FC_J_REQUIRED},
				     {"secret", FC_J_STRING | FC_J_REQUIRED},
				     {0}};
	int rc = fc_json_check(body, F, err);
	if (rc || (rc = check_url(fc_json_str(body, "url", ""), err)) ||
	    (rc = check_events(json_object_get(body, "events"), err)))
		return rc;
	const char *secret = fc_json_str(body, "secret", "");
	if (!*secret || strlen(secret) > 256)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "secret",
				  "secret must be 1 to 256 characters: receivers check the signature with it.");
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	int64_t id;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_OWNER,
				     "Only the project's owner manages its webhooks.", err)) ||
	    (rc = fc_db_int(db, &id, err,
			    "INSERT INTO webhooks(project_id,url,events,secret,created_by,created_at) VALUES(?,?,?,?,?,?) "
			    "RETURNING id",
			    "ItjtII", project, fc_json_str(body, "url", ""), json_object_get(body, "events"), secret,
			    user->id, fc_clock_now())))
		goto out;
	rc = fc_db_row_json(db, out, err, webhook_json, "webhook",
			    "SELECT " WEBHOOK_COLUMNS " FROM webhooks WHERE id=?", "I", id);
out:
	return fc_db_end(db, &rc, err);
}

int fc_webhook_list(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	json_t *items = json_array();
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_OWNER,
				     "Only the project's owner manages its webhooks.", err)) ||
	    (rc = fc_db_query(db, &st, err,
			      "SELECT w.id, w.project_id, w.url, w.events, w.created_at, "
			      "(SELECT COUNT(*) FROM outbox o WHERE o.sink='" SINK "' AND o.target=w.id AND "
			      "o.delivered_at IS NULL AND o.failed_at IS NULL), "
			      "(SELECT COUNT(*) FROM outbox o WHERE o.sink='" SINK "' AND o.target=w.id AND "
			      "o.delivered_at IS NOT NULL), "
			      "(SELECT COUNT(*) FROM outbox o WHERE o.sink='" SINK "' AND o.target=w.id AND "
			      "o.failed_at IS NOT NULL) "
			      "FROM webhooks w WHERE w.project_id=? AND w.deleted_at IS NULL ORDER BY w.id",
			      "I", project)))
		goto out;
	while (fc_stmt_next(st) == 1) {
		json_t *w = webhook_json(st);
		json_object_set_new(w, "pending", json_integer(fc_stmt_int(st, 5)));
		json_object_set_new(w, "delivered", json_integer(fc_stmt_int(st, 6)));
		json_object_set_new(w, "failed", json_integer(fc_stmt_int(st, 7)));
		json_array_append_new(items, w);
	}
	fc_stmt_done(st);
	*out = json_pack("{s:O}", "items", items);
out:
	json_decref(items);
	fc_db_rollback(db);
	return rc;
}

/* The webhook, when it belongs to project and the user owns the project. */
static int owned_webhook(fc_db *db, const fc_user *user, int64_t project, int64_t webhook, fc_err *err)
{
	int64_t found;
	int rc = fc_project_require(db, user, project, FC_ACCESS_OWNER,
				    "Only the project's owner manages its webhooks.", err);
	if (!rc &&
	    fc_db_int(db, &found, NULL, "SELECT id FROM webhooks WHERE id=? AND project_id=? AND deleted_at IS NULL",
		      "II", webhook, project))
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such webhook.");
	return rc;
}

int fc_webhook_delete(fc_store *s, const fc_user *user, int64_t project, int64_t webhook, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	int64_t now = fc_clock_now();
	if (!(rc = owned_webhook(db, user, project, webhook, err)) &&
	    !(rc = fc_db_exec(db, err, "UPDATE webhooks SET deleted_at=? WHERE id=?", "II", now, webhook)))
		rc = fc_db_exec(db, err,
				"UPDATE outbox SET failed_at=?, last_error='the webhook was deleted' WHERE sink='" SINK
				"' AND target=? AND delivered_at IS NULL AND failed_at IS NULL",
				"II", now, webhook);
	return fc_db_end(db, &rc, err);
}

int fc_webhook_deliveries(fc_store *s, const fc_user *user, int64_t project, int64_t webhook, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	json_t *items = json_array();
	if ((rc = owned_webhook(db, user, project, webhook, err)) ||
	    (rc = fc_db_query(db, &st, err,
			      "SELECT id, action, created_at, attempts, next_at, delivered_at, failed_at, last_status, "
			      "last_error FROM outbox WHERE sink='" SINK "' AND target=? ORDER BY id DESC LIMIT 50",
			      "I", webhook)))
		goto out;
	while (fc_stmt_next(st) == 1) {
		const char *state = !fc_stmt_isnull(st, 5)   ? "delivered"
				    : !fc_stmt_isnull(st, 6) ? "failed"
							     : "pending";
		json_t *d =
			json_pack("{s:I,s:s,s:o,s:I,s:s,s:o,s:o,s:o,s:o}", "id", (json_int_t)fc_stmt_int(st, 0),
				  "action", fc_stmt_text(st, 1), "created_at", fc_stmt_time(st, 2), "attempts",
				  (json_int_t)fc_stmt_int(st, 3), "state", state, "next_at",
				  strcmp(state, "pending") ? json_null() : fc_stmt_time(st, 4), "delivered_at",
				  fc_stmt_time(st, 5), "last_status",
				  fc_stmt_isnull(st, 7) ? json_null() : json_integer(fc_stmt_int(st, 7)), "last_error",
				  fc_stmt_isnull(st, 8) ? json_null() : json_string(fc_stmt_text(st, 8)));
		if (d)
			json_array_append_new(items, d);
	}
	fc_stmt_done(st);
	*out = json_pack("{s:O}", "items", items);
out:
	json_decref(items);
	fc_db_rollback(db);
	return rc;
}

int fc_webhook_test(fc_store *s, const fc_user *user, int64_t project, int64_t webhook, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	char ts[32], *body = NULL;
	int64_t id;
	if ((rc = owned_webhook(db, user, project, webhook, err)))
		goto out;
	json_t *b = json_pack("{s:s,s:{s:I},s:{s:I},s:b,s:s}", "action", "PING", "project", "id", (json_int_t)project,
			      "webhook", "id", (json_int_t)webhook, "test", 1, "sent_at",
			      fc_clock_format(fc_clock_now(), ts, sizeof ts));
	body = b ? json_dumps(b, JSON_COMPACT) : NULL;
	json_decref(b);
	if (!body) {
		rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
		goto out;
	}
	/* the same outbox, signature and log as a real event */
	if (!(rc = fc_outbox_put(db, SINK, webhook, project, "PING", body, err)) &&
	    !(rc = fc_db_int(db, &id, err, "SELECT MAX(id) FROM outbox WHERE sink='" SINK "' AND target=?", "I", webhook)))
		*out = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "action", "PING", "state", "pending");
out:
	free(body);
	return fc_db_end(db, &rc, err);
}

/* ---- queueing on domain events ---- */

static const char *action_of(const fc_event *ev)
{
	switch (ev->kind) {
	case FC_EV_TASKS_CREATED: return "TASKS_CREATED";
	case FC_EV_SUBMITTED: return "ANNOTATION_CREATED";
	case FC_EV_ACCEPTED: return "SUBMISSION_ACCEPTED";
	case FC_EV_REJECTED: return "SUBMISSION_REJECTED";
	case FC_EV_PROJECT_PUBLISHED: return "PROJECT_PUBLISHED";
	case FC_EV_EXPORT_DONE: return "EXPORT_DONE";
	default: return NULL;
	}
}

/* The submission as a receiver sees it (Label Studio calls it an
 * annotation). */
static json_t *annotation_json(fc_db *db, int64_t submission)
{
	fc_stmt *st;
	json_t *a = NULL;
	if (fc_db_query(db, &st, NULL,
			"SELECT id, task_id, user_id, result, status, reason_code, active_seconds, created_at "
			"FROM submissions WHERE id=?",
			"I", submission))
		return NULL;
	if (fc_stmt_next(st) == 1) {
		char ts[32];
		a = json_pack("{s:I,s:I,s:I,s:o,s:s,s:o,s:f,s:s}", "id", (json_int_t)fc_stmt_int(st, 0), "task",
			      (json_int_t)fc_stmt_int(st, 1), "completed_by", (json_int_t)fc_stmt_int(st, 2), "result",
			      fc_stmt_json(st, 3), "status", fc_stmt_text(st, 4), "reason_code",
			      fc_stmt_isnull(st, 5) ? json_null() : json_string(fc_stmt_text(st, 5)), "active_seconds",
			      fc_stmt_double(st, 6), "created_at", fc_clock_format(fc_stmt_int(st, 7), ts, sizeof ts));
	}
	fc_stmt_done(st);
	return a;
}

static char *payload(fc_db *db, const fc_event *ev, const char *action)
{
	char ts[32];
	json_t *body = json_pack("{s:s,s:{s:I},s:s}", "action", action, "project", "id", (json_int_t)ev->project,
				 "sent_at", fc_clock_format(fc_clock_now(), ts, sizeof ts));
	if (!body)
		return NULL;
	if (ev->task)
		json_object_set_new(body, "task", json_pack("{s:I}", "id", (json_int_t)ev->task));
	if (ev->kind == FC_EV_TASKS_CREATED)
		json_object_set_new(body, "tasks_created", json_integer(ev->count));
	if (ev->kind == FC_EV_EXPORT_DONE && ev->json)
		json_object_set(body, "export", (json_t *)ev->json);
	if (ev->submission) {
		json_t *a = annotation_json(db, ev->submission);
		if (a)
			json_object_set_new(body, "annotation", a);
	}
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return text;
}

static int wants(const char *events_json, const char *action)
{
	json_t *ev = json_loads(events_json ? events_json : "[]", 0, NULL);
	size_t i;
	json_t *v;
	int yes = 0;
	json_array_foreach(ev, i, v)
		yes |= json_is_string(v) && !strcmp(json_string_value(v), action);
	json_decref(ev);
	return yes;
}

/* The memo tag of a batch's hook list, one per event kind. */
static const char HOOKS_TAG[FC_EV_COUNT];

static int on_event(fc_db *db, fc_event *ev, fc_err *err)
{
	const char *action = action_of(ev);
	if (!action)
		return 0;
	fc_stmt *st;
	int64_t own[64], *ids = own;
	int n = 0, fresh;
	/* the project's hooks for this action: in a publish batch read once */
	fc_memo *m = fc_event_memo(ev, &HOOKS_TAG[ev->kind], ev->project, &fresh);
	if (m && !fresh) {
		ids = m->p;
		n = (int)m->n;
	} else {
		/* one indexed probe: a project without webhooks costs nothing more */
		int rc = fc_db_query(db, &st, err,
				     "SELECT id, events FROM webhooks WHERE project_id=? AND deleted_at IS NULL", "I",
				     ev->project);
		if (rc)
			return rc;
		while (n < 64 && fc_stmt_next(st) == 1)
			if (wants(fc_stmt_text(st, 1), action))
				own[n++] = fc_stmt_int(st, 0);
		fc_stmt_done(st);
		if (m && n && !(m->p = malloc((size_t)n * sizeof own[0]))) {
			m->tag = NULL; /* no room to keep the list: forget the memo, read again next time */
		} else if (m && n) {
			memcpy(m->p, own, (size_t)n * sizeof own[0]);
			m->free_p = free;
			m->n = n;
		}
	}
	if (!n)
		return 0;
	char *body = payload(db, ev, action);
	if (!body)
		return fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	int rc = 0;
	for (int i = 0; !rc && i < n; i++)
		rc = fc_outbox_put(db, SINK, ids[i], ev->project, action, body, err);
	free(body);
	return rc;
}

/* ---- delivery ---- */

void fc_webhook_signature(const char *secret, const char *body, size_t len, char *out)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, 65, mac, sizeof mac);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	return size * n; /* the receiver's answer body is not kept */
}

static int deliver(fc_store *s, const fc_outbox_item *it, int *status, char *error, size_t error_len)
{
	*status = 0;
	char *url = NULL, *secret = NULL;
	fc_db *db;
	fc_err err = {0};
	if (fc_db_begin(s, FC_DB_READ, &db, &err)) {
		snprintf(error, error_len, "database: %s", err.msg);
		return -1;
	}
	fc_stmt *st;
	if (!fc_db_query(db, &st, &err, "SELECT url, secret FROM webhooks WHERE id=? AND deleted_at IS NULL", "I",
			 it->target)) {
		if (fc_stmt_next(st) == 1) {
			url = strdup(fc_stmt_text(st, 0));
			secret = strdup(fc_stmt_text(st, 1));
		}
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	int rc = -1;
	CURL *c = NULL;
	struct curl_slist *h = NULL;
	if (!url || !secret) {
		snprintf(error, error_len, "the webhook was deleted");
		goto out;
	}
	char sig[128], line[160];
	size_t len = strlen(it->payload);
	fc_webhook_signature(secret, it->payload, len, sig);
	if (!(c = curl_easy_init())) {
		snprintf(error, error_len, "cannot start an HTTP client");
		goto out;
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	snprintf(line, sizeof line, "X-Faircrowd-Signature: %s", sig);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof line, "X-Faircrowd-Event: %s", it->action);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof line, "X-Faircrowd-Delivery: %lld", (long long)it->id);
	h = curl_slist_append(h, line);
	h = curl_slist_append(h, "Expect:");
	fc_outbound guard;
	curl_easy_setopt(c, CURLOPT_URL, url);
	fc_outbound_guard(c, &guard);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, it->payload);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "faircrowd-webhooks");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	CURLcode cc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	*status = (int)code;
	if (cc != CURLE_OK && fc_outbound_refused(&guard))
		snprintf(error, error_len, "%s", fc_outbound_refused(&guard));
	else if (cc != CURLE_OK)
		snprintf(error, error_len, "%s", curl_easy_strerror(cc));
	else if (code < 200 || code > 299)
		snprintf(error, error_len, "the receiver answered %ld", code);
	else
		rc = 0;
out:
	curl_slist_free_all(h);
	if (c)
		curl_easy_cleanup(c);
	free(url);
	free(secret);
	return rc;
}

void fc_webhooks_subscribe(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT); /* once, before any thread: reference-counted by libcurl */
	fc_events_on(FC_EV_TASKS_CREATED, "webhooks: queued", on_event);
	fc_events_on(FC_EV_SUBMITTED, "webhooks: queued", on_event);
	fc_events_on(FC_EV_ACCEPTED, "webhooks: queued", on_event);
	fc_events_on(FC_EV_REJECTED, "webhooks: queued", on_event);
	fc_events_on(FC_EV_PROJECT_PUBLISHED, "webhooks: queued", on_event);
	fc_events_on(FC_EV_EXPORT_DONE, "webhooks: queued", on_event);
	fc_outbox_sink(SINK, deliver);
}
