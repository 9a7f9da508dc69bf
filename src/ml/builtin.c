/* The built-in models in ml.h's slot: see builtin.h. */
#include "ml/builtin.h"
#include "events/events.h"
#include "ml/choices.h"
#include "ml/fetch.h"
#include "ml/imgclf.h"
#include "ml/ml.h"
#include "ml/textclf.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A project's slot. Two locks, so that an accepted label (counted inside
 * the accepting transaction) never waits for a model being trained, and one
 * project's training never holds up another's predictions:
 * - `lock` guards the table: project, used, busy and the counters stale,
 *   labels and fresh; it is held only for a few instructions;
 * - the slot's own mutex (mus[i]) guards the model: model, cfg, trained,
 *   trained_on, text and img; it is held across training and prediction.
 * busy counts the threads between the two: a busy slot is never emptied. */
typedef struct entry {
	int64_t project; /* 0: free slot */
	int busy;
	int stale;      /* retrain before the next prediction */
	int labels;     /* accepted labels the model was trained on */
	int fresh;      /* accepted since */
	uint64_t used;  /* least recently used goes first */
	char model[32]; /* registered name */
	int trained;    /* a model exists (2 labels or more) */
	int trained_on; /* labels of that model (its version) */
	fc_ml_choices cfg;
	fc_textclf text;
	fc_imgclf img;
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry cache[FC_ML_CACHE];
static pthread_mutex_t mus[FC_ML_CACHE];
static pthread_once_t mus_once = PTHREAD_ONCE_INIT;
static uint64_t clock_;

static void mus_init(void)
{
	for (int i = 0; i < FC_ML_CACHE; i++)
		pthread_mutex_init(&mus[i], NULL);
}

static int is_image(const entry *e) { return !strcmp(e->model, "image-classifier"); }

static void drop_model(entry *e)
{
	if (e->trained)
		is_image(e) ? fc_imgclf_free(&e->img) : fc_textclf_free(&e->text);
	e->trained = 0;
}

/* The project's slot, or a new one (the least recently used idle one,
 * emptied); NULL when there is none and create is 0, or every slot is busy.
 * Called with lock held. */
static entry *slot(int64_t project, int create)
{
	entry *old = NULL;
	for (int i = 0; i < FC_ML_CACHE; i++) {
		if (cache[i].project == project) {
			cache[i].used = ++clock_;
			return &cache[i];
		}
		if (!cache[i].busy && (!old || cache[i].used < old->used))
			old = &cache[i];
	}
	if (!create || !old)
		return NULL;
	drop_model(old);
	memset(old, 0, sizeof *old);
	old->project = project;
	old->stale = 1;
	old->used = ++clock_;
	return old;
}

/* ---- training data ---- */

typedef struct rows {
	size_t n;
	int *labels;
	char **values; /* the task's text, or its image's URL */
} rows;

static void rows_free(rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->values[i]);
	free(r->values);
	free(r->labels);
	memset(r, 0, sizeof *r);
}

static int rows_add(rows *r, size_t *cap, int label, const char *value)
{
	if (r->n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		int *l = realloc(r->labels, *cap * sizeof *l);
		char **v = l ? realloc(r->values, *cap * sizeof *v) : NULL;
		if (l)
			r->labels = l;
		if (!v)
			return -1;
		r->values = v;
	}
	if (!(r->values[r->n] = strdup(value)))
		return -1;
	r->labels[r->n++] = label;
	return 0;
}

/* The project's accepted choices with their task's field, newest first. */
static int load_rows(fc_store *s, int64_t project, const fc_ml_choices *c, int limit, rows *r, char *error,
		     size_t error_len)
{
	fc_db *db;
	fc_stmt *st;
	fc_err err = {0};
	size_t cap = 0;
	int rc = fc_db_begin(s, FC_DB_READ, &db, &err);
	if (!rc && (rc = fc_db_query(db, &st, &err,
				     "SELECT s.result, t.data FROM submissions s JOIN tasks t ON t.id=s.task_id "
				     "WHERE s.project_id=? AND s.status IN ('accepted','auto_accepted') "
				     "ORDER BY s.id DESC LIMIT ?",
				     "II", project, (int64_t)limit))) {
		fc_db_rollback(db);
	} else if (!rc) {
		while (!rc && fc_stmt_next(st) == 1) {
			json_t *res = fc_stmt_json(st, 0), *data = fc_stmt_json(st, 1);
			int label = fc_ml_choices_of_result(c, res);
			const char *v = json_string_value(json_object_get(data, c->field));
			if (label >= 0 && v && rows_add(r, &cap, label, v))
				rc = fc_err_set(&err, FC_ENOMEM, "internal", NULL, "Out of memory for the labels.");
			json_decref(res);
			json_decref(data);
		}
		fc_stmt_done(st);
		fc_db_rollback(db);
	}
	if (rc)
		snprintf(error, error_len, "Cannot read the accepted labels: %s", err.msg);
	fc_err_clear(&err);
	return rc ? -1 : 0;
}

