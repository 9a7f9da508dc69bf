/* trust.h — blocks with appeals, identity verification, retention and
 * account deletion (issue #18). Every decision here is audited
 * (audit.h) in the transaction that makes it. */
#ifndef FC_PRIVACY_TRUST_H
#define FC_PRIVACY_TRUST_H

#include "account/account.h"
#include "events/events.h"
#include "events/jobs.h"
#include "store/store.h"
#include <jansson.h>
#include <stddef.h>

/* ---- blocks (blocks.c) ---- */
/* POST /projects/{id}/blocks {user_id, reason}: the project's reviewers and
 * owners; the reason is required (the contributor sees it). Open leases of
 * the contributor in the project are released. 201 with the block. */
int fc_block_create(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err);
/* GET /projects/{id}/blocks: the project's blocks (reviewers, owners). */
int fc_blocks_of_project(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err);
/* GET /me/blocks: the caller's blocks with reasons, appeals, decisions. */
int fc_blocks_mine(fc_store *s, const fc_user *user, json_t **out, fc_err *err);
/* POST /blocks/{id}/appeal {message}: the blocked contributor, once. */
int fc_block_appeal(fc_store *s, const fc_user *user, int64_t id, const json_t *body, json_t **out, fc_err *err);
/* POST /blocks/{id}/decide {upheld, reason}: a reviewer, owner or admin of
 * the project other than the one who blocked. upheld=true lifts the block;
 * a reason is required when the appeal is denied. */
int fc_block_decide(fc_store *s, const fc_user *user, int64_t id, const json_t *body, json_t **out, fc_err *err);
/* FC_EV_LEASING: refuses a blocked contributor (403 `blocked`). */
int fc_block_refuse(fc_db *db, int64_t user, int64_t project, fc_err *err);

/* ---- identity verification (identity.c) ---- */
/* The sealing keys come from FAIRCROWD_IDENTITY_KEYS="ID:HEX64[,ID:HEX64…]"
 * (the first seals new documents, all open older ones) or
 * FAIRCROWD_IDENTITY_KEY=HEX64 (key id "default"). */
/* POST /me/identity (an image): 201 {id, status:"pending"}; 503
 * `identity_unavailable` without a key. */
int fc_identity_submit(fc_store *s, const fc_user *user, const char *content_type, const void *data, size_t len,
		       json_t **out, fc_err *err);
/* GET /me/identity: {verified, verified_at, documents:[…]} (no image). */
int fc_identity_status(fc_store *s, const fc_user *user, json_t **out, fc_err *err);
/* GET /admin/identity/next: the oldest pending document, opened
 * ({id, user_id, display_name, content_type, image (base64)}); NULL when
 * the queue is empty. */
int fc_identity_next(fc_store *s, const fc_user *admin, json_t **out, fc_err *err);
/* POST /identity/{id}/decide {approve, reason}: deletes the sealed bytes. */
int fc_identity_decide(fc_store *s, const fc_user *admin, int64_t id, const json_t *body, json_t **out, fc_err *err);

/* ---- retention and account deletion (erase.c) ---- */
/* The scheduled job: media of closed projects past their retention_days
 * is marked erased and its bytes queued for deletion (sink `erasure`). */
int fc_retention_job(fc_store *s, int64_t now, fc_jobs_report *rep, fc_err *err);
/* FC_EV_PROJECT_CHECK / _SAVED / _CLOSED: retention_days validated,
 * stored; closed_at stamped. */
int fc_retention_check(fc_db *db, fc_event *ev, fc_err *err);
int fc_retention_saved(fc_db *db, fc_event *ev, fc_err *err);
int fc_retention_closed(fc_db *db, fc_event *ev, fc_err *err);
/* Inside a write transaction: marks up to FC_ERASE_BATCH media (and the
 * submissions that carry them) erased and queues the bytes' deletion.
 * select is FC_ERASE_SELECT(where) over media m with the binds a, b: a
 * string literal, as the store caches prepared statements by the text's
 * address too. *n receives the count (FC_ERASE_BATCH: call again). */
#define FC_ERASE_BATCH 500
#define FC_ERASE_SELECT(where) \
	"SELECT m.id, m.project_id, m.sha256 FROM media m WHERE " where " ORDER BY m.id LIMIT 500"
int fc_erase_media_where(fc_db *db, const char *select, int64_t a, int64_t b, int64_t *n, fc_err *err);
/* DELETE /me {confirm:true}: the account's personal data erased, the row
 * kept under a pseudonym for the ledger. 409 `owns_live_projects` while
 * the caller owns a live or paused project; 409 `last_admin`. */
int fc_account_delete(fc_store *s, const fc_user *user, const json_t *body, json_t **out, fc_err *err);

#endif
