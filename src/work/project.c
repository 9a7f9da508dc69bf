/* Projects: the requester's definition of a job of work. */
#include "work/project.h"
#include "account/profile.h"
#include "core/clock.h"
#include "core/json.h"
#include "events/events.h"
#include "markup/markdown.h"
#include "work/collect.h"
#include "work/labelconfig.h"
#include "work/withdraw.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const fc_field PROJECT_FIELDS[] = {
	{"title", FC_J_STRING},
	{"kind", FC_J_STRING},
	{"instructions", FC_J_STRING},
	{"label_config", FC_J_STRING | FC_J_NULLABLE},
	{"collect", FC_J_OBJECT | FC_J_NULLABLE},
	{"reward", FC_J_INT},
	{"currency", FC_J_STRING},
	{"overlap", FC_J_INT},
	{"lease_seconds", FC_J_INT},
	{"opens_at", FC_J_TIME | FC_J_NULLABLE},
	{"closes_at", FC_J_TIME | FC_J_NULLABLE},
	{"max_per_contributor", FC_J_INT | FC_J_NULLABLE},
	{"gold_rate", FC_J_NUMBER},
	{"review_rate", FC_J_NUMBER},
	{"auto_approve_days", FC_J_INT},
	{"reject_reasons", FC_J_ARRAY},
	{"eligibility", FC_J_OBJECT},
	{"order", FC_J_STRING}, /* the order tasks are handed out in (assign.c) */
	/* quality settings: see quality/contributors.h */
	{"gold_threshold", FC_J_NUMBER | FC_J_NULLABLE},
	{"gold_min_answers", FC_J_INT},
	{"confidence_threshold", FC_J_NUMBER | FC_J_NULLABLE},
	{"max_overlap", FC_J_INT | FC_J_NULLABLE},
	{"qualification", FC_J_OBJECT | FC_J_NULLABLE},
	/* privacy: validated and stored by privacy/ (FC_EV_PROJECT_CHECK, _SAVED) */
	{"retention_days", FC_J_INT | FC_J_NULLABLE},
	{0},
};

static json_t *real_or_null(fc_stmt *st, int col)
{
	return fc_stmt_isnull(st, col) ? json_null() : json_real(fc_stmt_double(st, col));
}

json_t *fc_project_row_json(fc_stmt *st)
{
	json_t *p = json_object();
	json_object_set_new(p, "id", json_integer(fc_stmt_int(st, 0)));
	json_object_set_new(p, "owner_id", json_integer(fc_stmt_int(st, 1)));
	json_object_set_new(p, "kind", json_string(fc_stmt_text(st, 2)));
	json_object_set_new(p, "title", json_string(fc_stmt_text(st, 3)));
	json_object_set_new(p, "instructions", json_string(fc_stmt_text(st, 4)));
	/* rendered here so every client shows the same safe HTML (markup/markdown.h) */
	json_object_set_new(p, "instructions_html", fc_markdown_json(fc_stmt_text(st, 4)));
	json_object_set_new(p, "label_config", fc_stmt_isnull(st, 5) ? json_null() : json_string(fc_stmt_text(st, 5)));
	json_object_set_new(p, "collect", fc_stmt_json(st, 6));
	json_object_set_new(p, "reward", json_integer(fc_stmt_int(st, 7)));
	json_object_set_new(p, "currency", json_string(fc_stmt_text(st, 8)));
	json_object_set_new(p, "overlap", json_integer(fc_stmt_int(st, 9)));
	json_object_set_new(p, "lease_seconds", json_integer(fc_stmt_int(st, 10)));
	json_object_set_new(p, "opens_at", fc_stmt_time(st, 11));
	json_object_set_new(p, "closes_at", fc_stmt_time(st, 12));
	json_object_set_new(p, "max_per_contributor",
			    fc_stmt_isnull(st, 13) ? json_null() : json_integer(fc_stmt_int(st, 13)));
	json_object_set_new(p, "gold_rate", json_real(fc_stmt_double(st, 14)));
	json_object_set_new(p, "review_rate", json_real(fc_stmt_double(st, 15)));
	json_object_set_new(p, "auto_approve_days", json_integer(fc_stmt_int(st, 16)));
	json_object_set_new(p, "reject_reasons", fc_stmt_json(st, 17));
	json_object_set_new(p, "eligibility", fc_stmt_json(st, 18));
	json_object_set_new(p, "status", json_string(fc_stmt_text(st, 19)));
	json_object_set_new(p, "task_count", json_integer(fc_stmt_int(st, 20)));
	json_object_set_new(p, "consent_version",
			    fc_stmt_isnull(st, 21) ? json_null() : json_string(fc_stmt_text(st, 21)));
	json_object_set_new(p, "created_at", fc_stmt_time(st, 22));
	json_object_set_new(p, "updated_at", fc_stmt_time(st, 23));
	/* the quality settings: validated and acted on by quality/ (FC_EV_PROJECT_CHECK, _SAVED) */
	json_object_set_new(p, "gold_threshold", real_or_null(st, 24));
	json_object_set_new(p, "gold_min_answers", json_integer(fc_stmt_int(st, 25)));
	json_object_set_new(p, "confidence_threshold", real_or_null(st, 26));
	json_object_set_new(p, "max_overlap", fc_stmt_isnull(st, 27) ? json_null() : json_integer(fc_stmt_int(st, 27)));
	json_object_set_new(p, "qualification", fc_stmt_json(st, 28));
	json_object_set_new(p, "retention_days",
			    fc_stmt_isnull(st, 29) ? json_null() : json_integer(fc_stmt_int(st, 29)));
	json_object_set_new(p, "closed_at", fc_stmt_time(st, 30));
	json_object_set_new(p, "order", json_string(fc_stmt_text(st, 31)));
	return p;
}

