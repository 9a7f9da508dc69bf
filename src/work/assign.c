/* Assignment engine. See assign.h for the rules. */
#include "work/assign.h"
#include "core/clock.h"
#include "core/json.h"
#include "events/events.h"
#include "work/collect.h"
#include "work/configcache.h"
#include "work/project.h"
#include "work/review.h"
#include "work/tsdata.h"
#include "work/withdraw.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int validate_result(const char *xml, const json_t *result, const json_t *task_data, fc_db *db, int64_t project,
			   fc_err *err);

typedef struct proj {
	int64_t id, owner, reward, overlap, lease, opens, closes, cap, aad;
	int has_opens, has_closes, has_cap, is_test;
	int has_predictions; /* a model has suggested answers for some task */
	int ml_interactive;  /* its ML backend answers clicks and boxes (SAM-style) */
	int access;          /* the reader's, FC_ACCESS_* (access/access.h) */
	double gold_rate, review_rate;
	char status[16];
	char kind[16];
	char consent[64];
	char currency[8];
	char order[16]; /* priority, random, uncertainty, disagreement */
	json_t *eligibility;
	char *label_config;
} proj;

static void proj_free(proj *p)
{
	json_decref(p->eligibility);
	free(p->label_config);
}

/* The project row, and what user (the one the transaction is for) may do
 * with it (p->access, which the lease checks): one statement. FC_ENOTFOUND
 * when the project does not exist. */
static int load_proj(fc_db *db, const fc_user *user, int64_t id, proj *p, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT id,owner_id,reward,overlap,lease_seconds,opens_at,closes_at,max_per_contributor,"
			     "gold_rate,status,kind,consent_version,eligibility,label_config,currency,auto_approve_days,review_rate,"
			     "qualification IS NOT NULL,task_order,"
			     "EXISTS(SELECT 1 FROM predictions WHERE project_id=projects.id),"
			     "EXISTS(SELECT 1 FROM ml_backends WHERE project_id=projects.id AND interactive<>0),"
			     "(SELECT role FROM project_members WHERE project_id=projects.id AND user_id=?) "
			     "FROM projects WHERE id=?",
			     "II", user->id, id);
	if (rc)
		return rc;
	memset(p, 0, sizeof *p);
	if (fc_stmt_next(st) != 1) {
		fc_stmt_done(st);
		return fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such project.");
	}
	p->id = fc_stmt_int(st, 0);
	p->owner = fc_stmt_int(st, 1);
	p->reward = fc_stmt_int(st, 2);
	p->overlap = fc_stmt_int(st, 3);
	p->lease = fc_stmt_int(st, 4);
	p->has_opens = !fc_stmt_isnull(st, 5);
	p->opens = fc_stmt_int(st, 5);
	p->has_closes = !fc_stmt_isnull(st, 6);
	p->closes = fc_stmt_int(st, 6);
	p->has_cap = !fc_stmt_isnull(st, 7);
	p->cap = fc_stmt_int(st, 7);
	p->gold_rate = fc_stmt_double(st, 8);
	snprintf(p->status, sizeof p->status, "%s", fc_stmt_text(st, 9));
	snprintf(p->kind, sizeof p->kind, "%s", fc_stmt_text(st, 10));
	if (!fc_stmt_isnull(st, 11))
		snprintf(p->consent, sizeof p->consent, "%s", fc_stmt_text(st, 11));
	p->eligibility = fc_stmt_json(st, 12);
	if (!fc_stmt_isnull(st, 13))
		p->label_config = strdup(fc_stmt_text(st, 13));
	snprintf(p->currency, sizeof p->currency, "%s", fc_stmt_text(st, 14));
	p->aad = fc_stmt_int(st, 15);
	p->review_rate = fc_stmt_double(st, 16);
	p->is_test = (int)fc_stmt_int(st, 17);
	snprintf(p->order, sizeof p->order, "%s", fc_stmt_isnull(st, 18) ? "priority" : fc_stmt_text(st, 18));
	p->has_predictions = (int)fc_stmt_int(st, 19);
	p->ml_interactive = (int)fc_stmt_int(st, 20);
	p->access = fc_project_access_of(user, p->owner, p->status, fc_stmt_text(st, 21));
	fc_stmt_done(st);
	return 0;
}

/* Which open task a lease gets. The project's order (migration 0025) walks
 * one partial index of open tasks and stops at the first the contributor
 * has not had. uncertainty: the least confident prediction first
 * (tasks_uncertain); disagreement: the lowest agreement first
 * (tasks_disputed); tasks with no score or no agreement yet follow in
 * priority order. random: the first open task at or after a random id
 * (tasks_open_id), wrapping around. A test draws its questions at random,
 * so that contributors do not all get the same first ones (see
 * quality/qualtest.h).
 * Concurrent leases (FC_DB_WRITE_ROWS on PostgreSQL) lock the task they pick
 * and skip the ones others hold, so they take different tasks at once; a
 * row's open is re-checked once it is locked, so the update below never
 * passes the overlap. NO KEY: the lock does not stop a submit's INSERT
 * whose foreign key points at the task. When every open task is held by
 * someone, the second form waits for them rather than say no_tasks too
 * early. SQLite, with one writer at a time, drops the clause.
 * is_gold is written into the SQL, not bound: SQLite compares a bound value
 * with the WHERE of the partial index tasks_gold to decide whether it may
 * use that index, and then compiles the statement again each time the value
 * is bound — a full parse and plan per lease. */
