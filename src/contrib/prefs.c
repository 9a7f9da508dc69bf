/* The contributor's limits and notification choices. See contrib.h. */
#include "contrib/contrib.h"
#include "core/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTIFY_KEYS 6
static const char *const NOTIFY[NOTIFY_KEYS] = {"email", "in_app", "decisions", "appeals", "new_work", "payouts"};

typedef struct prefs {
	int limit;      /* minutes; 0: none */
	int quiet_from; /* minutes after local midnight; -1: no quiet hours */
	int quiet_to;   /* minutes after local midnight */
	int tz;         /* minutes east of UTC */
	json_t *notify; /* {key: bool}; missing keys are on */
} prefs;

/* Defaults when the contributor never saved anything (no row). */
static int load(fc_db *db, int64_t user, prefs *p, fc_err *err)
{
	*p = (prefs){.quiet_from = -1};
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT daily_limit_minutes, quiet_from, quiet_to, tz_offset, notify FROM contributor_prefs "
			     "WHERE user_id=?",
			     "I", user);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1) {
		p->limit = fc_stmt_isnull(st, 0) ? 0 : (int)fc_stmt_int(st, 0);
		p->quiet_from = fc_stmt_isnull(st, 1) || fc_stmt_isnull(st, 2) ? -1 : (int)fc_stmt_int(st, 1);
		p->quiet_to = fc_stmt_isnull(st, 2) ? 0 : (int)fc_stmt_int(st, 2);
		p->tz = (int)fc_stmt_int(st, 3);
		p->notify = fc_stmt_json(st, 4);
	}
	fc_stmt_done(st);
	if (!json_is_object(p->notify)) {
		json_decref(p->notify);
		p->notify = json_object();
	}
	return 0;
}

static int notify_on(const prefs *p, const char *key)
{
	const json_t *v = json_object_get(p->notify, key);
	return !json_is_false(v);
}

static void hhmm(int minutes, char out[16]) { snprintf(out, 16, "%02d:%02d", minutes / 60 % 100, minutes % 60); }

static void tz_text(int tz, char out[16])
{
	int a = tz < 0 ? -tz : tz;
	snprintf(out, 16, "%c%02d:%02d", tz < 0 ? '-' : '+', a / 60 % 100, a % 60);
}

static json_t *render(const prefs *p)
{
	char from[16], to[16], tz[16];
	json_t *notify = json_object();
	for (int i = 0; i < NOTIFY_KEYS; i++)
		json_object_set_new(notify, NOTIFY[i], json_boolean(notify_on(p, NOTIFY[i])));
	json_t *quiet = json_null();
	tz_text(p->tz, tz);
	if (p->quiet_from >= 0) {
		hhmm(p->quiet_from, from);
		hhmm(p->quiet_to, to);
		quiet = json_pack("{s:s,s:s,s:s}", "from", from, "to", to, "tz", tz);
	}
	return json_pack("{s:o,s:o,s:s,s:o}", "daily_limit_minutes", p->limit ? json_integer(p->limit) : json_null(),
			 "quiet_hours", quiet, "tz", tz, "notify", notify);
}

int fc_prefs_get(fc_store *s, const fc_user *user, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	prefs p;
	if (!(rc = load(db, user->id, &p, err)))
		*out = render(&p);
	json_decref(p.notify);
	fc_db_rollback(db);
	return rc;
}

/* ---- parsing ---- */