static int get_json(fc_db *db, int64_t id, json_t **out, fc_err *err)
{
	return fc_db_row_json(db, out, err, fc_project_row_json, "project",
			      "SELECT " FC_PROJECT_COLUMNS " FROM projects p WHERE p.id=?", "I", id);
}

/* ---- validation ---- */

static int short_code(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 40)
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

static int string_list(const json_t *arr, const char *field, size_t maxlen, fc_err *err)
{
	size_t i;
	const json_t *v;
	if (!json_is_array(arr))
		return fc_err_set(err, FC_EINVAL, "invalid_type", field, "'%s' must be an array of strings.", field);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > maxlen)
			return fc_err_set(err, FC_EINVAL, "invalid_value", field,
					  "'%s' must hold non-empty strings of at most %zu characters.", field, maxlen);
	}
	return 0;
}

/* Checks every field present in body; `merged` is the project as it would
 * be after the change (for cross-field rules). */
static int validate(const json_t *body, const json_t *merged, fc_err *err)
{
	int rc = fc_json_check(body, PROJECT_FIELDS, err);
	if (rc)
		return rc;
	const char *title = fc_json_str(merged, "title", NULL);
	if (!title)
		return fc_err_set(err, FC_EINVAL, "missing_field", "title", "Field 'title' is required.");
	if (strlen(title) == 0 || strlen(title) > 200)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "title", "The title must have 1 to 200 characters.");
	const char *kind = fc_json_str(merged, "kind", "annotation");
	if (strcmp(kind, "annotation") && strcmp(kind, "collection"))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "kind", "kind must be 'annotation' or 'collection'.");
	if (strlen(fc_json_str(merged, "instructions", "")) > 100000)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "instructions",
				  "The instructions are longer than 100,000 characters.");
	const char *xml = fc_json_str(merged, "label_config", NULL);
	if (!strcmp(kind, "annotation")) {
		if (!xml)
			return fc_err_set(err, FC_EINVAL, "missing_field", "label_config",
					  "An annotation project needs a label_config (Label Studio XML).");
		fc_labelconfig *lc = NULL;
		if ((rc = fc_labelconfig_parse(xml, strlen(xml), &lc, err)))
			return rc;
		fc_labelconfig_free(lc);
	} else {
		const json_t *c = json_object_get(merged, "collect");
		const char *media = json_is_object(c) ? fc_json_str(c, "media", NULL) : NULL;
		if (!media || (strcmp(media, "audio") && strcmp(media, "image") && strcmp(media, "video") &&
			       strcmp(media, "sensor")))
			return fc_err_set(err, FC_EINVAL, "invalid_value", "collect.media",
					  "A collection project needs collect.media: 'audio', 'image', 'video' or 'sensor'.");
		if ((rc = fc_collect_spec_validate(c, err)))
			return rc;
	}
	if (fc_json_int(merged, "reward", 0) < 0 || fc_json_int(merged, "reward", 0) > 100000000)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "reward",
				  "reward must be from 0 to 100000000 minor units.");
	const char *cur = fc_json_str(merged, "currency", "USD");
	if (strlen(cur) != 3 || !isupper((unsigned char)cur[0]) || !isupper((unsigned char)cur[1]) ||
	    !isupper((unsigned char)cur[2]))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "currency",
				  "currency must be an ISO 4217 code such as USD.");
	int64_t overlap = fc_json_int(merged, "overlap", 1);
	if (overlap < 1 || overlap > 100)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "overlap", "overlap must be from 1 to 100.");
	int64_t lease = fc_json_int(merged, "lease_seconds", 1800);
	if (lease < 30 || lease > 7 * 86400)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "lease_seconds",
				  "lease_seconds must be from 30 to 604800 (a week).");
	int64_t o = 0, c = 0;
	const char *os = fc_json_str(merged, "opens_at", NULL), *cs = fc_json_str(merged, "closes_at", NULL);
	if (os && cs && !fc_clock_parse(os, &o) && !fc_clock_parse(cs, &c) && c <= o)
		return fc_err_set(err, FC_EINVAL, "invalid_window", "closes_at", "closes_at must be after opens_at.");
	const json_t *mpc = json_object_get(merged, "max_per_contributor");
	if (json_is_integer(mpc) && json_integer_value(mpc) < 1)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "max_per_contributor",
				  "max_per_contributor must be at least 1 (or null for no cap).");
	const char *rates[] = {"gold_rate", "review_rate"};
	for (int i = 0; i < 2; i++) {
		double v = fc_json_num(merged, rates[i], 0);
		if (!(v >= 0 && v <= 1))
			return fc_err_set(err, FC_EINVAL, "invalid_value", rates[i], "%s must be from 0 to 1.", rates[i]);
	}
	int64_t aad = fc_json_int(merged, "auto_approve_days", 3);
	if (aad < 0 || aad > 30)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "auto_approve_days",
				  "auto_approve_days must be from 0 to 30.");
	const char *order = fc_json_str(merged, "order", "priority");
	if (strcmp(order, "priority") && strcmp(order, "random") && strcmp(order, "uncertainty") &&
	    strcmp(order, "disagreement"))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "order",
				  "order must be 'priority', 'random', 'uncertainty' or 'disagreement'.");
	const json_t *rr = json_object_get(merged, "reject_reasons");
	if (rr) {
		size_t i;
		const json_t *v;
		json_array_foreach(rr, i, v) {
			if (!json_is_string(v) || !short_code(json_string_value(v)))
				return fc_err_set(err, FC_EINVAL, "invalid_value", "reject_reasons",
						  "reject_reasons must be short codes (a-z, 0-9, _ and -; at most 40).");
		}
	}
	const json_t *el = json_object_get(merged, "eligibility");
	if (el) {
		static const fc_field EL[] = {{"countries", FC_J_ARRAY},
					      {"languages", FC_J_ARRAY},
					      {"qualifications", FC_J_ARRAY},
					      {"verified", FC_J_BOOL},
					      {0}};
		if ((rc = fc_json_check(el, EL, err))) {
			char f[160];
			snprintf(f, sizeof f, "eligibility.%.80s", err->field);
			snprintf(err->field, sizeof err->field, "%.95s", f);
			return rc;
		}
		const char *keys[] = {"countries", "languages", "qualifications"};
		for (int i = 0; i < 3; i++) {
			const json_t *a = json_object_get(el, keys[i]);
			char f[64];
			snprintf(f, sizeof f, "eligibility.%s", keys[i]);
			if (a && (rc = string_list(a, f, 64, err)))
				return rc;
		}
	}
	fc_event ev = {.kind = FC_EV_PROJECT_CHECK, .json = merged};
	return fc_events_publish(NULL, &ev, err);
}