/* ---- features ---- */

/* The image at url: http(s), data: or a file stored in the project (an
 * uploaded or imported image, read from the blob store). */
static int image_features(fc_store *s, int64_t project, const char *url, float *x, char *error, size_t error_len)
{
	uint8_t *b;
	size_t len;
	if (fc_ml_fetch_task(s, project, url, &b, &len, error, error_len))
		return -1;
	fc_err err = {0};
	int rc = fc_imgclf_features_mem(b, len, x, &err);
	free(b);
	if (rc && snprintf(error, error_len, "%s", err.msg) < 0) /* a cut message is fine */
		error[0] = '\0';
	fc_err_clear(&err);
	return rc ? -1 : 0;
}

/* ---- training ---- */

static int train_text(entry *e, const rows *r)
{
	fc_ml_opts o = FC_TEXTCLF_OPTS;
	if (fc_textclf_init(&e->text, e->cfg.k, FC_TEXTCLF_BITS, NULL))
		return -1;
	if (fc_textclf_train(&e->text, (const char *const *)r->values, r->labels, r->n, &o, NULL)) {
		fc_textclf_free(&e->text);
		return -1;
	}
	return 0;
}

/* Images that cannot be fetched or decoded are left out of training. */
static int train_image(fc_store *s, entry *e, const rows *r)
{
	float *x = malloc((r->n ? r->n : 1) * FC_IMGCLF_FEATS * sizeof *x);
	int *y = malloc((r->n ? r->n : 1) * sizeof *y);
	size_t m = 0;
	char why[256];
	for (size_t i = 0; x && y && i < r->n; i++)
		if (!image_features(s, e->project, r->values[i], x + m * FC_IMGCLF_FEATS, why, sizeof why))
			y[m++] = r->labels[i];
	fc_ml_opts o = FC_IMGCLF_OPTS;
	int rc = x && y ? fc_imgclf_init(&e->img, e->cfg.k, NULL) : -1;
	if (!rc && (rc = fc_imgclf_train(&e->img, x, y, m, &o, NULL)))
		fc_imgclf_free(&e->img);
	free(x);
	free(y);
	return rc ? -1 : 0;
}

/* Trains e's model (e's mutex held): 0 with *labels the labels read, or -1
 * with error. */
static int train(fc_store *s, entry *e, int *labels, char *error, size_t error_len)
{
	rows r = {0};
	drop_model(e);
	if (load_rows(s, e->project, &e->cfg, is_image(e) ? FC_ML_IMAGE_LABELS : FC_ML_TEXT_LABELS, &r, error, error_len))
		return -1;
	int rc = 0;
	if (r.n >= 2) {
		rc = is_image(e) ? train_image(s, e, &r) : train_text(e, &r);
		if (rc)
			snprintf(error, error_len, "The %s could not be trained (out of memory).", e->model);
	}
	e->trained = r.n >= 2 && !rc;
	e->trained_on = *labels = (int)r.n;
	rows_free(&r);
	return rc;
}

/* ---- the ops ---- */

static int parse(const fc_ml_backend *b, fc_ml_choices *c, char *error, size_t error_len)
{
	if (fc_ml_choices_parse(b->label_config, c, error, error_len))
		return -1;
	const char *want = !strcmp(b->model, "image-classifier") ? "Image" : "Text";
	if (strcmp(c->object, want)) {
		snprintf(error, error_len, "The %s needs Choices over %s; this config's Choices labels a %s.", b->model,
			 want, c->object[0] ? c->object : "tag of another kind");
		return -1;
	}
	return 0;
}

static int check(fc_store *s, const fc_ml_backend *b, char *error, size_t error_len)
{
	fc_ml_choices c;
	return parse(b, &c, error, error_len);
}

