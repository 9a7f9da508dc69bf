/* ML assistance: a project's backend, predictions run from the outbox. See
 * ml.h for the design and the slot for built-in models. */
#include "ml/ml.h"
#include "access/access.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "events/events.h"
#include "events/outbox.h"
#include "http/outbound.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SINK "ml"
#define RUN_SECONDS 5 /* a run starts no batch after this, then queues its own continuation */
#define MAX_BUILTINS 8

static const char OWNER_ONLY[] = "Only the project's owner manages its ML backend.";

/* ---- built-in models ---- */

static struct {
	const char *name;
	const fc_ml_ops *ops;
} builtins[MAX_BUILTINS];
static int n_builtins;

void fc_ml_register_builtin(const char *name, const fc_ml_ops *ops)
{
	if (n_builtins >= MAX_BUILTINS) { /* a wiring error: the model would be missing */
		fprintf(stderr, "faircrowd: cannot register built-in model '%s' (table full)\n", name);
		abort();
	}
	builtins[n_builtins].name = name;
	builtins[n_builtins].ops = ops;
	n_builtins++;
}

static const fc_ml_ops *ops_of(const char *kind, const char *model)
{
	if (!strcmp(kind, "http"))
		return &fc_ml_http_ops;
	for (int i = 0; model && i < n_builtins; i++)
		if (!strcmp(builtins[i].name, model))
			return builtins[i].ops;
	return NULL;
}

void fc_ml_prediction_clear(fc_ml_prediction *p)
{
	json_decref(p->result);
	memset(p, 0, sizeof *p);
}

static long timeout_ms(void)
{
	const char *v = getenv("FAIRCROWD_ML_TIMEOUT_MS");
	long ms = v ? strtol(v, NULL, 10) : 0;
	return ms > 0 && ms <= 600000 ? ms : 30000;
}

/* ---- the backend row ---- */

/* A project's backend as read from the database (strings owned). */
typedef struct row {
	char kind[16];
	char *url, *model, *label_config, *model_version;
	int interactive;
	int64_t sent_upto;
} row;

static void row_free(row *r)
{
	free(r->url);
	free(r->model);
	free(r->label_config);
	free(r->model_version);
	memset(r, 0, sizeof *r);
}

static char *dup_or_null(fc_stmt *st, int col)
{
	return fc_stmt_isnull(st, col) ? NULL : strdup(fc_stmt_text(st, col));
}

/* FC_ENOTFOUND (err untouched) when the project has no backend. */
static int load_row(fc_db *db, int64_t project, row *r, fc_err *err)
{
	memset(r, 0, sizeof *r);
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT m.kind, m.url, m.model, m.interactive, m.sent_upto, p.label_config, m.model_version "
			     "FROM ml_backends m JOIN projects p ON p.id=m.project_id WHERE m.project_id=?",
			     "I", project);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1) {
		snprintf(r->kind, sizeof r->kind, "%s", fc_stmt_text(st, 0));
		r->url = dup_or_null(st, 1);
		r->model = dup_or_null(st, 2);
		r->interactive = (int)fc_stmt_int(st, 3);
		r->sent_upto = fc_stmt_int(st, 4);
		r->label_config = dup_or_null(st, 5);
		r->model_version = dup_or_null(st, 6);
	} else {
		rc = FC_ENOTFOUND;
	}
	fc_stmt_done(st);
	return rc;
}

static fc_ml_backend backend_of(const row *r, int64_t project)
{
	return (fc_ml_backend){.project = project,
			       .kind = r->kind,
			       .url = r->url,
			       .model = r->model,
			       .label_config = r->label_config,
			       .interactive = r->interactive,
			       .timeout_ms = timeout_ms()};
}

/* Records a failure for the project page (and the log); never fails. */
static void record_error(fc_store *s, int64_t project, const char *error)
{
	fc_log(FC_LOG_WARN, "ml: project %lld: %s", (long long)project, error);
	fc_store_write(s, NULL, NULL, "UPDATE ml_backends SET last_error=?, last_error_at=? WHERE project_id=?", "tII",
		       error, fc_clock_now(), project);
}

/* ---- queueing ---- */