static int64_t time_field(const json_t *o, const char *key, int *isnull)
{
	const char *s = fc_json_str(o, key, NULL);
	int64_t t = 0;
	*isnull = !s || fc_clock_parse(s, &t);
	return t;
}

/* Writes every column from `m` (a complete, validated project object). */
static int write_row(fc_db *db, int64_t id, const json_t *m, fc_err *err)
{
	int on, cn;
	int64_t opens = time_field(m, "opens_at", &on), closes = time_field(m, "closes_at", &cn);
	const json_t *mpc = json_object_get(m, "max_per_contributor");
	const json_t *collect = json_object_get(m, "collect");
	const json_t *rr = json_object_get(m, "reject_reasons");
	const json_t *el = json_object_get(m, "eligibility");
	json_t *empty_arr = json_array(), *empty_obj = json_object();
	char *collect_txt = json_is_object(collect) ? json_dumps(collect, JSON_COMPACT) : NULL;
	int rc = fc_db_exec(
		db, err,
		"UPDATE projects SET kind=?,title=?,instructions=?,label_config=?,collect=?,reward=?,"
		"currency=?,overlap=?,lease_seconds=?,opens_at=CASE WHEN ?<>0 THEN NULL ELSE ? END,"
		"closes_at=CASE WHEN ?<>0 THEN NULL ELSE ? END,"
		"max_per_contributor=CASE WHEN ?<>0 THEN NULL ELSE ? END,gold_rate=?,review_rate=?,auto_approve_days=?,"
		"reject_reasons=?,eligibility=?,task_order=?,updated_at=? WHERE id=?",
		"tttttItIIiIiIiIddIjjtII", fc_json_str(m, "kind", "annotation"), fc_json_str(m, "title", ""),
		fc_json_str(m, "instructions", ""), fc_json_str(m, "label_config", NULL), collect_txt,
		fc_json_int(m, "reward", 0), fc_json_str(m, "currency", "USD"), fc_json_int(m, "overlap", 1),
		fc_json_int(m, "lease_seconds", 1800), on, opens, cn, closes, !json_is_integer(mpc),
		json_is_integer(mpc) ? (int64_t)json_integer_value(mpc) : (int64_t)0, fc_json_num(m, "gold_rate", 0),
		fc_json_num(m, "review_rate", 0), fc_json_int(m, "auto_approve_days", 3), rr ? (json_t *)rr : empty_arr,
		el ? (json_t *)el : empty_obj, fc_json_str(m, "order", "priority"), fc_clock_now(), id);
	if (!rc) {
		fc_event ev = {.kind = FC_EV_PROJECT_SAVED, .project = id, .json = m};
		rc = fc_events_publish(db, &ev, err);
	}
	free(collect_txt);
	json_decref(empty_arr);
	json_decref(empty_obj);
	return rc;
}