#define PICK_FROM(gold) \
	"SELECT t.id FROM tasks t WHERE t.project_id=? AND t.is_gold=" gold " AND t.open=1 " \
	"AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id=t.id AND a.user_id=?) "
#define PICK_LOCKS(q) \
	{ \
		q " FOR NO KEY UPDATE OF t SKIP LOCKED", q " FOR NO KEY UPDATE OF t" \
	}
#define PICK_GOLD(rest) \
	{ \
		PICK_LOCKS(PICK_FROM("0") rest), PICK_LOCKS(PICK_FROM("1") rest) \
	}
enum { BY_PRIORITY, BY_TEST, BY_UNCERTAINTY, BY_DISAGREEMENT, BY_ID_FROM, N_PICKS };
static const char *const PICK_SQL[N_PICKS][2][2] = {
	[BY_PRIORITY] = PICK_GOLD("ORDER BY t.priority DESC, t.id LIMIT 1"),
	[BY_TEST] = PICK_GOLD("ORDER BY t.priority DESC, random() LIMIT 1"),
	[BY_UNCERTAINTY] = PICK_GOLD("AND t.ml_score IS NOT NULL ORDER BY t.ml_score, t.id LIMIT 1"),
	[BY_DISAGREEMENT] = PICK_GOLD("AND t.agreement IS NOT NULL ORDER BY t.agreement, t.id LIMIT 1"),
	[BY_ID_FROM] = PICK_GOLD("AND t.id>=? ORDER BY t.id LIMIT 1"),
};

/* One try with one gold choice; wait: 0 skips rows others hold, 1 waits. */
static int pick_once(fc_db *db, const proj *p, int gold, int64_t user, int wait, int64_t *task, fc_err *err)
{
	int64_t project = p->id;
	if (p->is_test)
		return fc_db_int(db, task, err, PICK_SQL[BY_TEST][gold][wait], "II", project, user);
	int rc = FC_ENOTFOUND;
	if (!strcmp(p->order, "uncertainty"))
		rc = fc_db_int(db, task, err, PICK_SQL[BY_UNCERTAINTY][gold][wait], "II", project, user);
	else if (!strcmp(p->order, "disagreement"))
		rc = fc_db_int(db, task, err, PICK_SQL[BY_DISAGREEMENT][gold][wait], "II", project, user);
	else if (!strcmp(p->order, "random")) {
		int64_t top = 0;
		if (!fc_db_int(db, &top, NULL, "SELECT MAX(id) FROM tasks WHERE project_id=?", "I", project) && top > 0) {
			int64_t from =
				(int64_t)(((uint64_t)randombytes_random() << 32 | randombytes_random()) % (uint64_t)top) +
				1;
			rc = fc_db_int(db, task, err, PICK_SQL[BY_ID_FROM][gold][wait], "III", project, user, from);
			if (rc == FC_ENOTFOUND)
				rc = fc_db_int(db, task, err, PICK_SQL[BY_ID_FROM][gold][wait], "III", project, user,
					       (int64_t)0);
		}
		return rc;
	}
	if (rc == FC_ENOTFOUND) {
		fc_err_clear(err);
		rc = fc_db_int(db, task, err, PICK_SQL[BY_PRIORITY][gold][wait], "II", project, user);
	}
	return rc;
}

/* The wanted kind (gold or not) first, then the other; rows others hold
 * are skipped in the first two tries and waited for in the last two. */
static int pick(fc_db *db, const proj *p, int want_gold, int64_t user, int64_t *task, fc_err *err)
{
	int rc = FC_ENOTFOUND;
	for (int i = 0; i < 4 && rc == FC_ENOTFOUND; i++) {
		fc_err_clear(err);
		rc = pick_once(db, p, i % 2 ? !want_gold : want_gold, user, i / 2, task, err);
	}
	return rc;
}

json_t *fc_assign_prediction_json(fc_stmt *st, int col)
{
	return json_pack("{s:I,s:s,s:o,s:o,s:o,s:s}", "id", (json_int_t)fc_stmt_int(st, col), "model_version",
			 fc_stmt_text(st, col + 1), "score",
			 fc_stmt_isnull(st, col + 2) ? json_null() : json_real(fc_stmt_double(st, col + 2)), "result",
			 fc_stmt_json(st, col + 3), "created_at", fc_stmt_time(st, col + 4), "origin", "model");
}

