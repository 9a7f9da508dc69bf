/* password.h — a signed-in user changes their password. */
#ifndef FC_ACCOUNT_PASSWORD_H
#define FC_ACCOUNT_PASSWORD_H

#include "account/account.h"

/* Checks old_password (FC_EPERM wrong_password when it is wrong) and the
 * new one (FC_EINVAL naming "new": shorter than FC_PASSWORD_MIN, longer than
 * 1024, or the same as the old one), stores the new hash, and ends every
 * session of the user except keep_session (the raw session token of the
 * request that changed it; NULL ends all of them). API tokens stay: they
 * are credentials of their own, revoked one by one. */
int fc_account_password_change(fc_store *s, int64_t user, const char *old_password, const char *new_password,
			       const char *keep_session, fc_err *err);

/* An admin (actor) resets user's password: a new random one is stored and
 * written to out (shown once, to hand over), every session of the user
 * ends. FC_ENOTFOUND for no such user. */
#define FC_RESET_PASSWORD_LEN 16
int fc_account_password_reset(fc_store *s, int64_t actor, int64_t user, char out[FC_RESET_PASSWORD_LEN + 1], fc_err *err);

#endif