int fc_project_create(fc_store *s, const fc_user *user, const json_t *body, json_t **out, fc_err *err)
{
	if (!(user->roles & (FC_ROLE_REQUESTER | FC_ROLE_ADMIN)))
		return fc_err_set(err, FC_EPERM, "forbidden", NULL, "Only requesters can create projects.");
	int rc = validate(body, body, err);
	if (rc)
		return rc;
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	int64_t id, now = fc_clock_now();
	rc = fc_db_int(db, &id, err,
		       "INSERT INTO projects(owner_id,kind,title,created_at,updated_at) VALUES(?,?,?,?,?) RETURNING id",
		       "IttII", user->id, fc_json_str(body, "kind", "annotation"), fc_json_str(body, "title", ""), now,
		       now);
	if (!rc)
		rc = write_row(db, id, body, err);
	if (!rc)
		rc = fc_db_exec(db, err, "INSERT INTO project_members(project_id,user_id,role) VALUES(?,?,'owner')",
				"II", id, user->id);
	if (!rc)
		rc = get_json(db, id, out, err);
	return fc_db_end(db, &rc, err);
}

int fc_project_update(fc_store *s, const fc_user *user, int64_t id, const json_t *body, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	json_t *cur = NULL;
	if ((rc = fc_project_require(db, user, id, FC_ACCESS_OWNER, "Only the project's owner may change it.", err)))
		goto out;
	if ((rc = fc_json_check(body, PROJECT_FIELDS, err)) || (rc = get_json(db, id, &cur, err)))
		goto out;
	const char *status = fc_json_str(cur, "status", "");
	if (!strcmp(status, "closed")) {
		rc = fc_err_set(err, FC_ECONFLICT, "project_closed", NULL, "A closed project cannot be changed.");
		goto out;
	}
	const char *kind = fc_json_str(body, "kind", NULL);
	if (kind && strcmp(kind, fc_json_str(cur, "kind", ""))) {
		rc = fc_err_set(err, FC_EINVAL, "immutable_field", "kind", "A project's kind cannot change.");
		goto out;
	}
	/* money and the meaning of results may not change under live work */
	static const char *draft_only[] = {"label_config", "collect", "reward", "currency", "qualification"};
	for (size_t i = 0; i < 5; i++) {
		const json_t *nv = json_object_get(body, draft_only[i]);
		if (nv && strcmp(status, "draft") && !json_equal(nv, json_object_get(cur, draft_only[i]))) {
			rc = fc_err_set(err, FC_ECONFLICT, "not_draft", draft_only[i],
					"'%s' can only change while the project is a draft.", draft_only[i]);
			goto out;
		}
	}
	int64_t old_overlap = fc_json_int(cur, "overlap", 1);
	json_t *merged = json_deep_copy(cur);
	json_object_update(merged, (json_t *)body);
	rc = validate(body, merged, err);
	if (!rc)
		rc = write_row(db, id, merged, err);
	int64_t overlap = fc_json_int(merged, "overlap", 1);
	json_decref(merged);
	if (!rc && overlap != old_overlap)
		rc = fc_db_exec(db, err,
				"UPDATE tasks SET open = CASE WHEN leased_count + submitted_count < COALESCE(target_overlap, ?) THEN 1 ELSE 0 END "
				"WHERE project_id=?",
				"II", overlap, id);
	json_decref(cur);
	cur = NULL;
	if (!rc)
		rc = get_json(db, id, out, err);
out:
	json_decref(cur);
	return fc_db_end(db, &rc, err);
}

