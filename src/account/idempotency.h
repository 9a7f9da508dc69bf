/* idempotency.h — remembered answers for retried writes (Idempotency-Key).
 *
 * The first 2xx answer to a (user, key) is stored; a retry with the same
 * key and the same request gets that answer back without running again. */
#ifndef FC_ACCOUNT_IDEMPOTENCY_H
#define FC_ACCOUNT_IDEMPOTENCY_H

#include "store/store.h"
#include <jansson.h>

/* Returns 0 and fills *status and *body (malloc'd, caller frees) when a
 * stored answer exists for the same request; FC_ENOTFOUND when none;
 * FC_ECONFLICT (422-worthy) when the key was used for a different request. */
int fc_idem_lookup(fc_store *s, int64_t user_id, const char *key, const char *request_hash, int *status, char **body,
		   fc_err *err);
int fc_idem_save(fc_store *s, int64_t user_id, const char *key, const char *route, const char *request_hash, int status,
		 const char *body, fc_err *err);

/* The answer recorded in the same transaction as the effect. Saving it
 * after the handler leaves a window — a crash after the commit and before
 * the save — in which a retry runs the effect again (a second funding).
 * So the API arms a context for the request's thread (the strings must
 * outlive it), and domain code whose effect must not run twice calls
 * fc_idem_record inside its write transaction, before it commits; the
 * later fc_idem_save is then a no-op. Without an armed context (the CLI,
 * jobs) fc_idem_record does nothing. */
void fc_idem_arm(int64_t user_id, const char *key, const char *route, const char *request_hash);
void fc_idem_disarm(void);
int fc_idem_record(fc_db *db, int status, const json_t *body, fc_err *err);

#endif