/* "HH:MM" (24-hour clock) → minutes after midnight, or -1. */
static int parse_hhmm(const char *t)
{
	if (!t || strlen(t) != 5 || t[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (t[i] < '0' || t[i] > '9'))
			return -1;
	int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
	return h < 24 && m < 60 ? h * 60 + m : -1;
}

/* tz as minutes east of UTC: a whole number, "Z", "UTC" or "±HH:MM".
 * Returns 0, or -1 when v is none of them or out of -12:00..+14:00. */
static int parse_tz(const json_t *v, int *tz)
{
	long long m;
	if (json_is_integer(v)) {
		m = json_integer_value(v);
	} else if (json_is_string(v)) {
		const char *t = json_string_value(v);
		if (!strcmp(t, "Z") || !strcmp(t, "UTC")) {
			m = 0;
		} else {
			int hm = (t[0] == '+' || t[0] == '-') ? parse_hhmm(t + 1) : -1;
			if (hm < 0)
				return -1;
			m = t[0] == '-' ? -hm : hm;
		}
	} else {
		return -1;
	}
	if (m < -720 || m > 840)
		return -1;
	*tz = (int)m;
	return 0;
}

static int parse_quiet(const json_t *q, prefs *p, fc_err *err)
{
	static const fc_field F[] = {{"from", FC_J_STRING | FC_J_REQUIRED},
				     {"to", FC_J_STRING | FC_J_REQUIRED},
				     {"tz", FC_J_ANY},
				     {0}};
	int rc = fc_json_check(q, F, err);
	if (rc) { /* name the field as the client wrote it */
		char inner[sizeof err->field];
		snprintf(inner, sizeof inner, "%s", err->field);
		snprintf(err->field, sizeof err->field, "quiet_hours%s%.80s", *inner ? "." : "", inner);
		return rc;
	}
	int from = parse_hhmm(fc_json_str(q, "from", "")), to = parse_hhmm(fc_json_str(q, "to", ""));
	if (from < 0)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "quiet_hours.from",
				  "quiet_hours.from must be a time of day such as \"22:00\".");
	if (to < 0)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "quiet_hours.to",
				  "quiet_hours.to must be a time of day such as \"07:00\".");
	if (from == to)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "quiet_hours.to",
				  "quiet_hours.to must differ from quiet_hours.from (an empty window means none: "
				  "send quiet_hours: null).");
	const json_t *tz = json_object_get(q, "tz");
	if (tz && !json_is_null(tz) && parse_tz(tz, &p->tz))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "quiet_hours.tz",
				  "quiet_hours.tz must be a UTC offset from -12:00 to +14:00 such as \"+02:00\" "
				  "(or minutes east of UTC); time zone names are not supported.");
	p->quiet_from = from;
	p->quiet_to = to;
	return 0;
}

static int parse_notify(const json_t *n, prefs *p, fc_err *err)
{
	static const fc_field F[] = {{"email", FC_J_BOOL},
				     {"in_app", FC_J_BOOL},
				     {"decisions", FC_J_BOOL},
				     {"appeals", FC_J_BOOL},
				     {"new_work", FC_J_BOOL},
				     {"payouts", FC_J_BOOL},
				     {0}};
	int rc = fc_json_check(n, F, err);
	if (rc) {
		char inner[sizeof err->field];
		snprintf(inner, sizeof inner, "%s", err->field);
		snprintf(err->field, sizeof err->field, "notify%s%.80s", *inner ? "." : "", inner);
		return rc;
	}
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)n, key, v)
		json_object_set(p->notify, key, v);
	return 0;
}

/* Applies body to p (already loaded). */
static int apply(const json_t *body, prefs *p, fc_err *err)
{
	static const fc_field F[] = {{"daily_limit_minutes", FC_J_INT | FC_J_NULLABLE},
				     {"quiet_hours", FC_J_OBJECT | FC_J_NULLABLE},
				     {"tz", FC_J_ANY},
				     {"notify", FC_J_OBJECT},
				     {0}};
	int rc = fc_json_check(body, F, err);
	if (rc)
		return rc;
	const json_t *limit = json_object_get(body, "daily_limit_minutes");
	if (json_is_integer(limit)) {
		json_int_t m = json_integer_value(limit);
		if (m < 1 || m > 1440)
			return fc_err_set(err, FC_EINVAL, "invalid_value", "daily_limit_minutes",
					  "daily_limit_minutes must be from 1 to 1440 (a whole day), or null for no limit.");
		p->limit = (int)m;
	} else if (limit) {
		p->limit = 0;
	}
	/* tz alone sets the contributor's day without quiet hours */
	const json_t *tz = json_object_get(body, "tz");
	if (tz && parse_tz(tz, &p->tz))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "tz",
				  "tz must be a UTC offset from -12:00 to +14:00 such as \"+02:00\" (or minutes east of "
				  "UTC); time zone names are not supported.");
	const json_t *quiet = json_object_get(body, "quiet_hours");
	if (json_is_object(quiet) && (rc = parse_quiet(quiet, p, err)))
		return rc;
	if (json_is_null(quiet))
		p->quiet_from = -1;
	const json_t *notify = json_object_get(body, "notify");
	return notify ? parse_notify(notify, p, err) : 0;
}