int fc_ml_enqueue(fc_db *db, int64_t project, int from_start, fc_err *err)
{
	int64_t have;
	int rc = fc_db_int(db, &have, NULL, "SELECT 1 FROM ml_backends WHERE project_id=?", "I", project);
	if (rc == FC_ENOTFOUND)
		return 0;
	if (rc)
		return fc_err_set(err, rc, "database_error", NULL, "Reading the ML backend failed.");
	if (from_start &&
	    (rc = fc_db_exec(db, err, "UPDATE ml_backends SET sent_upto=0 WHERE project_id=?", "I", project)))
		return rc;
	/* one waiting run is enough: it reads the cursor when it starts. A run
	 * already under way (attempts > 0) may have looked already, so a new
	 * one is queued behind it. */
	int64_t waiting = 0;
	if (!fc_db_int(db, &waiting, NULL,
		       "SELECT COUNT(*) FROM outbox WHERE sink='" SINK "' AND target=? AND action='PREDICT' AND "
		       "delivered_at IS NULL AND failed_at IS NULL AND attempts=0",
		       "I", project) &&
	    waiting > 0)
		return 0;
	return fc_outbox_put(db, SINK, project, project, "PREDICT", "{}", err);
}

static int on_tasks_created(fc_db *db, fc_event *ev, fc_err *err) { return fc_ml_enqueue(db, ev->project, 0, err); }

/* An accepted submission: a training event for a model that learns
 * (ops->learn), in Label Studio's webhook shape. */
static const char LEARNS_TAG; /* memo: 1 = the project has no model that learns */

static int on_accepted(fc_db *db, fc_event *ev, fc_err *err)
{
	int fresh;
	fc_memo *m = fc_event_memo(ev, &LEARNS_TAG, ev->project, &fresh);
	if (m && !fresh && m->n == 1)
		return 0; /* a publish batch asks once */
	row r;
	int rc = load_row(db, ev->project, &r, err);
	const fc_ml_ops *ops = rc ? NULL : ops_of(r.kind, r.model);
	json_t *body = NULL;
	fc_stmt *st;
	if (m && (rc == FC_ENOTFOUND || (!rc && (!ops || !ops->learn))))
		m->n = 1;
	if (!ops || !ops->learn ||
	    fc_db_query(db, &st, NULL,
			"SELECT t.id, t.data, s.id, s.result FROM submissions s JOIN tasks t ON t.id=s.task_id WHERE s.id=?",
			"I", ev->submission))
		goto out;
	if (fc_stmt_next(st) == 1)
		body = json_pack("{s:s,s:{s:I,s:s},s:{s:I,s:o},s:{s:I,s:o}}", "action", "ANNOTATION_CREATED", "project",
				 "id", (json_int_t)ev->project, "label_config", r.label_config ? r.label_config : "",
				 "task", "id", (json_int_t)fc_stmt_int(st, 0), "data", fc_stmt_json(st, 1),
				 "annotation", "id", (json_int_t)fc_stmt_int(st, 2), "result", fc_stmt_json(st, 3));
	fc_stmt_done(st);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	if (text)
		rc = fc_outbox_put(db, SINK, ev->project, ev->project, "ANNOTATION_CREATED", text, err);
	free(text);
out:
	json_decref(body);
	row_free(&r);
	return rc == FC_ENOTFOUND ? 0 : rc;
}

/* ---- a predict run (the outbox deliverer of sink "ml") ---- */

typedef struct batch {
	fc_ml_task tasks[FC_ML_BATCH];
	json_t *data[FC_ML_BATCH];
	fc_ml_prediction out[FC_ML_BATCH];
	size_t n;
} batch;

static void batch_free(batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		json_decref(b->data[i]);
		fc_ml_prediction_clear(&b->out[i]);
	}
	b->n = 0;
}

