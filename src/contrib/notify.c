/* In-app notifications: written in the publisher's transaction on the
 * decisions about a contributor's work, appeal outcomes and payouts, when
 * the contributor's notify.in_app (and the category) are on. See contrib.h. */
#include "contrib/contrib.h"
#include "core/clock.h"
#include "core/json.h"
#include "events/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEEP_PER_USER 500 /* older notifications are dropped as new ones arrive */

/* bounded per contributor: a long-time contributor's list never grows
 * without end (one indexed range delete) */
static int trim(fc_db *db, int64_t user, fc_err *err)
{
	return fc_db_exec(db, err,
			  "DELETE FROM notifications WHERE user_id=? AND id <= (SELECT id FROM notifications "
			  "WHERE user_id=? ORDER BY id DESC LIMIT 1 OFFSET ?)",
			  "IIi", user, user, KEEP_PER_USER);
}

static int insert(fc_db *db, int64_t user, const char *kind, const char *title, const char *body, const char *link,
		  fc_err *err)
{
	return fc_db_exec(db, err,
			  "INSERT INTO notifications(user_id,kind,title,body,link,created_at) VALUES(?,?,?,?,?,?)",
			  "IttttI", user, kind, title, body, link, fc_clock_now());
}

int fc_notify_put(fc_db *db, int64_t user, const char *kind, const char *title, const char *body, const char *link,
		  fc_err *err)
{
	int rc = insert(db, user, kind, title, body, link, err);
	return rc ? rc : trim(db, user, err);
}

/* Memo tags of a publish batch (see events.h): the project's title, the
 * contributor's choice per event kind, the batch's notifications, the
 * contributor's trim. */
static const char TITLE_TAG, WANTS_TAG[FC_EV_COUNT], NOTES_TAG, TRIM_TAG;

#define NOTES_PER_INSERT 500 /* rows per INSERT … SELECT at a batch's end */

/* The batch's notifications, in the order of its events, as rows of one
 * INSERT … SELECT over a JSON array per NOTES_PER_INSERT. */
static int notes_at_end(fc_db *db, fc_memo *m, fc_err *err)
{
	json_t *all = m->p, *chunk = json_array();
	size_t n = json_array_size(all);
	int rc = chunk ? 0 : fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	for (size_t i = 0; !rc && i < n; i++) {
		json_array_append(chunk, json_array_get(all, i));
		if (json_array_size(chunk) < NOTES_PER_INSERT && i + 1 < n)
			continue;
		char *rows = json_dumps(chunk, JSON_COMPACT);
		rc = rows ? fc_db_exec(db, err,
				       "INSERT INTO notifications(user_id,kind,title,body,link,created_at) "
				       "SELECT CAST(json_extract(value,'$.u') AS BIGINT), json_extract(value,'$.k'), "
				       "json_extract(value,'$.t'), json_extract(value,'$.b'), json_extract(value,'$.l'), "
				       "CAST(json_extract(value,'$.c') AS BIGINT) FROM json_each(?)",
				       "t", rows)
			  : fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
		free(rows);
		json_array_clear(chunk);
	}
	json_decref(chunk);
	return rc;
}

static void notes_free(void *p) { json_decref(p); }

static int trim_at_end(fc_db *db, fc_memo *m, fc_err *err) { return trim(db, m->id, err); }

static void project_title(fc_db *db, const fc_event *ev, char *out, size_t n)
{
	int fresh;
	fc_memo *m = fc_event_memo(ev, &TITLE_TAG, ev->project, &fresh);
	if (m && !fresh && m->p) {
		snprintf(out, n, "%s", (const char *)m->p);
		return;
	}
	fc_stmt *st;
	snprintf(out, n, "project %lld", (long long)ev->project);
	if (fc_db_query(db, &st, NULL, "SELECT title FROM projects WHERE id=?", "I", ev->project))
		return;
	if (fc_stmt_next(st) == 1)
		snprintf(out, n, "%.120s", fc_stmt_text(st, 0));
	fc_stmt_done(st);
	if (m && (m->p = strdup(out)))
		m->free_p = free;
}

static int wants(fc_db *db, const fc_event *ev, const char *category)
{
	int fresh;
	fc_memo *m = fc_event_memo(ev, &WANTS_TAG[ev->kind], ev->user, &fresh);
	if (m && !fresh)
		return m->n == 1;
	int yes = fc_prefs_wants(db, ev->user, "in_app", category);
	if (m)
		m->n = yes ? 1 : 2;
	return yes;
}

/* A notification of one event. In a publish batch the batch's
 * notifications are written when it ends, in its order, a few statements
 * for all, and then each contributor's list is trimmed once (the same rows
 * are left as when each was written and trimmed on its own). */