/* Measured pay: the median active seconds of this project's timed
 * submissions and the hourly pay it implies from the per-task reward
 * (bonuses are not part of it). Below FC_HOURLY_MIN_MEASURED timed
 * submissions the hourly figure is null: a few fast or slow people would
 * make it a guess. */
static void add_measured_pay(fc_db *db, json_t *p)
{
	int64_t id = fc_json_int(p, "id", 0), n = 0, measured = 0;
	json_t *median = json_null(), *hourly = json_null();
	fc_db_int(db, &n, NULL, "SELECT COUNT(*) FROM submissions WHERE project_id=?", "I", id);
	if (!fc_db_int(db, &measured, NULL, "SELECT COUNT(*) FROM submissions WHERE project_id=? AND active_seconds>0",
		       "I", id) &&
	    measured >= FC_HOURLY_MIN_MEASURED) {
		fc_stmt *st;
		if (!fc_db_query(db, &st, NULL,
				 "SELECT active_seconds FROM submissions WHERE project_id=? AND active_seconds>0 ORDER BY "
				 "active_seconds LIMIT 1 OFFSET ?",
				 "II", id, (measured - 1) / 2)) {
			if (fc_stmt_next(st) == 1) {
				double sec = fc_stmt_double(st, 0);
				json_decref(median);
				median = json_real(sec);
				json_decref(hourly);
				hourly = json_integer((json_int_t)llround((double)fc_json_int(p, "reward", 0) * 3600.0 /
									  sec));
			}
			fc_stmt_done(st);
		}
	}
	json_object_set_new(p, "median_seconds", median);
	json_object_set_new(p, "hourly_estimate", hourly);
	json_object_set_new(p, "submission_count", json_integer(n));
	json_object_set_new(p, "measured_submissions", json_integer(measured));
	json_object_set_new(p, "hourly_min_measured", json_integer(FC_HOURLY_MIN_MEASURED));
}

int fc_project_get(fc_store *s, const fc_user *user, int64_t id, json_t **out, fc_err *err)
{
	fc_db *db;
	int access, rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	if (!(rc = fc_project_access(db, user, id, &access, err)) && !(rc = get_json(db, id, out, err))) {
		add_measured_pay(db, *out);
		json_object_set_new(*out, "my_role",
				    json_string(access == FC_ACCESS_OWNER      ? "owner"
						: access == FC_ACCESS_REVIEWER ? "reviewer"
									       : "contributor"));
		if (access == FC_ACCESS_CONTRIBUTOR) {
			/* contributors never see which tasks are gold */
			json_object_del(*out, "gold_rate");
		}
	}
	fc_db_rollback(db);
	return rc;
}

int fc_project_eligible(fc_db *db, int64_t user_id, const json_t *el, fc_err *err)
{
	return fc_account_eligible(db, user_id, el, err);
}

int fc_project_list(fc_store *s, const fc_user *user, int limit, int64_t after, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	int contributor_view = !(user->roles & (FC_ROLE_REQUESTER | FC_ROLE_ADMIN));
	if (user->roles & FC_ROLE_ADMIN)
		rc = fc_db_query(db, &st, err,
				 "SELECT " FC_PROJECT_COLUMNS " FROM projects p WHERE p.id>? ORDER BY p.id LIMIT ?",
				 "Ii", after, limit + 1);
	else if (!contributor_view)
		rc = fc_db_query(db, &st, err,
				 "SELECT " FC_PROJECT_COLUMNS " FROM projects p WHERE p.id>? AND (p.owner_id=? OR "
				 "EXISTS(SELECT 1 FROM project_members m WHERE m.project_id=p.id AND m.user_id=?)) "
				 "ORDER BY p.id LIMIT ?",
				 "IIIi", after, user->id, user->id, limit + 1);
	else
		rc = fc_db_query(db, &st, err,
				 "SELECT " FC_PROJECT_COLUMNS " FROM projects p WHERE p.id>? AND p.status='live' "
				 "ORDER BY p.id LIMIT ?",
				 "Ii", after, limit + 1);
	if (rc)
		goto out;
	json_t *items = json_array();
	int64_t last = 0;
	int more = 0;
	while (fc_stmt_next(st) == 1) {
		if ((int)json_array_size(items) == limit) {
			more = 1;
			break;
		}
		json_t *p = fc_project_row_json(st);
		last = fc_json_int(p, "id", 0);
		json_array_append_new(items, p);
	}
	fc_stmt_done(st);
	size_t i;
	json_t *p;
	json_t *visible = json_array();
	json_array_foreach(items, i, p) {
		if (contributor_view) {
			fc_err e2 = {0};
			if (fc_project_eligible(db, user->id, json_object_get(p, "eligibility"), &e2)) {
				fc_err_clear(&e2);
				continue;
			}
			json_object_del(p, "gold_rate");
			int64_t remaining = 0, held = 0, pid = fc_json_int(p, "id", 0);
			/* tasks left for me: open ones I was never given (a task is
			 * handed to a contributor once); gold is hidden among ordinary
			 * tasks, except in a qualification test, whose questions are
			 * all gold */
			int test = json_is_object(json_object_get(p, "qualification"));
			fc_db_int(db, &remaining, NULL,
				  "SELECT COUNT(*) FROM tasks t WHERE t.project_id=? AND t.open=1 AND (t.is_gold=0 OR ?<>0) "
				  "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id=t.id AND a.user_id=?)",
				  "IiI", pid, test, user->id);
			fc_db_int(db, &held, NULL,
				  "SELECT COUNT(*) FROM assignments WHERE project_id=? AND user_id=? AND status='leased' "
				  "AND expires_at>?",
				  "III", pid, user->id, fc_clock_now());
			if (!remaining && !held)
				continue; /* nothing left for me: not on my board */
			json_object_set_new(p, "tasks_available", json_integer(remaining));
			json_object_set_new(p, "tasks_held", json_integer(held));
		}
		add_measured_pay(db, p);
		json_array_append(visible, p);
	}
	json_decref(items);
	char cur[32];
	snprintf(cur, sizeof cur, "%lld", (long long)last);
	*out = json_pack("{s:o,s:o}", "items", visible, "next", more ? json_string(cur) : json_null());
out:
	fc_db_rollback(db);
	return rc;
}

