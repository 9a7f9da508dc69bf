/* assign.h — the hot path: leasing tasks to contributors, submitting
 * results, releasing, lease expiry.
 *
 * A task is open while submitted + live leases < its target: the project's
 * overlap, or the task's own target_overlap (quality/contributors.h); a
 * contributor never gets a task they already had (any status). All writes
 * run in one short write transaction, so counters are exact under any
 * concurrency. */
#ifndef FC_WORK_ASSIGN_H
#define FC_WORK_ASSIGN_H

#include "account/account.h"
#include "events/events.h"
#include "store/store.h"

/* Leases the next task. Returns 0 with *out = {id, task:{id,data,predictions},
 * expires_at, project_id}; FC_ENOTFOUND-free "nothing now" is 0 with
 * *out == NULL and *why set to a short reason ("no_tasks", "limit_reached").
 * Errors: 404 invisible project, 409 not live / outside window /
 * consent_required, 403 not_eligible. */
int fc_assign_lease(fc_store *s, const fc_user *user, int64_t project_id, json_t **out, const char **why, fc_err *err);

/* Submits a result for an assignment. body: {result, active_seconds?} for
 * annotation projects. idem_key may be NULL. *replayed is set when the same
 * key had already submitted this assignment (the first submission returns). */
int fc_assign_submit(fc_store *s, const fc_user *user, int64_t assignment_id, const json_t *body, const char *idem_key,
		     json_t **out, int *replayed, fc_err *err);

/* GET /me/assignments[?project=ID]: {"items": [...]} the leases the user
 * holds now (not expired), soonest expiry first, each in the shape of a
 * lease (id, project_id, task {id, data, predictions}, expires_at, reward)
 * plus project_title, currency, leased_at and seconds_left; at most 200
 * (queue.c). project 0: every project. */
int fc_assign_held(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err);

int fc_assign_release(fc_store *s, const fc_user *user, int64_t assignment_id, fc_err *err);

/* The user's submissions, newest first, with status, reason and reward. */
int fc_assign_my_submissions(fc_store *s, const fc_user *user, int limit, int64_t after, json_t **out, fc_err *err);

/* Expires leases whose time is up; returns how many in *n. */
int fc_assign_expire_leases(fc_store *s, int64_t now, int64_t *n, fc_err *err);

/* A task's predictions as leases show them: imported (stolen; NULL: none)
 * followed by the newest 5 a model made (table predictions, ml/), each
 * {id, model_version, score, result, created_at, origin:"model"} —
 * suggestions, never answers. */
json_t *fc_assign_predictions(fc_db *db, int64_t task, json_t *imported);
/* One model prediction as above, from columns col.. of a row: id,
 * model_version, score, result, created_at. */
json_t *fc_assign_prediction_json(fc_stmt *st, int col);
/* The same for a page of tasks in one query: each object of tasks (with
 * "id" and its imported "predictions") gets the model's newest 5 appended. */
int fc_assign_predictions_page(fc_db *db, json_t *tasks, const char *ids, fc_err *err);

/* FC_EV_RESULT_CHECK: refuses a result (ev->json) the label config
 * (ev->text) does not accept for the task's data (ev->data): how a model's
 * prediction is checked like a contributor's answer. */
int fc_assign_check_result(fc_db *db, fc_event *ev, fc_err *err);

/* Renders a submission row (internal; shared with review). */
#define FC_SUBMISSION_COLUMNS \
	"s.id,s.assignment_id,s.task_id,s.project_id,s.user_id,s.result,s.active_seconds,s.status," \
	"s.reason_code,s.reason_text,s.reward,s.created_at,s.reviewed_at,s.media_id"
json_t *fc_submission_row_json(fc_stmt *st);

#endif