static int put(fc_db *db, const fc_event *ev, const char *kind, const char *title, const char *body, const char *link,
	       fc_err *err)
{
	int fresh;
	fc_memo *notes = fc_event_memo(ev, &NOTES_TAG, 0, &fresh);
	if (notes && fresh && (notes->p = json_array())) {
		notes->free_p = notes_free;
		notes->finish = notes_at_end; /* made before any trim memo, so it runs first */
	}
	fc_memo *m = notes && notes->p ? fc_event_memo(ev, &TRIM_TAG, ev->user, &fresh) : NULL;
	json_t *row = m ? json_pack("{s:I,s:s,s:s,s:s,s:s,s:I}", "u", (json_int_t)ev->user, "k", kind, "t", title, "b",
				    body, "l", link, "c", (json_int_t)fc_clock_now())
			: NULL;
	if (!row || json_array_append_new(notes->p, row))
		return fc_notify_put(db, ev->user, kind, title, body, link, err);
	m->finish = trim_at_end;
	return 0;
}

static int on_decision(fc_db *db, fc_event *ev, fc_err *err)
{
	/* auto-approval is the absence of a decision: see email.c */
	if (ev->kind == FC_EV_ACCEPTED && (ev->automatic || !ev->actor))
		return 0;
	int appeal = ev->kind == FC_EV_APPEAL_DECIDED;
	if (!wants(db, ev, appeal ? "appeals" : "decisions"))
		return 0;
	char title[200], body[2400] = "", link[64], pt[128];
	project_title(db, ev, pt, sizeof pt);
	snprintf(link, sizeof link, "/me/work");
	if (appeal) {
		snprintf(title, sizeof title, "Your appeal on \"%s\" was %s", pt, ev->upheld ? "upheld" : "denied");
		fc_stmt *st;
		if (!fc_db_query(db, &st, NULL,
				 "SELECT decision_reason FROM appeals WHERE submission_id=? ORDER BY id DESC LIMIT 1",
				 "I", ev->submission)) {
			if (fc_stmt_next(st) == 1 && !fc_stmt_isnull(st, 0))
				snprintf(body, sizeof body, "%.2000s", fc_stmt_text(st, 0));
			fc_stmt_done(st);
		}
	} else if (ev->kind == FC_EV_REJECTED) {
		snprintf(title, sizeof title, "Submission #%lld to \"%s\" was rejected", (long long)ev->submission, pt);
		fc_stmt *st;
		if (!fc_db_query(db, &st, NULL, "SELECT reason_code, reason_text FROM submissions WHERE id=?", "I",
				 ev->submission)) {
			if (fc_stmt_next(st) == 1) {
				/* the reason code as words ("wrong_answer" → "Wrong answer") */
				char code[64];
				snprintf(code, sizeof code, "%s", fc_stmt_isnull(st, 0) ? "" : fc_stmt_text(st, 0));
				for (char *p = code; *p; p++)
					if (*p == '_')
						*p = ' ';
				if (code[0] >= 'a' && code[0] <= 'z')
					code[0] = (char)(code[0] - 'a' + 'A');
				snprintf(body, sizeof body, "%s. %.2000s", code,
					 fc_stmt_isnull(st, 1) ? "" : fc_stmt_text(st, 1));
			}
			fc_stmt_done(st);
		}
	} else {
		snprintf(title, sizeof title, "Submission #%lld to \"%s\" was accepted", (long long)ev->submission, pt);
	}
	return put(db, ev,
		   appeal                       ? "appeal"
		   : ev->kind == FC_EV_REJECTED ? "rejected"
						: "accepted",
		   title, body, link, err);
}

static int payout_mail(fc_db *db, int64_t user, int64_t payout, const char *title, fc_err *err)
{
	fc_stmt *st;
	char to[256] = "", name[128] = "";
	int rc = fc_db_query(db, &st, err, "SELECT email, display_name FROM users WHERE id=?", "I", user);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1) {
		snprintf(to, sizeof to, "%s", fc_stmt_text(st, 0));
		snprintf(name, sizeof name, "%s", fc_stmt_text(st, 1));
	}
	fc_stmt_done(st);
	if (!to[0])
		return 0;
	char body[1024];
	snprintf(body, sizeof body,
		 "Hello %s,\n\n%s (payout #%lld). Your earnings page lists every payout.\n\n-- \nfaircrowd\n"
		 "You receive this because email notifications are on in your profile; turn them off there.\n",
		 name, title, (long long)payout);
	return fc_email_queue(db, user, 0, "payout_confirmed", to, title, body, "payouts", err);
}

/* A confirmed payout batch: one notification per contributor paid in it,
 * read in pages (a statement is done before the next one runs). */