static json_t *as_array(json_t *imported)
{
	if (json_is_array(imported))
		return imported;
	json_decref(imported);
	return json_array();
}

json_t *fc_assign_predictions(fc_db *db, int64_t task, json_t *imported)
{
	json_t *all = as_array(imported);
	fc_stmt *q;
	if (fc_db_query(db, &q, NULL,
			"SELECT id, model_version, score, result, created_at FROM predictions WHERE task_id=? "
			"ORDER BY id DESC LIMIT 5",
			"I", task))
		return all;
	while (fc_stmt_next(q) == 1)
		json_array_append_new(all, fc_assign_prediction_json(q, 0));
	fc_stmt_done(q);
	return all;
}

int fc_assign_predictions_page(fc_db *db, json_t *tasks, const char *ids, fc_err *err)
{
	json_t *by_id = json_object(), *t;
	size_t i;
	char key[24];
	json_array_foreach(tasks, i, t) {
		json_object_set_new(t, "predictions", as_array(json_incref(json_object_get(t, "predictions"))));
		snprintf(key, sizeof key, "%lld", (long long)fc_json_int(t, "id", 0));
		json_object_set(by_id, key, t);
	}
	/* each task's newest 5: a window over the page's rows, found by UNIQUE(task_id, model_version) */
	fc_stmt *q;
	int rc = fc_db_query(db, &q, err,
			     "SELECT task_id, id, model_version, score, result, created_at FROM (SELECT task_id, id, "
			     "model_version, score, result, created_at, ROW_NUMBER() OVER (PARTITION BY task_id ORDER BY "
			     "id DESC) AS n FROM predictions WHERE task_id IN (SELECT CAST(value AS BIGINT) FROM "
			     "json_each(?))) p WHERE n <= 5 ORDER BY task_id, id DESC",
			     "t", ids);
	if (!rc) {
		while (fc_stmt_next(q) == 1) {
			snprintf(key, sizeof key, "%lld", (long long)fc_stmt_int(q, 0));
			json_t *p = fc_assign_prediction_json(q, 1);
			if (p)
				json_array_append_new(json_object_get(json_object_get(by_id, key), "predictions"), p);
		}
		fc_stmt_done(q);
	}
	json_decref(by_id);
	return rc;
}

/* A lease's predictions: those imported with the task, and the model's
 * when one has predicted for the project; most projects have none, and
 * their leases read no predictions table. */
static json_t *lease_predictions(fc_db *db, const proj *p, int64_t task, json_t *imported)
{
	if (p->has_predictions)
		return fc_assign_predictions(db, task, imported);
	return as_array(imported);
}

int fc_assign_check_result(fc_db *db, fc_event *ev, fc_err *err)
{
	if (!ev->text)
		return fc_err_set(err, FC_EINVAL, "invalid_value", NULL, "The project has no label config.");
	return validate_result(ev->text, ev->json, ev->data, db, ev->project, err);
}

typedef struct {
	const fc_user *user;
	int64_t project_id;
	json_t *out;
	const char *why;
} lease_args;

/* One lease, in a transaction of fc_store_tx (FC_DB_WRITE_ROWS): what
 * belongs to the contributor (their cap, consent, test attempt, daily
 * limit, the tasks they already had) is guarded by their lock, the task by
 * its row lock (pick), the counters by single UPDATEs. */