int fc_project_transition(fc_store *s, const fc_user *user, int64_t id, const char *action, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	json_t *cur = NULL;
	if ((rc = fc_project_require(db, user, id, FC_ACCESS_OWNER, "Only the project's owner may do this.", err)))
		goto out;
	if ((rc = get_json(db, id, &cur, err)))
		goto out;
	const char *status = fc_json_str(cur, "status", "");
	const char *to = NULL;
	if (!strcmp(action, "publish") && (!strcmp(status, "draft") || !strcmp(status, "paused")))
		to = "live";
	else if (!strcmp(action, "pause") && !strcmp(status, "live"))
		to = "paused";
	else if (!strcmp(action, "close") && strcmp(status, "closed"))
		to = "closed";
	if (!to) {
		rc = fc_err_set(err, FC_ECONFLICT, "invalid_state", "status", "A %s project cannot be %s.", status,
				!strcmp(action, "publish") ? "published"
				: !strcmp(action, "pause") ? "paused"
							   : "closed");
		goto out;
	}
	if (!strcmp(to, "live") && fc_json_int(cur, "task_count", 0) == 0) {
		rc = fc_err_set(err, FC_ECONFLICT, "no_tasks", NULL, "Import tasks before publishing the project.");
		goto out;
	}
	if (!strcmp(to, "live")) {
		fc_event ev = {.kind = FC_EV_PUBLISHING, .project = id, .actor = user->id};
		if ((rc = fc_events_publish(db, &ev, err)))
			goto out; /* unfunded, or a test without enough questions */
	}
	rc = fc_db_exec(db, err, "UPDATE projects SET status=?, updated_at=? WHERE id=?", "tII", to, fc_clock_now(), id);
	if (!rc && !strcmp(to, "closed"))
		/* open leases end with the project; contributors keep what they submitted */
		rc = fc_db_exec(db, err,
				"UPDATE assignments SET status='released' WHERE project_id=? AND status='leased'", "I",
				id);
	if (!rc) { /* the audit log (privacy/) records every change of state from these */
		fc_event ev = {.kind = !strcmp(to, "live")     ? FC_EV_PROJECT_PUBLISHED
				       : !strcmp(to, "closed") ? FC_EV_PROJECT_CLOSED
							       : FC_EV_PROJECT_PAUSED,
			       .project = id,
			       .actor = user->id};
		rc = fc_events_publish(db, &ev, err);
	}
	json_decref(cur);
	cur = NULL;
	if (!rc)
		rc = get_json(db, id, out, err);
out:
	json_decref(cur);
	return fc_db_end(db, &rc, err);
}