int fc_prefs_put(fc_store *s, const fc_user *user, const json_t *body, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	prefs p;
	if ((rc = load(db, user->id, &p, err)) || (rc = apply(body, &p, err)))
		goto out;
	/* 0 and -1 stand for "none" in the binds; NULLIF stores them as NULL */
	rc = fc_db_exec(db, err,
			"INSERT INTO contributor_prefs(user_id,daily_limit_minutes,quiet_from,quiet_to,tz_offset,notify) "
			"VALUES(?,NULLIF(?,0),NULLIF(?,-1),NULLIF(?,-1),?,?) ON CONFLICT(user_id) DO UPDATE SET "
			"daily_limit_minutes=excluded.daily_limit_minutes, quiet_from=excluded.quiet_from, "
			"quiet_to=excluded.quiet_to, tz_offset=excluded.tz_offset, notify=excluded.notify",
			"Iiiiij", user->id, p.limit, p.quiet_from, p.quiet_from < 0 ? -1 : p.quiet_to, p.tz, p.notify);
	if (!rc)
		*out = render(&p);
out:
	json_decref(p.notify);
	return fc_db_end(db, &rc, err);
}

int fc_prefs_wants(fc_db *db, int64_t user, const char *channel, const char *category)
{
	prefs p;
	if (load(db, user, &p, NULL))
		return 0; /* unreadable choices: do not send what they may have turned off */
	int yes = notify_on(&p, channel) && (!category || notify_on(&p, category));
	json_decref(p.notify);
	return yes;
}

/* ---- the lease check ---- */

/* Floor division: local days before 1970 would round the wrong way. */
static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b < 0); }

/* Whether now falls inside p's quiet hours [from, to) (from > to spans
 * midnight). */
static int quiet_at(const prefs *p, int64_t now)
{
	if (p->quiet_from < 0)
		return 0;
	int64_t local = now + (int64_t)p->tz * 60;
	int minute = (int)((local - floor_div(local, 86400) * 86400) / 60);
	return p->quiet_from < p->quiet_to ? minute >= p->quiet_from && minute < p->quiet_to
					   : minute >= p->quiet_from || minute < p->quiet_to;
}

int fc_prefs_quiet(fc_db *db, int64_t user, int64_t now)
{
	prefs p;
	if (load(db, user, &p, NULL))
		return 1; /* unreadable: better late than during their night */
	json_decref(p.notify);
	return quiet_at(&p, now);
}

int fc_prefs_lease_check(fc_db *db, int64_t user, int64_t now, fc_err *err)
{
	prefs p;
	int rc = load(db, user, &p, err);
	json_decref(p.notify);
	if (rc)
		return rc;
	int64_t local = now + (int64_t)p.tz * 60;
	int64_t day_start = floor_div(local, 86400) * 86400 - (int64_t)p.tz * 60;
	if (p.quiet_from >= 0) {
		if (quiet_at(&p, now)) {
			char to[16];
			hhmm(p.quiet_to, to);
			return fc_err_set(err, FC_ECONFLICT, "quiet_hours", NULL,
					  "These are your quiet hours: no new work is handed out until %s (your time). "
					  "You can change them in your profile.",
					  to);
		}
	}
	if (!p.limit)
		return 0;
	/* measured time: submissions made today, and today's part of every
	 * lease still held (a lease that ran out counts up to its expiry);
	 * CASE instead of the two-argument MIN/MAX, which PostgreSQL lacks */
	fc_stmt *st;
	double used = 0;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT COALESCE((SELECT SUM(active_seconds) FROM submissions WHERE user_id=? AND "
			      "created_at>=?), 0) + COALESCE((SELECT SUM(CASE WHEN expires_at<? THEN expires_at ELSE ? END "
			      "- CASE WHEN leased_at>? THEN leased_at ELSE ? END) FROM assignments WHERE user_id=? AND "
			      "status='leased' AND expires_at>? AND leased_at<?), 0)",
			      "IIIIIIIII", user, day_start, now, now, day_start, day_start, user, day_start, now)))
		return rc;
	if (fc_stmt_next(st) == 1)
		used = fc_stmt_double(st, 0);
	fc_stmt_done(st);
	if (used >= (double)p.limit * 60)
		return fc_err_set(err, FC_ECONFLICT, "daily_limit_reached", NULL,
				  "You reached your daily limit of %d minutes; new work is handed out again from "
				  "midnight (your time). You can change the limit in your profile.",
				  p.limit);
	return 0;
}