static int lease_tx(fc_db *db, void *arg, fc_err *err)
{
	lease_args *a = arg;
	const fc_user *user = a->user;
	int64_t project_id = a->project_id;
	json_t **out = &a->out;
	const char **why = &a->why;
	json_decref(*out); /* a previous try's */
	*out = NULL;
	*why = NULL;
	int rc = fc_db_lock(db, FC_LOCK_USER, user->id, err);
	if (rc)
		return rc;
	proj p = {0};
	if ((rc = load_proj(db, user, project_id, &p, err)))
		goto out;
	if (p.access == FC_ACCESS_NONE) { /* invisible to them: as if it did not exist */
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such project.");
		goto out;
	}
	int64_t now = fc_clock_now();
	if (strcmp(p.status, "live")) {
		rc = fc_err_set(err, FC_ECONFLICT, "project_not_live", NULL,
				"This project is %s and hands out no work now.", p.status);
		goto out;
	}
	if ((p.has_opens && now < p.opens) || (p.has_closes && now >= p.closes)) {
		rc = fc_err_set(err, FC_ECONFLICT, "outside_window", NULL,
				p.has_opens && now < p.opens ? "This project has not opened yet."
							     : "This project's participation window has closed.");
		goto out;
	}
	if ((rc = fc_project_eligible(db, user->id, p.eligibility, err)))
		goto out;
	if ((rc = fc_withdrawn_refuse(db, user->id, project_id, "consent_withdrawn",
				      "You withdrew your consent for this project; it has no more tasks for you.", err)))
		goto out;
	if (p.consent[0]) {
		int64_t ok;
		if (fc_db_int(db, &ok, NULL,
			      "SELECT 1 FROM consents WHERE user_id=? AND project_id=? AND version=? AND withdrawn_at IS NULL",
			      "IIt", user->id, project_id, p.consent)) {
			rc = fc_err_set(err, FC_ECONFLICT, "consent_required", NULL,
					"Read and accept the project's consent document (version %s) first.", p.consent);
			goto out;
		}
	}
	fc_event ev = {.kind = FC_EV_LEASING, .project = project_id, .user = user->id};
	if ((rc = fc_events_publish(db, &ev, err)))
		goto out; /* e.g. paused for low gold accuracy: the reason says why */
	if (!strcmp(p.kind, "collection") && ((rc = fc_collect_quota_ok(db, project_id, user->id, why, err)) || *why))
		goto out; /* a full demographic cell gets no more work */
	if (p.has_cap) {
		int64_t taken = 0;
		fc_db_int(db, &taken, NULL,
			  "SELECT COUNT(*) FROM assignments WHERE user_id=? AND project_id=? AND status IN ('leased','submitted')",
			  "II", user->id, project_id);
		if (taken >= p.cap) {
			*why = "limit_reached";
			goto out;
		}
	}
	int64_t attempt = 1;
	if (p.is_test) { /* quality opens the contributor's attempt, or says it has handed out its questions */
		ev = (fc_event){.kind = FC_EV_PICKING, .project = project_id, .user = user->id, .attempt = 1};
		if ((rc = fc_events_publish(db, &ev, err)) || (*why = ev.why))
			goto out;
		attempt = ev.attempt;
	}
	int want_gold = p.gold_rate > 0 && (double)randombytes_uniform(1000000) < p.gold_rate * 1e6;
	int64_t task = 0;
	rc = pick(db, &p, want_gold, user->id, &task, err);
	if (rc == FC_ENOTFOUND) {
		fc_err_clear(err);
		*why = "no_tasks"; /* a test whose pool ran dry is scored now */
		ev = (fc_event){.kind = FC_EV_NO_TASKS,
				.project = project_id,
				.user = user->id,
				.attempt = p.is_test ? attempt : 0};
		rc = fc_events_publish(db, &ev, err);
		goto out;
	}
	if (rc)
		goto out;
	int64_t expires = now + p.lease, aid;
	/* the counters move and the task comes back in one statement, before
	 * the assignment that references the task: on PostgreSQL the insert's
	 * foreign-key check then finds the row already locked by this
	 * transaction, where the other order stacks its key-share lock and the
	 * update into a multixact. OR FAIL: the counter trigger (0018) and
	 * RETURNING make SQLite keep a statement journal — a copy of every page
	 * the statement touches — only to undo a failed statement, and a failed
	 * one here fails the whole transaction anyway (PostgreSQL gets a plain
	 * UPDATE, store/pg_sql.c) */
	fc_stmt *st;
	json_t *data = NULL, *imported = NULL;
	int found = 0;
	if ((rc = fc_db_query(db, &st, err,
			      "UPDATE OR FAIL tasks SET leased_count=leased_count+1, "
			      "open=CASE WHEN leased_count+1+submitted_count<COALESCE(target_overlap,?) THEN 1 ELSE 0 END "
			      "WHERE id=? RETURNING data, predictions",
			      "II", p.overlap, task)))
		goto out;
	if (fc_stmt_next(st) == 1) {
		found = 1;
		data = fc_stmt_json(st, 0);
		imported = fc_stmt_isnull(st, 1) ? NULL : fc_stmt_json(st, 1);
	}
	fc_stmt_done(st);
	if ((rc = fc_db_int(db, &aid, err,
			    "INSERT INTO assignments(task_id,project_id,user_id,leased_at,expires_at,status,attempt) "
			    "VALUES(?,?,?,?,?,'leased',?) RETURNING id",
			    "IIIIII", task, project_id, user->id, now, expires, attempt))) {
		json_decref(data);
		json_decref(imported);
		goto out;
	}
	if (found) {
		char ts[32];
		*out = json_pack("{s:I,s:I,s:{s:I,s:o,s:o},s:s,s:I}", "id", (json_int_t)aid, "project_id",
				 (json_int_t)project_id, "task", "id", (json_int_t)task, "data", data, "predictions",
				 lease_predictions(db, &p, task, imported), "expires_at",
				 fc_clock_format(expires, ts, sizeof ts), "reward", (json_int_t)p.reward);
	}
	/* an interactive (SAM-style) backend: the annotator offers its Smart tool */
	if (*out && p.ml_interactive)
		json_object_set_new(*out, "ml_interactive", json_true());
out:
	proj_free(&p);
	return rc;
}

int fc_assign_lease(fc_store *s, const fc_user *user, int64_t project_id, json_t **out, const char **why, fc_err *err)
{
	lease_args a = {.user = user, .project_id = project_id};
	int rc = fc_store_tx(s, FC_DB_WRITE_ROWS, lease_tx, &a, err);
	if (rc) {
		json_decref(a.out);
		a.out = NULL;
	}
	*out = a.out;
	*why = rc ? NULL : a.why;
	return rc;
}

