/* throttle.h — sign-in throttling per account and per client address.
 *
 * Failures are rows in the database (login_failures, migration 0010), so
 * no entry is ever evicted to make room for another and a restart forgets
 * nothing. Within a 15-minute window a sign-in is refused (FC_ERATE) when:
 *   - this address failed 5 times for this account,
 *   - this address failed 30 times over all accounts (one address guessing
 *     many accounts), or
 *   - the account failed 20 times from all addresses together, unless this
 *     address signed in to it successfully in the last 30 days: a flood
 *     from other addresses never locks the owner out of a known address.
 * A success clears this address's failures for the account.
 * `account` is a hash of the lower-cased email (fc_throttle_account). */
#ifndef FC_ACCOUNT_THROTTLE_H
#define FC_ACCOUNT_THROTTLE_H

#include "core/err.h"
#include "store/store.h"

/* The throttle's key for an email: hex BLAKE2b of its lower-case form. */
void fc_throttle_account(const char *email, char out[65]);
/* 0 when a sign-in may be tried; FC_ERATE (429) when it may not. */
int fc_throttle_check(fc_store *s, const char *account, const char *address, fc_err *err);
/* Records a failed sign-in (and drops failures older than the window). */
int fc_throttle_failed(fc_store *s, const char *account, const char *address, fc_err *err);
/* Records a successful sign-in: clears this address's failures, remembers it. */
int fc_throttle_succeeded(fc_store *s, const char *account, const char *address, fc_err *err);

#endif