/* Reads the backend and the next batch of tasks after its cursor. */
static int next_batch(fc_store *s, int64_t project, row *r, batch *b, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	if (!(rc = load_row(db, project, r, err)) &&
	    !(rc = fc_db_query(db, &st, err,
			       "SELECT id, data FROM tasks WHERE project_id=? AND id>? ORDER BY id LIMIT " /* tasks_project */
			       "32",
			       "II", project, r->sent_upto))) {
		while (b->n < FC_ML_BATCH && fc_stmt_next(st) == 1) {
			b->tasks[b->n].id = fc_stmt_int(st, 0);
			b->data[b->n] = fc_stmt_json(st, 1);
			b->tasks[b->n].data = b->data[b->n];
			b->n++;
		}
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	return rc;
}

/* Every prediction must fit the project's config, as an answer must. */
static int check_batch(const row *r, const batch *b, char *error, size_t error_len)
{
	for (size_t i = 0; i < b->n; i++) {
		if (!b->out[i].result)
			continue;
		fc_err e = {0};
		fc_event ev = {.kind = FC_EV_RESULT_CHECK,
			       .json = b->out[i].result,
			       .text = r->label_config,
			       .data = b->tasks[i].data};
		if (fc_events_publish(NULL, &ev, &e)) {
			snprintf(error, error_len, "/predict: the result for task %lld does not fit the label config: %s",
				 (long long)b->tasks[i].id, e.msg);
			fc_err_clear(&e);
			return -1;
		}
	}
	return 0;
}

/* Stores a checked batch and moves the cursor past it, in one transaction. */
static int store_batch(fc_store *s, int64_t project, const row *r, const batch *b, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	int64_t now = fc_clock_now(), stored = 0, have;
	const char *version = NULL;
	if (fc_db_int(db, &have, NULL, "SELECT 1 FROM ml_backends WHERE project_id=?", "I", project))
		goto out; /* detached meanwhile: keep nothing */
	for (size_t i = 0; !rc && i < b->n; i++) {
		const fc_ml_prediction *p = &b->out[i];
		if (!p->result)
			continue;
		const char *mv = p->model_version[0] ? p->model_version
				 : r->model_version  ? r->model_version
						     : "unknown";
		version = mv;
		rc = fc_db_exec(db, err,
				"INSERT INTO predictions(task_id,project_id,model_version,score,result,created_at) "
				"VALUES(?,?,?,CASE WHEN ?=1 THEN ? ELSE NULL END,?,?) ON CONFLICT(task_id,model_version) DO "
				"UPDATE SET score=excluded.score, result=excluded.result, created_at=excluded.created_at",
				"IItidjI", b->tasks[i].id, project, mv, p->has_score, p->score, p->result, now);
		if (!rc)
			rc = fc_db_exec(db, err,
					"UPDATE tasks SET ml_score=CASE WHEN ?=1 THEN ? ELSE NULL END WHERE id=?",
					"idI", p->has_score, p->score, b->tasks[i].id);
		stored++;
	}
	if (!rc)
		rc = fc_db_exec(db, err,
				"UPDATE ml_backends SET sent_upto=CASE WHEN sent_upto=? THEN ? ELSE sent_upto END, "
				"predicted=predicted+?, last_ok_at=?, last_error=NULL, last_error_at=NULL, "
				"model_version=COALESCE(?, model_version) WHERE project_id=?",
				"IIIItI", r->sent_upto, b->tasks[b->n - 1].id, stored, now, version, project);
out:
	return fc_db_end(db, &rc, err);
}

/* A training event for the project's model. */
static int deliver_learn(fc_store *s, const fc_outbox_item *it, char *error, size_t error_len)
{
	fc_db *db;
	fc_err err = {0};
	row r = {0};
	int rc = fc_db_begin(s, FC_DB_READ, &db, &err);
	if (!rc) {
		rc = load_row(db, it->target, &r, &err);
		fc_db_rollback(db);
	}
	if (rc == FC_ENOTFOUND && !err.code)
		return 0; /* detached: nobody to tell */
	const fc_ml_ops *ops = rc ? NULL : ops_of(r.kind, r.model);
	json_t *event = json_loads(it->payload, 0, NULL);
	fc_ml_backend be = backend_of(&r, it->target);
	if (rc)
		snprintf(error, error_len, "database: %s", err.msg);
	else if (ops && ops->learn && event && (rc = ops->learn(s, &be, event, error, error_len)))
		record_error(s, it->target, error);
	json_decref(event);
	row_free(&r);
	return rc ? -1 : 0;
}

static int deliver(fc_store *s, const fc_outbox_item *it, int *status, char *error, size_t error_len)
{
	*status = 0;
	int64_t project = it->target;
	if (strcmp(it->action, "PREDICT"))
		return deliver_learn(s, it, error, error_len);
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (t = t0; t.tv_sec - t0.tv_sec < RUN_SECONDS; clock_gettime(CLOCK_MONOTONIC, &t)) {
		row r;
		batch b = {0};
		fc_err err = {0};
		int rc = next_batch(s, project, &r, &b, &err);
		if (rc == FC_ENOTFOUND && !err.code)
			return 0; /* detached: nothing to do */
		if (rc) {
			snprintf(error, error_len, "database: %s", err.msg);
			row_free(&r);
			batch_free(&b);
			return -1;
		}
		if (!b.n) {
			row_free(&r);
			return 0; /* every task predicted */
		}
		const fc_ml_ops *ops = ops_of(r.kind, r.model);
		fc_ml_backend be = backend_of(&r, project);
		rc = -1;
		if (!ops || !ops->predict)
			snprintf(error, error_len, "no model named '%s' in this server", r.model ? r.model : r.kind);
		else if (!ops->predict(s, &be, b.tasks, b.n, b.out, error, error_len) &&
			 !check_batch(&r, &b, error, error_len)) {
			rc = store_batch(s, project, &r, &b, &err);
			if (rc)
				snprintf(error, error_len, "database: %s", err.msg);
		}
		if (rc) /* nothing of the batch is kept; the outbox retries with backoff */
			record_error(s, project, error);
		row_free(&r);
		batch_free(&b);
		if (rc)
			return -1;
	}
	/* more to do: a continuation, so other deliveries get their turn */
	fc_db *db;
	fc_err err = {0};
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, &err);
	if (!rc) {
		rc = fc_outbox_put(db, SINK, project, project, "PREDICT", "{}", &err);
		fc_db_end(db, &rc, &err);
	}
	if (rc)
		snprintf(error, error_len, "database: %s", err.msg);
	return rc ? -1 : 0;
}