json_t *fc_submission_row_json(fc_stmt *st)
{
	char ts[32], tr[32];
	const char *status = fc_stmt_text(st, 7);
	json_t *j =
		json_pack("{s:I,s:I,s:I,s:I,s:I,s:o,s:f,s:s,s:o,s:o,s:I,s:s,s:o}", "id", (json_int_t)fc_stmt_int(st, 0),
			  "assignment_id", (json_int_t)fc_stmt_int(st, 1), "task_id", (json_int_t)fc_stmt_int(st, 2),
			  "project_id", (json_int_t)fc_stmt_int(st, 3), "user_id", (json_int_t)fc_stmt_int(st, 4),
			  "result", fc_stmt_json(st, 5), "active_seconds", fc_stmt_double(st, 6), "status", status,
			  "reason_code", fc_stmt_isnull(st, 8) ? json_null() : json_string(fc_stmt_text(st, 8)),
			  "reason", fc_stmt_isnull(st, 9) ? json_null() : json_string(fc_stmt_text(st, 9)), "reward",
			  (json_int_t)fc_stmt_int(st, 10), "created_at",
			  fc_clock_format(fc_stmt_int(st, 11), ts, sizeof ts), "reviewed_at",
			  fc_stmt_isnull(st, 12) ? json_null()
						 : json_string(fc_clock_format(fc_stmt_int(st, 12), tr, sizeof tr)));
	if (!fc_stmt_isnull(st, 13))
		json_object_set_new(j, "media_id", json_integer(fc_stmt_int(st, 13)));
	return j;
}

static int submission_json(fc_db *db, int64_t id, json_t **out, fc_err *err)
{
	int rc = fc_db_row_json(db, out, err, fc_submission_row_json, "submission",
				"SELECT " FC_SUBMISSION_COLUMNS " FROM submissions s WHERE s.id=?", "I", id);
	if (!rc)
		fc_collect_decorate(db, *out);
	return rc;
}

/* db and project let TimeSeries data behind a stored file's URL be read
 * for its span (tsdata.h); db may be NULL. */
static int validate_result(const char *xml, const json_t *result, const json_t *task_data, fc_db *db, int64_t project,
			   fc_err *err)
{
	const fc_labelconfig *lc = fc_configcache_get(xml, err);
	if (!lc)
		return err && err->code ? err->code : FC_EINVAL;
	fc_labelconfig_env env;
	fc_tsdata_ctx tctx;
	fc_tsdata_env(&env, &tctx, db, project);
	int rc = fc_labelconfig_validate_result_env(lc, result, task_data, db ? &env : NULL, err);
	fc_configcache_put(lc);
	return rc;
}

/* Sets *validated when the assignment is the user's live lease on an
 * annotation task and result passed the config; errors only for an invalid
 * result (every other refusal is decided under the write lock). */