int fc_project_add_member(fc_store *s, const fc_user *user, int64_t id, int64_t member_id, const char *role,
			  json_t **out, fc_err *err)
{
	if (strcmp(role, "owner") && strcmp(role, "reviewer"))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "role", "role must be 'owner' or 'reviewer'.");
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	if ((rc = fc_project_require(db, user, id, FC_ACCESS_OWNER, "Only the project's owner may add members.", err)))
		goto out;
	int64_t exists;
	if (fc_db_int(db, &exists, NULL, "SELECT id FROM users WHERE id=?", "I", member_id)) {
		rc = fc_err_set(err, FC_EINVAL, "unknown_user", "user_id", "No user has id %lld.", (long long)member_id);
		goto out;
	}
	rc = fc_db_exec(db, err,
			"INSERT INTO project_members(project_id,user_id,role) VALUES(?,?,?) "
			"ON CONFLICT(project_id,user_id) DO UPDATE SET role=excluded.role",
			"IIt", id, member_id, role);
	if (!rc) { /* a role change: audited by privacy/ */
		fc_event ev = {.kind = FC_EV_MEMBER_CHANGED,
			       .project = id,
			       .user = member_id,
			       .actor = user->id,
			       .text = role};
		rc = fc_events_publish(db, &ev, err);
	}
	if (!rc)
		*out = json_pack("{s:I,s:I,s:s}", "project_id", (json_int_t)id, "user_id", (json_int_t)member_id,
				 "role", role);
out:
	return fc_db_end(db, &rc, err);
}

int fc_project_stats(fc_store *s, const fc_user *user, int64_t id, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	json_t *p = NULL;
	if ((rc = fc_project_require(db, user, id, FC_ACCESS_REVIEWER, "Only the project's team sees its statistics.",
				     err)))
		goto out;
	if ((rc = get_json(db, id, &p, err)))
		goto out;
	int64_t overlap = fc_json_int(p, "overlap", 1);
	int64_t total = 0, done = 0, in_progress = 0, leased = 0, contributors = 0;
	fc_db_int(db, &total, NULL, "SELECT COUNT(*) FROM tasks WHERE project_id=?", "I", id);
	fc_db_int(db, &done, NULL, "SELECT COUNT(*) FROM tasks WHERE project_id=? AND submitted_count>=?", "II", id,
		  overlap);
	fc_db_int(db, &in_progress, NULL,
		  "SELECT COUNT(*) FROM tasks WHERE project_id=? AND submitted_count<? AND (submitted_count>0 OR leased_count>0)",
		  "II", id, overlap);
	fc_db_int(db, &leased, NULL, "SELECT COUNT(*) FROM assignments WHERE project_id=? AND status='leased'", "I", id);
	fc_db_int(db, &contributors, NULL, "SELECT COUNT(DISTINCT user_id) FROM submissions WHERE project_id=?", "I", id);
	json_t *subs = json_pack("{s:i,s:i,s:i,s:i}", "pending", 0, "accepted", 0, "rejected", 0, "auto_accepted", 0);
	fc_stmt *st;
	if (!fc_db_query(db, &st, NULL, "SELECT status, COUNT(*) FROM submissions WHERE project_id=? GROUP BY status",
			 "I", id)) {
		while (fc_stmt_next(st) == 1)
			json_object_set_new(subs, fc_stmt_text(st, 0), json_integer(fc_stmt_int(st, 1)));
		fc_stmt_done(st);
	}
	int64_t now = fc_clock_now(), last_hour = 0, last_day = 0;
	fc_db_int(db, &last_hour, NULL, "SELECT COUNT(*) FROM submissions WHERE project_id=? AND created_at>?", "II",
		  id, now - 3600);
	fc_db_int(db, &last_day, NULL, "SELECT COUNT(*) FROM submissions WHERE project_id=? AND created_at>?", "II", id,
		  now - 86400);
	add_measured_pay(db, p);
	*out = json_pack("{s:I,s:{s:I,s:I,s:I,s:I},s:o,s:I,s:I,s:O,s:O,s:{s:I,s:I}}", "project_id", (json_int_t)id,
			 "tasks", "total", (json_int_t)total, "done", (json_int_t)done, "in_progress",
			 (json_int_t)in_progress, "not_started", (json_int_t)(total - done - in_progress),
			 "submissions", subs, "active_leases", (json_int_t)leased, "contributors",
			 (json_int_t)contributors, "median_active_seconds", json_object_get(p, "median_seconds"),
			 "effective_hourly", json_object_get(p, "hourly_estimate"), "throughput", "last_hour",
			 (json_int_t)last_hour, "last_day", (json_int_t)last_day);
	json_object_set_new(*out, "currency", json_string(fc_json_str(p, "currency", "USD")));
out:
	json_decref(p);
	fc_db_rollback(db);
	return rc;
}

/* ---- consent ---- */