/* One task: its prediction, or none when its field is missing or its
 * image cannot be read. */
static void predict_one(fc_store *s, const entry *e, const fc_ml_task *t, fc_ml_prediction *out)
{
	double p[FC_ML_MAX_CLASSES];
	const char *v = json_string_value(json_object_get(t->data, e->cfg.field));
	float x[FC_IMGCLF_FEATS];
	char why[256];
	if (!v || (is_image(e) && image_features(s, e->project, v, x, why, sizeof why)))
		return;
	int best = is_image(e) ? fc_imgclf_predict(&e->img, x, p) : fc_textclf_predict(&e->text, v, p);
	out->result = fc_ml_choices_result(&e->cfg, best);
	out->score = p[best];
	out->has_score = 1;
	snprintf(out->model_version, sizeof out->model_version, "%s@%d", e->model, e->trained_on);
}

static int predict(fc_store *s, const fc_ml_backend *b, const fc_ml_task *tasks, size_t n, fc_ml_prediction *out,
		   char *error, size_t error_len)
{
	fc_ml_choices c;
	if (parse(b, &c, error, error_len))
		return -1;
	pthread_once(&mus_once, mus_init);
	pthread_mutex_lock(&lock);
	entry *e = slot(b->project, 1);
	int stale = e ? e->stale : 0;
	if (e) {
		e->busy++;
		e->stale = 0;
	}
	pthread_mutex_unlock(&lock);
	if (!e) {
		snprintf(error, error_len, "Every built-in model slot is busy training; the batch runs again later.");
		return -1;
	}
	pthread_mutex_t *mu = &mus[e - cache];
	pthread_mutex_lock(mu);
	if (strcmp(e->model, b->model) || memcmp(&e->cfg, &c, sizeof c)) { /* another model or config */
		stale = 1;
		snprintf(e->model, sizeof e->model, "%s", b->model);
		e->cfg = c;
	}
	int labels = 0, rc = stale ? train(s, e, &labels, error, error_len) : 0;
	for (size_t i = 0; !rc && e->trained && i < n; i++)
		predict_one(s, e, &tasks[i], &out[i]);
	pthread_mutex_unlock(mu);
	pthread_mutex_lock(&lock);
	if (stale && rc)
		e->stale = 1; /* try again next time */
	else if (stale)
		e->labels = labels;
	e->busy--;
	pthread_mutex_unlock(&lock);
	return rc;
}

static const fc_ml_ops TEXT = {.check = check, .predict = predict};
static const fc_ml_ops IMAGE = {.check = check, .predict = predict};

/* ---- retraining as labels arrive ---- */

static const char NONE_TAG; /* memo: 1 = the project has no built-in model */

static int on_accepted(fc_db *db, fc_event *ev, fc_err *err)
{
	pthread_mutex_lock(&lock);
	entry *e = slot(ev->project, 0);
	pthread_mutex_unlock(&lock);
	if (!e) {
		/* a publish batch asks once whether the project has a built-in model */
		int fresh;
		fc_memo *m = fc_event_memo(ev, &NONE_TAG, ev->project, &fresh);
		if (m && !fresh && m->n == 1)
			return 0;
		int64_t one;
		int rc = fc_db_int(db, &one, err, "SELECT 1 FROM ml_backends WHERE project_id=? AND kind='builtin'",
				   "I", ev->project);
		if (rc == FC_ENOTFOUND) {
			fc_err_clear(err);
			if (m)
				m->n = 1;
			return 0;
		}
		if (rc)
			return rc;
	}
	pthread_mutex_lock(&lock);
	e = slot(ev->project, 1);
	int due = e && ++e->fresh >= (e->labels / 10 > FC_ML_RETRAIN_MIN ? e->labels / 10 : FC_ML_RETRAIN_MIN);
	if (due) {
		e->stale = 1;
		e->fresh = 0;
	}
	pthread_mutex_unlock(&lock);
	return due ? fc_ml_enqueue(db, ev->project, 1, err) : 0;
}

void fc_ml_builtin_subscribe(void)
{
	fc_ml_register_builtin("text-classifier", &TEXT);
	fc_ml_register_builtin("image-classifier", &IMAGE);
	fc_events_on(FC_EV_ACCEPTED, "ml: retrain built-in models", on_accepted);
}