static int prevalidate(fc_store *s, const fc_user *user, int64_t aid, const json_t *result, int *validated, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	if (!(rc = fc_db_query(db, &st, err,
			       "SELECT t.data, p.label_config, p.id FROM assignments a JOIN tasks t ON t.id=a.task_id "
			       "JOIN projects p ON p.id=a.project_id WHERE a.id=? AND a.user_id=? AND a.status='leased' "
			       "AND p.kind='annotation' AND p.label_config IS NOT NULL",
			       "II", aid, user->id))) {
		if (fc_stmt_next(st) == 1) {
			json_t *data = fc_stmt_json(st, 0);
			rc = validate_result(fc_stmt_text(st, 1), result, data, db, fc_stmt_int(st, 2), err);
			json_decref(data);
			*validated = rc == 0;
		}
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	return rc;
}

typedef struct {
	const fc_user *user;
	int64_t aid;
	const json_t *body, *result;
	const char *idem_key;
	int validated, replayed;
	json_t *out;
	/* a new annotation submission: what its answer is made of, built
	 * after the write transaction (nothing in it needs the lock) */
	int64_t sid, task, project, reward, at;
	double secs;
} submit_args;

/* One submit, in a transaction of fc_store_tx (FC_DB_WRITE_ROWS): the
 * assignment is the contributor's, guarded by their lock (releases and
 * expiries are FC_DB_WRITE, which never run beside it); the task's counters
 * and agreement follow its row lock, taken by the first UPDATE of it; the
 * ledger and the outbox only insert. */
static int submit_tx(fc_db *db, void *arg, fc_err *err)
{
	submit_args *a = arg;
	const fc_user *user = a->user;
	int64_t aid = a->aid;
	const json_t *body = a->body, *result = a->result, *active = json_object_get(body, "active_seconds");
	const char *idem_key = a->idem_key;
	int validated = a->validated, *replayed = &a->replayed;
	json_t **out = &a->out;
	json_decref(*out); /* a previous try's */
	*out = NULL;
	*replayed = 0;
	a->sid = 0;
	int rc = fc_db_lock(db, FC_LOCK_USER, user->id, err);
	if (rc)
		return rc;
	proj p = {0};
	json_t *task_data = NULL, *collect_result = NULL;
	int64_t media_id = 0;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT a.task_id,a.project_id,a.user_id,a.leased_at,a.expires_at,a.status,t.data,"
			      "(SELECT id FROM submissions WHERE assignment_id=a.id),"
			      "(SELECT idempotency_key FROM submissions WHERE assignment_id=a.id),"
			      "(SELECT COUNT(*) FROM project_members WHERE project_id=a.project_id AND user_id=a.user_id "
			      "AND role='owner') "
			      "FROM assignments a JOIN tasks t ON t.id=a.task_id WHERE a.id=?",
			      "I", aid)))
		goto out;
	if (fc_stmt_next(st) != 1 || fc_stmt_int(st, 2) != user->id) {
		fc_stmt_done(st);
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such assignment.");
		goto out;
	}
	int64_t task = fc_stmt_int(st, 0), project = fc_stmt_int(st, 1), leased_at = fc_stmt_int(st, 3),
		expires = fc_stmt_int(st, 4);
	char status[16], prev_key[256] = {0};
	snprintf(status, sizeof status, "%s", fc_stmt_text(st, 5));
	task_data = fc_stmt_json(st, 6);
	int64_t prev_sub = fc_stmt_isnull(st, 7) ? 0 : fc_stmt_int(st, 7);
	if (!fc_stmt_isnull(st, 8))
		snprintf(prev_key, sizeof prev_key, "%s", fc_stmt_text(st, 8));
	int64_t own = fc_stmt_int(st, 9);
	fc_stmt_done(st);
	int64_t now = fc_clock_now();
	if (!strcmp(status, "submitted")) {
		if (idem_key && prev_key[0] && !strcmp(idem_key, prev_key)) {
			*replayed = 1;
			rc = submission_json(db, prev_sub, out, err);
		} else {
			rc = fc_err_set(err, FC_ECONFLICT, "already_submitted", NULL,
					"This assignment was already submitted.");
		}
		goto out;
	}
	if (strcmp(status, "leased") || now >= expires) {
		rc = fc_err_set(err, FC_ECONFLICT, !strcmp(status, "released") ? "released" : "lease_expired", NULL,
				!strcmp(status, "released") ? "You released this task; it can no longer be submitted."
							    : "The lease on this task has expired; take a new task.");
		goto out;
	}
	if ((rc = load_proj(db, user, project, &p, err)))
		goto out;
	if (!strcmp(p.kind, "annotation")) {
		if (!result) {
			rc = fc_err_set(err, FC_EINVAL, "missing_field", "result", "Field 'result' is required.");
			goto out;
		}
		if (json_object_get(body, "media_id")) {
			rc = fc_err_set(err, FC_EINVAL, "unknown_field", "media_id",
					"Annotation projects take no media_id.");
			goto out;
		}
		if (!validated && (rc = validate_result(p.label_config, result, task_data, db, project, err)))
			goto out;
	} else { /* collection: the result references the uploaded file */
		if ((rc = fc_collect_submit_result(db, aid, project, body, &collect_result, &media_id, err)))
			goto out;
		result = collect_result;
	}
	/* an owner's own work in their project is never paid (nor, below in
	 * jobs.c, auto-approved): they would pay themselves from the escrow
	 * that was funded for the crowd */
	if (own || p.owner == user->id)
		p.reward = 0;
	/* measured time can't exceed the time the task was held */
	double elapsed = (double)(now - leased_at);
	double secs = active ? json_number_value(active) : elapsed;
	if (secs > elapsed + 1)
		secs = elapsed + 1;
	/* the rows the submission references are updated first: on PostgreSQL
	 * the insert's foreign-key checks then find them locked by this
	 * transaction already, where the other order stacks a key-share lock
	 * and an update on each into a multixact; OR FAIL as in the lease */
	int64_t sid;
	if ((rc = fc_db_exec(db, err, "UPDATE assignments SET status='submitted' WHERE id=?", "I", aid)) ||
	    (rc = fc_db_exec(db, err,
			     "UPDATE OR FAIL tasks SET leased_count=leased_count-1, submitted_count=submitted_count+1, "
			     "open=CASE WHEN leased_count+submitted_count<COALESCE(target_overlap,?) THEN 1 ELSE 0 END WHERE id=?",
			     "II", p.overlap, task)) ||
	    (rc = fc_db_int(db, &sid, err,
			    "INSERT INTO submissions(assignment_id,task_id,project_id,user_id,result,active_seconds,"
			    "status,idempotency_key,reward,created_at) VALUES(?,?,?,?,?,?,'pending',?,?,?) RETURNING id",
			    "IIIIjdtII", aid, task, project, user->id, (json_t *)result, secs, idem_key, p.reward, now)))
		goto out;
	if ((rc = fc_review_sample(db, sid, p.review_rate, err)))
		goto out;
	fc_event ev = {.kind = FC_EV_SUBMITTED,
		       .project = project,
		       .task = task,
		       .submission = sid,
		       .user = user->id,
		       .amount = p.reward,
		       .currency = p.currency,
		       .json = result};
	if ((rc = fc_events_publish(db, &ev, err)))
		goto out; /* escrow → pending, gold scoring, the outbox */
	if (media_id && (rc = fc_collect_after_submit(db, sid, media_id, project, user->id, err)))
		goto out;
	if (strcmp(p.kind, "annotation")) { /* a collection's answer carries its file, votes, validity */
		rc = submission_json(db, sid, out, err);
		goto out;
	}
	*a = (submit_args){.user = a->user,
			   .aid = aid,
			   .body = a->body,
			   .result = a->result,
			   .idem_key = idem_key,
			   .validated = validated,
			   .sid = sid,
			   .task = task,
			   .project = project,
			   .reward = p.reward,
			   .at = now,
			   .secs = secs};
