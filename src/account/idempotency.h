/* idempotency.h — remembered answers for retried writes (Idempotency-Key).
 *
 * The first 2xx answer to a (user, key) is stored; a retry with the same
 * key and the same request gets that answer back without running again. */
#ifndef FC_ACCOUNT_IDEMPOTENCY_H
#define FC_ACCOUNT_IDEMPOTENCY_H

#include "store/store.h"

/* Returns 0 and fills *status and *body (malloc'd, caller frees) when a
 * stored answer exists for the same request; FC_ENOTFOUND when none;
 * FC_ECONFLICT (422-worthy) when the key was used for a different request. */
int fc_idem_lookup(fc_store *s, int64_t user_id, const char *key, const char *request_hash,
		   int *status, char **body, fc_err *err);
int fc_idem_save(fc_store *s, int64_t user_id, const char *key, const char *route,
		 const char *request_hash, int status, const char *body, fc_err *err);

#endif
