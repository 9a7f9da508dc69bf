/* withdraw.h — a contributor withdraws consent for a project. */
#ifndef FC_WORK_WITHDRAW_H
#define FC_WORK_WITHDRAW_H

#include "account/account.h"
#include "store/store.h"
#include <jansson.h>

/* In one write transaction: records the withdrawal (a second one is 409
 * already_withdrawn), marks the consent withdrawn, releases the caller's
 * open leases in the project, marks their submissions and media erased (left
 * out of every later export; the ledger is not touched, so accepted work
 * stays paid) and publishes FC_EV_WITHDRAWN, on which privacy/ queues the
 * deletion of the media bytes and writes the audit row. 409
 * nothing_to_withdraw when the caller never consented to nor worked on the
 * project; 404 when they cannot see it. *out: {project_id, withdrawn_at,
 * submissions_erased, media_erased, leases_released} (new reference). */
int fc_consent_withdraw(fc_store *s, const fc_user *user, int64_t project_id, json_t **out, fc_err *err);

/* Inside a transaction: FC_ECONFLICT with code and message (err filled)
 * when user withdrew from project_id, else 0. A withdrawal is final: the
 * project gives no more tasks and takes no new consent. */
int fc_withdrawn_refuse(fc_db *db, int64_t user_id, int64_t project_id, const char *code, const char *message,
			fc_err *err);

#endif