/* ---- the API ---- */

static json_t *status_json(fc_stmt *st)
{
	const char *kind = fc_stmt_text(st, 0);
	json_t *j = json_pack("{s:b,s:s,s:b,s:o,s:I,s:o,s:o,s:o,s:o}", "attached", 1, "kind", kind, "interactive",
			      (int)fc_stmt_int(st, 3), "model_version",
			      fc_stmt_isnull(st, 4) ? json_null() : json_string(fc_stmt_text(st, 4)), "predicted",
			      (json_int_t)fc_stmt_int(st, 5), "created_at", fc_stmt_time(st, 6), "last_ok_at",
			      fc_stmt_time(st, 7), "last_error",
			      fc_stmt_isnull(st, 8) ? json_null() : json_string(fc_stmt_text(st, 8)), "last_error_at",
			      fc_stmt_time(st, 9));
	if (j && !strcmp(kind, "http"))
		json_object_set_new(j, "url", json_string(fc_stmt_text(st, 1)));
	else if (j)
		json_object_set_new(j, "builtin", json_string(fc_stmt_text(st, 2)));
	if (j)
		json_object_set_new(j, "pending", json_integer(fc_stmt_int(st, 10)));
	return j;
}

static int status_of(fc_db *db, int64_t project, json_t **out, fc_err *err)
{
	int rc = fc_db_row_json(db, out, err, status_json, "ML backend",
				"SELECT kind, url, model, interactive, model_version, predicted, created_at, last_ok_at, "
				"last_error, last_error_at, (SELECT COUNT(*) FROM tasks t WHERE t.project_id=m.project_id "
				"AND t.id>m.sent_upto) FROM ml_backends m WHERE project_id=?",
				"I", project);
	if (rc == FC_ENOTFOUND) {
		fc_err_clear(err);
		*out = json_pack("{s:b}", "attached", 0);
		rc = 0;
	}
	return rc;
}

static int check_url(const char *url, fc_err *err)
{
	const char *host = !strncasecmp(url, "https://", 8)  ? url + 8
			   : !strncasecmp(url, "http://", 7) ? url + 7
							     : NULL;
	if (!host || !*host || *host == '/' || strlen(url) > 2000)
		return fc_err_set(err, FC_EINVAL, "invalid_url", "url",
				  "url must be an http:// or https:// address of at most 2000 characters.");
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '?' || *p == '#')
			return fc_err_set(err, FC_EINVAL, "invalid_url", "url",
					  "url must be a base address without spaces, query or fragment.");
	char why[200];
	if (fc_outbound_url_refusal(url, why, sizeof why))
		return fc_err_set(err, FC_ERULE, "address_refused", "url", "url is refused: %s.", why);
	return 0;
}

