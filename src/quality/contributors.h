/* contributors.h — quality of contributors' work on a project: gold scoring
 * and pausing, qualification tests, dynamic overlap, per-contributor
 * figures. Gold formats and scoring rules: gold.h.
 *
 * Project settings (optional fields of the project JSON):
 *   gold_threshold (0..1 or null)  pause a contributor whose gold accuracy is
 *                                  credibly below it: after at least
 *                                  gold_min_answers (default 5) gold answers,
 *                                  when the upper end of the 95% Wilson
 *                                  interval is below the threshold.
 *   confidence_threshold (0..1 or null), max_overlap (overlap..100 or null)
 *                                  dynamic overlap: when a task reaches its
 *                                  overlap and the share of the most common
 *                                  answer is below confidence_threshold, the
 *                                  task takes one more judgment, up to
 *                                  max_overlap judgments.
 *   qualification (object or null) the project is a qualification test
 *                                  taken in attempts: see qualtest.h. */
#ifndef FC_QUALITY_CONTRIBUTORS_H
#define FC_QUALITY_CONTRIBUTORS_H

#include "account/account.h"
#include "store/store.h"
#include <jansson.h>

/* A task's target that never closes it (qualification questions). */
#define FC_UNBOUNDED_OVERLAP 1000000000

/* ---- project settings (on FC_EV_PROJECT_CHECK / _SAVED) ---- */

/* Checks the settings in a complete project object (types were checked
 * by the caller). 0 or FC_EINVAL naming the field. */
int fc_quality_settings_validate(const json_t *project, fc_err *err);
/* Stores the settings of a validated project object; when the project
 * becomes or stops being a test, reopens or recounts its tasks. */
int fc_quality_settings_write(fc_db *db, int64_t project_id, const json_t *project, fc_err *err);

/* ---- hooks inside the work transactions (see quality/subscribe.c) ---- */

/* 0, or FC_ECONFLICT paused_for_quality with a message saying why, when
 * the contributor is paused on the project. */
int fc_quality_pause_check(fc_db *db, int64_t project_id, int64_t user_id, fc_err *err);
/* After a submission is stored and its task's counters updated: scores a
 * gold task (and pauses the contributor, or scores their finished test),
 * or stores the answer's categorical key, updates the task's agreement and
 * extends a disputed task's overlap. result: the answer just stored (NULL:
 * read it back). */
int fc_quality_on_submit(fc_db *db, int64_t submission_id, const json_t *result, fc_err *err);

/* ---- reads and actions for the API ---- */

/* The caller's own figures: {project_id, gold_answered, gold_correct,
 * accuracy, ci_low, ci_high, gold_threshold, gold_min_answers, paused,
 * reason, paused_at}. *out is a new reference. */
int fc_quality_my(fc_store *s, const fc_user *user, int64_t project_id, json_t **out, fc_err *err);
/* Owner or reviewer: {items:[{user_id, display_name, submissions, rejected,
 * rejection_rate, median_active_seconds, gold_answered, gold_correct,
 * gold_accuracy, gold_ci_low, gold_ci_high, agreement, agreement_tasks,
 * ds_accuracy, paused, pause_reason}]}. control (may be NULL) restricts the
 * compared answers to one control. */
int fc_quality_contributors(fc_store *s, const fc_user *user, int64_t project_id, const char *control, json_t **out,
			    fc_err *err);
/* Owner: lifts a contributor's pause (the decision is kept, with who lifted
 * it). 404 when they are not paused. */
int fc_quality_unpause(fc_store *s, const fc_user *user, int64_t project_id, int64_t user_id, json_t **out, fc_err *err);

#endif