out:
	json_decref(collect_result);
	json_decref(task_data);
	proj_free(&p);
	return rc;
}


int fc_assign_submit(fc_store *s, const fc_user *user, int64_t aid, const json_t *body, const char *idem_key,
		     json_t **out, int *replayed, fc_err *err)
{
	static const fc_field FIELDS[] = {{"result", FC_J_ARRAY},
					  {"active_seconds", FC_J_NUMBER},
					  {"media_id", FC_J_INT},
					  {0}};
	*replayed = 0;
	int rc = fc_json_check(body, FIELDS, err);
	if (rc)
		return rc;
	const json_t *active = json_object_get(body, "active_seconds");
	if (active && !(json_number_value(active) >= 0 && json_number_value(active) < 1e7))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "active_seconds", "active_seconds must be 0 or more.");
	/* With one writer at a time (SQLite), validate an annotation result
	 * against the config in a read transaction first: it is the costliest
	 * step and needs no lock. The config cannot change afterwards (only
	 * drafts change their config, and a project with assignments never
	 * returns to draft). Where submits run side by side (PostgreSQL) that
	 * transaction would only be a round trip more: submit_tx validates. */
	submit_args a = {.user = user, .aid = aid, .body = body, .idem_key = idem_key};
	a.result = json_object_get(body, "result");
	if (a.result && fc_store_serial_writes(s) && (rc = prevalidate(s, user, aid, a.result, &a.validated, err)))
		return rc;
	rc = fc_store_tx(s, FC_DB_WRITE_ROWS, submit_tx, &a, err);
	if (rc) {
		json_decref(a.out);
		a.out = NULL;
	} else if (!a.out && a.sid) { /* as fc_submission_row_json would read it back */
		char ts[32];
		a.out = json_pack("{s:I,s:I,s:I,s:I,s:I,s:O,s:f,s:s,s:n,s:n,s:I,s:s,s:n}", "id", (json_int_t)a.sid,
				  "assignment_id", (json_int_t)aid, "task_id", (json_int_t)a.task, "project_id",
				  (json_int_t)a.project, "user_id", (json_int_t)user->id, "result", (json_t *)a.result,
				  "active_seconds", a.secs, "status", "pending", "reason_code", "reason", "reward",
				  (json_int_t)a.reward, "created_at", fc_clock_format(a.at, ts, sizeof ts),
				  "reviewed_at");
		if (!a.out)
			rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	}
	*out = a.out;
	*replayed = !rc && a.replayed;
	return rc;
}

int fc_assign_release(fc_store *s, const fc_user *user, int64_t aid, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT a.user_id, a.status, a.task_id, p.overlap FROM assignments a JOIN projects p "
			      "ON p.id=a.project_id WHERE a.id=?",
			      "I", aid)))
		goto out;
	if (fc_stmt_next(st) != 1 || fc_stmt_int(st, 0) != user->id) {
		fc_stmt_done(st);
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such assignment.");
		goto out;
	}
	int leased = !strcmp(fc_stmt_text(st, 1), "leased");
	int64_t task = fc_stmt_int(st, 2), overlap = fc_stmt_int(st, 3);
	fc_stmt_done(st);
	if (!leased) {
		rc = fc_err_set(err, FC_ECONFLICT, "not_leased", NULL, "This assignment is no longer held.");
		goto out;
	}
	if (!(rc = fc_db_exec(db, err, "UPDATE assignments SET status='released' WHERE id=?", "I", aid)))
		rc = fc_db_exec(
			db, err,
			"UPDATE tasks SET leased_count=leased_count-1, "
			"open=CASE WHEN leased_count-1+submitted_count<COALESCE(target_overlap,?) THEN 1 ELSE 0 END WHERE id=?",
			"II", overlap, task);
out:
	return fc_db_end(db, &rc, err);
}