/* The project's label config, for its owner; 404 for anyone else. */
static int owned_config(fc_store *s, const fc_user *user, int64_t project, char **config, fc_err *err)
{
	*config = NULL;
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	if (!(rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, OWNER_ONLY, err)) &&
	    !(rc = fc_db_query(db, &st, err, "SELECT kind, label_config FROM projects WHERE id=?", "I", project))) {
		if (fc_stmt_next(st) == 1 && !strcmp(fc_stmt_text(st, 0), "annotation") && !fc_stmt_isnull(st, 1))
			*config = strdup(fc_stmt_text(st, 1));
		else
			rc = fc_err_set(err, FC_ECONFLICT, "not_annotation", NULL,
					"ML backends suggest annotations; this project collects media.");
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	return rc;
}

int fc_ml_attach(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field F[] = {{"url", FC_J_STRING}, {"builtin", FC_J_STRING}, {"interactive", FC_J_BOOL}, {0}};
	char *config = NULL;
	int rc = owned_config(s, user, project, &config, err); /* 404 before anything about the body */
	if (rc || (rc = fc_json_check(body, F, err)))
		goto done;
	const char *url = fc_json_str(body, "url", NULL), *model = fc_json_str(body, "builtin", NULL);
	if (!url == !model) {
		rc = fc_err_set(err, FC_EINVAL, "missing_field", url ? "builtin" : "url",
				"Give either url (a Label Studio ML backend) or builtin (a model name), not both.");
		goto done;
	}
	char base[2048] = "";
	if (url) {
		if ((rc = check_url(url, err)))
			goto done;
		snprintf(base, sizeof base, "%s", url);
		for (size_t n = strlen(base); n > 0 && base[n - 1] == '/'; n--)
			base[n - 1] = 0; /* paths are appended: /health, /predict */
	}
	int interactive = json_is_true(json_object_get(body, "interactive"));
	const fc_ml_ops *ops = ops_of(url ? "http" : "builtin", model);
	if (!ops) {
		rc = fc_err_set(err, FC_EINVAL, "invalid_value", "builtin", "There is no built-in model named '%s'.",
				model);
		goto done;
	}
	if (interactive && !ops->interact) {
		rc = fc_err_set(err, FC_EINVAL, "invalid_value", "interactive", "The model '%s' is not interactive.",
				model);
		goto done;
	}
	fc_ml_backend be = {.project = project,
			    .kind = url ? "http" : "builtin",
			    .url = base,
			    .model = model,
			    .label_config = config,
			    .interactive = interactive,
			    .timeout_ms = timeout_ms()};
	char why[300] = "";
	if (ops->check && ops->check(s, &be, why, sizeof why)) { /* outside any transaction */
		rc = fc_err_set(err, FC_ERULE, "ml_backend_unavailable", url ? "url" : "builtin",
				"The ML backend did not answer as Label Studio's protocol says: %s", why);
		goto done;
	}
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		goto done;
	int64_t now = fc_clock_now();
	if (!(rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, OWNER_ONLY, err)) &&
	    !(rc = fc_db_exec(db, err,
			      "INSERT INTO ml_backends(project_id,kind,url,model,interactive,created_by,created_at,"
			      "last_ok_at) VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(project_id) DO UPDATE SET kind=excluded.kind, "
			      "url=excluded.url, model=excluded.model, interactive=excluded.interactive, "
			      "created_by=excluded.created_by, created_at=excluded.created_at, "
			      "last_ok_at=excluded.last_ok_at, last_error=NULL, last_error_at=NULL, model_version=NULL, "
			      "predicted=0, sent_upto=0",
			      "ItttiIII", project, be.kind, url ? base : NULL, model, interactive, user->id, now, now)) &&
	    !(rc = fc_ml_enqueue(db, project, 1, err)))
		rc = status_of(db, project, out, err);
	fc_db_end(db, &rc, err);
done:
	free(config);
	return rc;
}

