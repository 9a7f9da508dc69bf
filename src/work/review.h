/* review.h — reviewers accept, reject (always with a reason) or fix
 * submissions; contributors appeal rejections within 14 days and a
 * different reviewer decides. Money moves in the same transaction. */
#ifndef FC_WORK_REVIEW_H
#define FC_WORK_REVIEW_H

#include "account/account.h"
#include "store/store.h"

#define FC_APPEAL_DAYS 14

/* Used when a project defines no reject_reasons of its own. */
#define FC_DEFAULT_REJECT_REASONS "[\"wrong_answer\",\"instructions_not_followed\",\"low_quality\",\"spam\"]"

/* The oldest pending submission the reviewer did not make (sampled ones
 * first), with its task's data. *out NULL when none. */
int fc_review_next(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err);
int fc_review_accept(fc_store *s, const fc_user *user, int64_t submission, json_t **out, fc_err *err);
/* body {reason_code, message}: the code must be one of the project's
 * reject_reasons and the message non-empty (400 otherwise). */
int fc_review_reject(fc_store *s, const fc_user *user, int64_t submission, const json_t *body, json_t **out, fc_err *err);
/* body {result}: validated against the config, kept beside the original;
 * the submission counts as accepted (the work was used). */
int fc_review_fix(fc_store *s, const fc_user *user, int64_t submission, const json_t *body, json_t **out, fc_err *err);
/* The submission's contributor appeals a rejection: body {message}. */
int fc_review_appeal(fc_store *s, const fc_user *user, int64_t submission, const json_t *body, json_t **out, fc_err *err);
/* body {decision: "uphold"|"deny", reason}; by a reviewer other than the one
 * who rejected. Upholding accepts the submission and pays it. */
int fc_review_decide(fc_store *s, const fc_user *user, int64_t appeal, const json_t *body, json_t **out, fc_err *err);
int fc_review_appeals(fc_store *s, const fc_user *user, int64_t project, const char *status, json_t **out, fc_err *err);
/* Sets needs_review on a new submission per the project's review_rate
 * (inside the submit transaction). */
int fc_review_sample(fc_db *db, int64_t submission, double review_rate, fc_err *err);

#endif