int fc_assign_my_submissions(fc_store *s, const fc_user *user, int limit, int64_t after, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT " FC_SUBMISSION_COLUMNS ", p.title, p.currency, "
			      "(SELECT correct FROM gold_scores g WHERE g.submission_id=s.id), "
			      "(SELECT status FROM appeals ap WHERE ap.submission_id=s.id) FROM submissions s JOIN projects p "
			      "ON p.id=s.project_id WHERE s.user_id=? AND (?=0 OR s.id<?) ORDER BY s.id DESC LIMIT ?",
			      "IIIi", user->id, after, after, limit + 1)))
		goto out;
	json_t *items = json_array();
	int64_t last = 0;
	int more = 0;
	while (fc_stmt_next(st) == 1) {
		if ((int)json_array_size(items) == limit) {
			more = 1;
			break;
		}
		json_t *j = fc_submission_row_json(st);
		json_object_set_new(j, "project_title", json_string(fc_stmt_text(st, 14)));
		json_object_set_new(j, "currency", json_string(fc_stmt_text(st, 15)));
		if (!fc_stmt_isnull(st, 16)) /* a gold task, scored after submission */
			json_object_set_new(j, "gold_correct", json_boolean(fc_stmt_int(st, 16)));
		json_object_set_new(j, "appeal_status",
				    fc_stmt_isnull(st, 17) ? json_null() : json_string(fc_stmt_text(st, 17)));
		fc_collect_decorate(db, j);
		last = fc_stmt_int(st, 0);
		json_array_append_new(items, j);
	}
	fc_stmt_done(st);
	char cur[32];
	snprintf(cur, sizeof cur, "%lld", (long long)last);
	*out = json_pack("{s:o,s:o}", "items", items, "next", more ? json_string(cur) : json_null());
out:
	fc_db_rollback(db);
	return rc;
}

typedef struct expired_lease {
	int64_t id, task;
} expired_lease;

static int by_task(const void *a, const void *b)
{
	const expired_lease *x = a, *y = b;
	return (x->task > y->task) - (x->task < y->task);
}

/* Ends the leases l[0..k) (sorted by task): set-based, FC_IDS_MAX rows a
 * statement. A task with several of them (overlap > 1) drops them all at
 * once; it is open again while its live leases and submissions are below
 * its overlap. */
static int expire_batch(fc_db *db, expired_lease *l, int k, fc_err *err)
{
	int64_t ids[FC_IDS_MAX], one[FC_IDS_MAX];
	size_t n = 0, m = 0;
	int rc = 0;
	for (int i = 0; !rc && i < k; i++) {
		ids[n++] = l[i].id;
		if (n == FC_IDS_MAX || i == k - 1) {
			rc = fc_db_exec_ids(db, err, "UPDATE assignments SET status='expired' WHERE id IN (" FC_IDS_Q ")",
					    NULL, 0, ids, n);
			n = 0;
		}
	}
#define OPEN_AGAIN(minus) \
	"UPDATE tasks SET leased_count=leased_count-" minus ", open=CASE WHEN leased_count-" minus \
	"+submitted_count<COALESCE(target_overlap,(SELECT p.overlap FROM projects p WHERE p.id=tasks.project_id)) " \
	"THEN 1 ELSE 0 END WHERE id"
	for (int i = 0; !rc && i < k;) {
		int j = i;
		while (j < k && l[j].task == l[i].task)
			j++;
		if (j - i > 1)
			rc = fc_db_exec(db, err, OPEN_AGAIN("?") "=?", "iiI", j - i, j - i, l[i].task);
		else
			one[m++] = l[i].task;
		if (!rc && m && (m == FC_IDS_MAX || j == k)) {
			rc = fc_db_exec_ids(db, err, OPEN_AGAIN("1") " IN (" FC_IDS_Q ")", NULL, 0, one, m);
			m = 0;
		}
		i = j;
	}
#undef OPEN_AGAIN
	return rc;
}

int fc_assign_expire_leases(fc_store *s, int64_t now, int64_t *n, fc_err *err)
{
	*n = 0;
	for (;;) {
		fc_db *db;
		int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
		if (rc)
			return rc;
		fc_stmt *st;
		expired_lease l[512];
		int k = 0;
		/* through assignments_expiry: only leased rows, the due ones first */
		rc = fc_db_query(db, &st, err,
				 "SELECT id, task_id FROM assignments WHERE status='leased' AND expires_at<=? "
				 "ORDER BY expires_at LIMIT 512",
				 "I", now);
		if (!rc) {
			while (k < 512 && fc_stmt_next(st) == 1) {
				l[k].id = fc_stmt_int(st, 0);
				l[k].task = fc_stmt_int(st, 1);
				k++;
			}
			fc_stmt_done(st);
		}
		qsort(l, (size_t)k, sizeof l[0], by_task);
		if (!rc && k)
			rc = expire_batch(db, l, k, err);
		if (fc_db_end(db, &rc, err))
			return rc;
		*n += k;
		if (k < 512)
			return 0;
	}
}