int fc_ml_status(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	if (!(rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, OWNER_ONLY, err)))
		rc = status_of(db, project, out, err);
	fc_db_rollback(db);
	return rc;
}

int fc_ml_detach(fc_store *s, const fc_user *user, int64_t project, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	if (!(rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, OWNER_ONLY, err)) &&
	    !(rc = fc_db_exec(db, err, "DELETE FROM ml_backends WHERE project_id=?", "I", project)) &&
	    fc_db_changes(db) == 0)
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "This project has no ML backend.");
	return fc_db_end(db, &rc, err);
}

int fc_ml_repredict(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	int64_t have;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, OWNER_ONLY, err)))
		goto out;
	if (fc_db_int(db, &have, NULL, "SELECT 1 FROM ml_backends WHERE project_id=?", "I", project)) {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "This project has no ML backend.");
		goto out;
	}
	if (!(rc = fc_ml_enqueue(db, project, 1, err)))
		rc = status_of(db, project, out, err);
out:
	return fc_db_end(db, &rc, err);
}

int fc_ml_interact(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field F[] = {{"task_id", FC_J_INT | FC_J_REQUIRED}, {"context", FC_J_OBJECT | FC_J_REQUIRED}, {0}};
	int64_t task = fc_json_int(body, "task_id", 0);
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	row r = {0};
	json_t *data = NULL;
	int access = 0;
	int64_t held = 0;
	fc_stmt *st;
	/* an invisible project is 404 before anything about the body */
	if ((rc = fc_project_access(db, user, project, &access, err)) || (rc = fc_json_check(body, F, err)))
		goto read_done;
	/* the owner, or whoever holds a live lease on the task */
	if (access < FC_ACCESS_OWNER &&
	    fc_db_int(db, &held, NULL,
		      "SELECT 1 FROM assignments WHERE task_id=? AND project_id=? AND user_id=? AND status='leased'",
		      "III", task, project, user->id)) {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such task among the tasks you hold.");
		goto read_done;
	}
	if ((rc = load_row(db, project, &r, err)) == FC_ENOTFOUND || (!rc && !r.interactive)) {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "This project has no interactive ML backend.");
		goto read_done;
	}
	if (!rc && !(rc = fc_db_query(db, &st, err, "SELECT data FROM tasks WHERE id=? AND project_id=?", "II", task,
				      project))) {
		if (fc_stmt_next(st) == 1)
			data = fc_stmt_json(st, 0);
		else
			rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such task.");
		fc_stmt_done(st);
	}
read_done:
	fc_db_rollback(db);
	if (rc)
		goto out;
	const fc_ml_ops *ops = ops_of(r.kind, r.model);
	fc_ml_backend be = backend_of(&r, project);
	fc_ml_task t = {.id = task, .data = data};
	fc_ml_prediction p = {0};
	char why[300] = "";
	batch one = {0}; /* for check_batch: it reads tasks and out */
	if (!ops || !ops->interact || ops->interact(s, &be, &t, json_object_get(body, "context"), &p, why, sizeof why)) {
		record_error(s, project, why[0] ? why : "the model is not interactive");
		rc = fc_err_set(err, FC_ERULE, "ml_backend_unavailable", NULL, "The ML backend failed: %s", why);
		goto out;
	}
	one.tasks[0] = t;
	one.out[0] = p;
	one.n = 1;
	if (check_batch(&r, &one, why, sizeof why)) {
		record_error(s, project, why);
		rc = fc_err_set(err, FC_ERULE, "ml_backend_unavailable", NULL, "The ML backend failed: %s", why);
	} else {
		*out = json_pack("{s:o,s:o,s:s}", "result", p.result ? json_incref(p.result) : json_array(), "score",
				 p.has_score ? json_real(p.score) : json_null(), "model_version", p.model_version);
	}
	fc_ml_prediction_clear(&p);
out:
	json_decref(data);
	row_free(&r);
	return rc;
}

void fc_ml_subscribe(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT); /* reference-counted by libcurl; before any thread */
	fc_events_on(FC_EV_TASKS_CREATED, "ml: predictions queued", on_tasks_created);
	fc_events_on(FC_EV_ACCEPTED, "ml: training event queued", on_accepted);
	fc_outbox_sink_slow(SINK, deliver); /* model runs: the media worker (events/outbox.h) */
}
