/* collect.h — data collection: uploads of recordings and photos checked
 * against the project's collect spec, submitting them, peer validation with
 * votes (as Common Voice does), and demographic quotas.
 *
 * Media checks run outside any transaction (they read the spooled file);
 * only the short reads before and the insert after touch the database. */
#ifndef FC_WORK_COLLECT_H
#define FC_WORK_COLLECT_H

#include "account/account.h"
#include "store/store.h"
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* Validates a collect spec beyond collect.media (limits, formats, quotas,
 * thresholds, export: {audio: "wav16k" | "original", keep_originals: bool});
 * every broken rule is a detail, the return FC_EINVAL naming
 * the first. Called from project validation. */
int fc_collect_spec_validate(const json_t *collect, fc_err *err);

/* The upload limit of the assignment's project: collect.max_bytes, or
 * FC_MEDIA_DEFAULT_MAX_BYTES; def when the assignment is unknown. */
size_t fc_collect_upload_limit(fc_store *s, int64_t assignment_id, size_t def);

/* Checks the uploaded file at path against the spec of the assignment's
 * project and, when every check passes, stores it as a blob under data_dir
 * and records it. *out = {id, sha256, probe:{…}, checks:{…}} (new
 * reference); *created is 0 when the same file had already been uploaded for
 * this assignment (that record returns). Errors: 404 not the user's
 * assignment; 409 lease gone or not a collection project; 422 with every
 * failed check in err->details. */
/* known_sha256 (may be NULL): the file's SHA-256 when the caller hashed it
 * while receiving it, which spares reading it again. */
int fc_collect_upload(fc_store *s, const char *data_dir, const fc_user *user, int64_t assignment_id, const char *path,
		      const char *known_sha256, const char *content_type, json_t **out, int *created, fc_err *err);

/* For fc_assign_submit's collection branch, inside its transaction: checks
 * body.media_id belongs to the assignment and builds the Label Studio-style
 * result referencing it (*result: new reference). */
int fc_collect_submit_result(fc_db *db, int64_t assignment_id, int64_t project_id, const json_t *body, json_t **result,
			     int64_t *media_id, fc_err *err);
/* After the submission row exists: links the media, opens it for
 * validation, counts the contributor in the project's quota cells. */
int fc_collect_after_submit(fc_db *db, int64_t submission_id, int64_t media_id, int64_t project_id, int64_t user_id,
			    fc_err *err);
/* Adds up_votes, down_votes and validity to a submission's JSON when it is
 * a recording (no-op otherwise). */
void fc_collect_decorate(fc_db *db, json_t *submission);

/* Quotas (collect.quotas {"gender:female": 100, ...}): 0 with *why NULL
 * when the user may get work, 0 with *why = "quota_full" when a demographic
 * cell they belong to is full; <0 on errors. */
int fc_collect_quota_ok(fc_db *db, int64_t project_id, int64_t user_id, const char **why, fc_err *err);

/* Hands the user a submitted recording by someone else to check. *out NULL
 * when none is left (204). */
int fc_collect_validation_next(fc_store *s, const fc_user *user, int64_t project_id, json_t **out, fc_err *err);
/* Opens an uploaded file for the project's team, its uploader, a validator
 * holding a validation of it, or someone who holds (or submitted) an
 * annotation task whose data names it as "/api/v1/media/ID"; else
 * FC_ENOTFOUND. The caller fcloses *f. */
int fc_collect_media_open(fc_store *s, const char *data_dir, const fc_user *user, int64_t media_id, FILE **f,
			  uint64_t *size, char mime[64], fc_err *err);
/* The same check without opening the file: 0 when user may read media_id. */
int fc_collect_media_may_read(fc_store *s, const fc_user *user, int64_t media_id, fc_err *err);
/* One vote ("up" | "down") per person on a recording; not the author's.
 * 409 already_voted. *out = {submission_id, vote, up_votes, down_votes,
 * validity}. */
int fc_collect_vote(fc_store *s, const fc_user *user, int64_t submission_id, const json_t *body, json_t **out,
		    fc_err *err);

/* Common Voice rule: valid at >= 2 up-votes with up > down, invalid at >= 2
 * down-votes with down > up, else pending. */
const char *fc_collect_validity(int64_t up, int64_t down);

#endif
