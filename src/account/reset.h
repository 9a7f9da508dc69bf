/* reset.h — password reset by a one-time token sent to the account's email.
 *
 * The token is 43 URL-safe characters of 256 random bits; only its SHA-256
 * is stored. It works once, for FC_RESET_SECONDS, and only the newest
 * token of an account works. A reset ends every session of the account
 * (API tokens stay, as with a password change: they are revoked one by
 * one). */
#ifndef FC_ACCOUNT_RESET_H
#define FC_ACCOUNT_RESET_H

#include "account/account.h"

#define FC_RESET_SECONDS 3600
#define FC_RESET_INTERVAL 300 /* at most one reset mail per account in this many seconds */

/* Inside the caller's write transaction: when email names an account that
 * is not disabled and was not sent a token in the last FC_RESET_INTERVAL
 * seconds, stores a new token and returns 1 with token, *user and name
 * filled; returns 0 when there is nothing to send (the caller answers the
 * same either way), or a negative FC_E* on a database error. */
int fc_account_reset_issue(fc_db *db, const char *email, char token[44], int64_t *user, char name[128], fc_err *err);

/* Sets the password of the token's account. FC_EINVAL "invalid_token" when
 * the token is unknown, used, superseded or expired; FC_EINVAL naming
 * "password" when the new password is unacceptable. */
int fc_account_reset_confirm(fc_store *s, const char *token, const char *password, fc_err *err);

#endif