int fc_consent_put(fc_store *s, const fc_user *user, int64_t id, const char *text, const char *version, json_t **out,
		   fc_err *err)
{
	if (!*text || strlen(text) > 100000)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "text",
				  "The consent text must have 1 to 100,000 characters.");
	if (!*version || strlen(version) > 40)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "version", "version must have 1 to 40 characters.");
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	if ((rc = fc_project_require(db, user, id, FC_ACCESS_OWNER,
				     "Only the project's owner may set its consent document.", err)))
		goto out;
	int64_t have;
	if (!fc_db_int(db, &have, NULL, "SELECT 1 FROM consent_docs WHERE project_id=? AND version=?", "It", id, version)) {
		rc = fc_err_set(err, FC_ECONFLICT, "version_exists", "version",
				"Consent version '%s' exists; a changed text needs a new version.", version);
		goto out;
	}
	int64_t now = fc_clock_now();
	rc = fc_db_exec(db, err, "INSERT INTO consent_docs(project_id,version,text,created_at) VALUES(?,?,?,?)", "IttI",
			id, version, text, now);
	if (!rc)
		rc = fc_db_exec(db, err, "UPDATE projects SET consent_version=?, updated_at=? WHERE id=?", "tII",
				version, now, id);
	char ts[32];
	if (!rc &&
	    !(*out = json_pack("{s:I,s:s,s:s,s:o,s:s}", "project_id", (json_int_t)id, "version", version, "text", text,
			       "text_html", fc_markdown_json(text), "created_at", fc_clock_format(now, ts, sizeof ts))))
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
out:
	return fc_db_end(db, &rc, err);
}

int fc_consent_get(fc_store *s, const fc_user *user, int64_t id, json_t **out, fc_err *err)
{
	fc_db *db;
	int access, rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	if ((rc = fc_project_access(db, user, id, &access, err)))
		goto out;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT d.version, d.text, d.created_at, c.accepted_at FROM projects p JOIN consent_docs d "
			      "ON d.project_id=p.id AND d.version=p.consent_version LEFT JOIN consents c ON "
			      "c.project_id=p.id AND c.version=d.version AND c.user_id=? AND c.withdrawn_at IS NULL "
			      "WHERE p.id=?",
			      "II", user->id, id)))
		goto out;
	if (fc_stmt_next(st) == 1) {
		char ts[32], ta[32];
		*out = json_pack("{s:I,s:s,s:s,s:o,s:s,s:o}", "project_id", (json_int_t)id, "version",
				 fc_stmt_text(st, 0), "text", fc_stmt_text(st, 1), "text_html",
				 fc_markdown_json(fc_stmt_text(st, 1)), "created_at",
				 fc_clock_format(fc_stmt_int(st, 2), ts, sizeof ts), "accepted_at",
				 fc_stmt_isnull(st, 3) ? json_null()
						       : json_string(fc_clock_format(fc_stmt_int(st, 3), ta, sizeof ta)));
		if (!*out)
			rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	} else {
		rc = fc_err_set(err, FC_ENOTFOUND, "no_consent", NULL, "This project has no consent document.");
	}
	fc_stmt_done(st);
out:
	fc_db_rollback(db);
	return rc;
}

int fc_consent_accept(fc_store *s, const fc_user *user, int64_t id, const char *version, json_t **out, fc_err *err)
{
	fc_db *db;
	int access, rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	if ((rc = fc_project_access(db, user, id, &access, err)))
		goto out;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err, "SELECT consent_version FROM projects WHERE id=?", "I", id)))
		goto out;
	char cur[64] = {0};
	if (fc_stmt_next(st) == 1 && !fc_stmt_isnull(st, 0))
		snprintf(cur, sizeof cur, "%s", fc_stmt_text(st, 0));
	fc_stmt_done(st);
	if (!cur[0]) {
		rc = fc_err_set(err, FC_ENOTFOUND, "no_consent", NULL, "This project has no consent document.");
		goto out;
	}
	if (strcmp(cur, version)) {
		rc = fc_err_set(err, FC_ECONFLICT, "stale_version", "version",
				"The current consent version is '%s'; read it and accept that one.", cur);
		goto out;
	}
	/* a withdrawal is final: the data it erased is gone */
	if ((rc = fc_withdrawn_refuse(db, user->id, id, "consent_withdrawn",
				      "You withdrew your consent for this project; it cannot be given again.", err)))
		goto out;
	int64_t now = fc_clock_now();
	rc = fc_db_exec(db, err,
			"INSERT INTO consents(user_id,project_id,version,accepted_at) VALUES(?,?,?,?) "
			"ON CONFLICT(user_id,project_id,version) DO UPDATE SET withdrawn_at=NULL",
			"IItI", user->id, id, version, now);
	char ts[32];
	if (!rc)
		*out = json_pack("{s:I,s:s,s:s}", "project_id", (json_int_t)id, "version", version, "accepted_at",
				 fc_clock_format(now, ts, sizeof ts));
out:
	return fc_db_end(db, &rc, err);
}
