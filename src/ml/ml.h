/* ml.h — ML assistance: a project's model makes suggestions (predictions)
 * that annotators start from, and scores that order the work.
 *
 * A project has at most one backend (table ml_backends). A backend is a
 * kind and a small table of operations (fc_ml_ops):
 *
 *   kind "http"     Label Studio's ML-backend protocol (http.c): GET /health,
 *                   POST /setup on attach, POST /predict in batches,
 *                   POST /webhook for training events. Timeouts, and the
 *                   outbox's retries with backoff.
 *   kind "builtin"  a model trained inside faircrowd, no server: named in
 *                   PUT /projects/{id}/ml {"builtin":"text-classifier"}.
 *
 * THE SLOT FOR BUILT-IN MODELS. A built-in model is an fc_ml_ops registered
 * under its name at start-up (fc_ml_register_builtin, from the wiring or
 * the model's own subscribe function, before the server starts):
 *
 *   static const fc_ml_ops TEXT = {.check = text_check, .predict = text_predict};
 *   fc_ml_register_builtin("text-classifier", &TEXT);
 *
 * check(): may the model serve this project (e.g. Choices over Text)? It
 * runs on attach; a refusal fills error and attach answers 422 with it.
 * predict(): fills out[i] for tasks[i] (n <= FC_ML_BATCH); it runs outside
 * any transaction (it may read through s). Results are checked against the
 * project's label config by the caller exactly like an HTTP backend's:
 * a result the config refuses fails the whole batch, stores nothing and
 * becomes the backend's last_error. A model that learns as labels arrive
 * subscribes to FC_EV_ACCEPTED itself and, when retrained, calls
 * fc_ml_enqueue(db, project, 1, err) inside that transaction to have every
 * task predicted again.
 *
 * Accepted submissions reach a model through ops->learn (kind "http":
 * POST {url}/webhook, Label Studio's training event), queued in the
 * outbox in the accepting transaction.
 *
 * Predictions are stored one per task and model_version (table
 * predictions), the task's latest score in tasks.ml_score (read by the
 * "uncertainty" order), and served in task.predictions of a lease; they are
 * never counted as answers. */
#ifndef FC_ML_ML_H
#define FC_ML_ML_H

#include "account/account.h"
#include "store/store.h"
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define FC_ML_BATCH 32 /* tasks per /predict call */

/* What a backend is told about the project it serves. */
typedef struct fc_ml_backend {
	int64_t project;
	const char *kind;         /* "http" or "builtin" */
	const char *url;          /* kind "http": the base URL, no trailing slash */
	const char *model;        /* kind "builtin": its registered name */
	const char *label_config; /* the project's config (XML) */
	int interactive;
	long timeout_ms; /* per request (FAIRCROWD_ML_TIMEOUT_MS, default 30000) */
} fc_ml_backend;

typedef struct fc_ml_task {
	int64_t id;
	const json_t *data;
} fc_ml_task;

/* One prediction as a backend answers it; result and model_version are
 * owned by the caller (fc_ml_prediction_clear frees them). */
typedef struct fc_ml_prediction {
	json_t *result; /* array of regions, as a submission's result; NULL: no prediction for the task */
	double score;
	int has_score;
	char model_version[128];
} fc_ml_prediction;
void fc_ml_prediction_clear(fc_ml_prediction *p);

typedef struct fc_ml_ops {
	/* On attach: 0 when the backend can serve b, else -1 with error. */
	int (*check)(fc_store *s, const fc_ml_backend *b, char *error, size_t error_len);
	/* 0 with out[0..n-1] filled, else -1 with error (nothing is stored). */
	int (*predict)(fc_store *s, const fc_ml_backend *b, const fc_ml_task *tasks, size_t n, fc_ml_prediction *out,
		       char *error, size_t error_len);
	/* Interactive mode (SAM-style): context is the annotator's click or
	 * box ({"keypoints"|"rectangles": […]} in Label Studio's shape); fills
	 * *out with a prediction for the one task. NULL: not interactive. */
	int (*interact)(fc_store *s, const fc_ml_backend *b, const fc_ml_task *task, const json_t *context,
			fc_ml_prediction *out, char *error, size_t error_len);
	/* Learning (optional): an accepted submission, as Label Studio's
	 * webhook body {"action": "ANNOTATION_CREATED", "project": {id,
	 * label_config}, "task": {id, data}, "annotation": {id, result}},
	 * delivered from the outbox outside any transaction, at least once;
	 * -1 with error: retried with backoff. NULL: the model does not learn
	 * this way. */
	int (*learn)(fc_store *s, const fc_ml_backend *b, const json_t *event, char *error, size_t error_len);
} fc_ml_ops;

/* Registers a built-in model under name (before the server starts; a full
 * table aborts). */
void fc_ml_register_builtin(const char *name, const fc_ml_ops *ops);
/* The operations of kind "http" (http.c). */
extern const fc_ml_ops fc_ml_http_ops;

/* ---- the API (owner of the project; 404 for everyone else) ---- */

/* PUT /projects/{id}/ml {"url", "interactive"?} or {"builtin"}: checks the
 * backend (/health, /setup; 422 ml_backend_unavailable naming the failure),
 * stores it and queues predictions for every task. 200 with the status. */
int fc_ml_attach(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err);
/* GET /projects/{id}/ml: {attached, kind, url|builtin, interactive,
 * model_version, predicted, pending, last_ok_at, last_error, last_error_at}. */
int fc_ml_status(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err);
/* DELETE /projects/{id}/ml: detaches (predictions stay; 404 when none). */
int fc_ml_detach(fc_store *s, const fc_user *user, int64_t project, fc_err *err);
/* POST /projects/{id}/ml/predict: predicts every task again (202). */
int fc_ml_repredict(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err);
/* POST /projects/{id}/ml/interactive {task_id, context} (a project member
 * holding the task, or the owner): the backend's regions for a click or box. */
int fc_ml_interact(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err);

/* Inside a write transaction: queues a predict run for project (from_start:
 * every task again, else the tasks not yet sent). No-op without a backend. */
int fc_ml_enqueue(fc_db *db, int64_t project, int from_start, fc_err *err);

/* Start-up wiring: TASKS_CREATED queues predictions, ACCEPTED a training
 * event; the outbox sink "ml" runs them; the project field "order" is validated and saved. */
void fc_ml_subscribe(void);

#endif