static int on_payout(fc_db *db, fc_event *ev, fc_err *err)
{
	enum { PAGE = 256 };
	int64_t last = 0;
	for (;;) {
		int64_t ids[PAGE], users[PAGE], amounts[PAGE];
		char cur[PAGE][8];
		int n = 0;
		fc_stmt *st;
		int rc = fc_db_query(db, &st, err,
				     "SELECT id, user_id, amount, currency FROM payouts WHERE batch_id=? AND id>? ORDER BY id "
				     "LIMIT ?",
				     "IIi", ev->ref, last, (int)PAGE);
		if (rc)
			return rc;
		while (n < PAGE && fc_stmt_next(st) == 1) {
			ids[n] = fc_stmt_int(st, 0);
			users[n] = fc_stmt_int(st, 1);
			amounts[n] = fc_stmt_int(st, 2);
			snprintf(cur[n], sizeof cur[n], "%s", fc_stmt_text(st, 3));
			n++;
		}
		fc_stmt_done(st);
		for (int i = 0; i < n; i++) {
			char title[160];
			snprintf(title, sizeof title, "Payout of %lld.%02lld %s sent", (long long)(amounts[i] / 100),
				 (long long)(amounts[i] % 100), cur[i]);
			if (fc_prefs_wants(db, users[i], "in_app", "payouts") &&
			    (rc = fc_notify_put(db, users[i], "payout", title, "", "/me/earnings", err)))
				return rc;
			if (fc_email_configured() && fc_prefs_wants(db, users[i], "email", "payouts") &&
			    (rc = payout_mail(db, users[i], ids[i], title, err)))
				return rc;
		}
		if (n < PAGE)
			return 0;
		last = ids[n - 1];
	}
}

void fc_notify_subscribe(void)
{
	fc_events_on(FC_EV_ACCEPTED, "contrib: in-app notification", on_decision);
	fc_events_on(FC_EV_REJECTED, "contrib: in-app notification", on_decision);
	fc_events_on(FC_EV_APPEAL_DECIDED, "contrib: in-app notification", on_decision);
	fc_events_on(FC_EV_PAYOUT_CONFIRMED, "contrib: in-app notification", on_payout);
}

static json_t *row(fc_stmt *st)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:b}", "id", (json_int_t)fc_stmt_int(st, 0), "kind",
			 fc_stmt_text(st, 1), "title", fc_stmt_text(st, 2), "body", fc_stmt_text(st, 3), "link",
			 fc_stmt_text(st, 4), "created_at", fc_stmt_time(st, 5), "read", !fc_stmt_isnull(st, 6));
}

int fc_notifications_list(fc_store *s, const fc_user *user, int unread_only, int limit, int64_t before, json_t **out,
			  fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	/* newest first; the cursor is the last id shown, the next page older */
	if (!(rc = fc_db_query(db, &st, err,
			       "SELECT id,kind,title,body,link,created_at,read_at FROM notifications WHERE user_id=? "
			       "AND id<? AND (?=0 OR read_at IS NULL) ORDER BY id DESC LIMIT ?",
			       "IIii", user->id, before > 0 ? before : INT64_MAX, unread_only, limit + 1))) {
		*out = fc_stmt_page(st, limit, row);
		fc_stmt_done(st);
		int64_t unread = 0;
		if (!(rc = fc_db_int(db, &unread, err,
				     "SELECT COUNT(*) FROM notifications WHERE user_id=? AND read_at IS NULL", "I",
				     user->id)))
			json_object_set_new(*out, "unread", json_integer(unread));
	}
	fc_db_rollback(db);
	if (rc && *out) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int fc_notifications_read(fc_store *s, const fc_user *user, const json_t *body, json_t **out, fc_err *err)
{
	const json_t *ids = json_object_get(body, "ids"), *all = json_object_get(body, "all");
	if (all && !json_is_boolean(all))
		return fc_err_set(err, FC_EINVAL, "invalid_type", "all", "Field 'all' must be true or false.");
	if (json_is_true(all) == !!ids)
		return fc_err_set(err, FC_EINVAL, "missing_field", "ids",
				  "Send either 'ids' (the notifications to mark read) or \"all\": true.");
	if (ids && (!json_is_array(ids) || json_array_size(ids) > 500))
		return fc_err_set(err, FC_EINVAL, "invalid_type", "ids",
				  "Field 'ids' must be an array of at most 500 ids.");
	size_t i;
	const json_t *v;
	json_array_foreach(ids, i, v)
		if (!json_is_integer(v))
			return fc_err_set(err, FC_EINVAL, "invalid_type", "ids",
					  "Field 'ids' must hold notification ids (integers).");
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	int64_t changed = 0, now = fc_clock_now();
	if (!ids) {
		rc = fc_db_exec(db, err, "UPDATE notifications SET read_at=? WHERE user_id=? AND read_at IS NULL", "II",
				now, user->id);
		changed = rc ? 0 : fc_db_changes(db);
	} else {
		/* another's notification id changes nothing, as an unknown one */
		json_array_foreach(ids, i, v) {
			if ((rc = fc_db_exec(db, err,
					     "UPDATE notifications SET read_at=? WHERE id=? AND user_id=? AND read_at IS NULL",
					     "III", now, (int64_t)json_integer_value(v), user->id)))
				break;
			changed += fc_db_changes(db);
		}
	}
	if (!rc)
		*out = json_pack("{s:I}", "marked", (json_int_t)changed);
	return fc_db_end(db, &rc, err);
}
