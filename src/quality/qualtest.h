/* qualtest.h — qualification tests, taken in attempts.
 *
 * A project with `qualification` set is a test. Its tasks are gold
 * questions open to every contributor. The policy (stored complete):
 *   grants            the qualification a pass adds to the contributor
 *   pass_mark         0..1, share of the attempt's questions answered right
 *   questions         how many questions one attempt asks (null: all)
 *   retakes           0..10 further attempts after a failed one
 *   retake_wait_hours 0..8760 hours between a failed attempt and a retake
 *   paid              answers are paid (false: reward must be 0)
 *
 * An attempt starts with the contributor's first lease (attempt 1) or with
 * POST /projects/{id}/qualification/retake. It hands out `planned`
 * questions drawn at random from those the contributor has never been
 * given: the result of a failed attempt shows the right answers, so a
 * retake asking the same questions again would test memory, not skill.
 * Hence retakes need `questions`, and publishing needs a pool of at least
 * questions × (1 + retakes) tasks. An attempt is scored when none of its
 * questions is leased and all planned ones were handed out (or the pool
 * ran dry). A question whose lease expired or was released counts as
 * wrong: skipping cannot raise a score. */
#ifndef FC_QUALITY_QUALTEST_H
#define FC_QUALITY_QUALTEST_H

#include "account/account.h"
#include "store/store.h"
#include <jansson.h>

/* Checks a project's `qualification` object (not null). */
int fc_qualtest_validate(const json_t *project, const json_t *q, fc_err *err);
/* The policy to store: q with defaults filled in (new reference). */
json_t *fc_qualtest_normalize(const json_t *q);
/* Before a test goes live: 409 not_enough_questions when the pool is
 * smaller than questions × (1 + retakes). 0 for other projects. */
int fc_qualtest_publish_check(fc_db *db, int64_t project_id, fc_err *err);

/* Inside a lease in a test project: starts attempt 1 when the contributor
 * has none, sets *attempt to the open attempt, or sets *why
 * ("test_finished") when it has nothing more to hand out — scoring it when
 * nothing is leased. */
int fc_qualtest_lease(fc_db *db, int64_t project_id, int64_t user_id, int64_t *attempt, const char **why, fc_err *err);
/* Scores the attempt when it is complete (see above); otherwise does
 * nothing. Called after each submission and when the pool runs dry. */
int fc_qualtest_score(fc_db *db, int64_t project_id, int64_t user_id, int64_t attempt, fc_err *err);

/* The caller's latest scored attempt: {project_id, attempt, grants,
 * pass_mark, questions, correct, skipped, score, passed, scored_at,
 * attempts_allowed, retakes_left, retake:{available, code, at},
 * in_progress:{attempt, answered, questions}|null, history:[{attempt,
 * score, passed, scored_at}], answers:[{task_id, your_answer,
 * correct_answer, correct, skipped}]}. 404 no_qualification for other
 * projects; 409 test_not_finished before a first attempt is scored. */
int fc_qualtest_result(fc_store *s, const fc_user *user, int64_t project_id, json_t **out, fc_err *err);
/* Starts the next attempt: 201 {project_id, attempt, questions,
 * started_at}, or 409 test_not_finished, test_passed, no_retakes_left,
 * retake_not_yet (with when), no_questions_left, project_not_live. */
int fc_qualtest_retake(fc_store *s, const fc_user *user, int64_t project_id, json_t **out, fc_err *err);

#endif
