/* Password change. See password.h. */
#include "account/password.h"
#include "core/clock.h"
#include "core/crypto.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int fc_account_password_change(fc_store *s, int64_t user, const char *old_password, const char *new_password,
			       const char *keep_session, fc_err *err)
{
	size_t n = strlen(new_password);
	int rc = fc_account_password_check(new_password, "new", err);
	if (rc)
		return rc;
	if (!strcmp(old_password, new_password))
		return fc_err_set(err, FC_EINVAL, "password_unchanged", "new",
				  "The new password must differ from the current one.");
	/* hashed before the write transaction: Argon2 takes tens of
	 * milliseconds that the single writer must not wait for */
	char hash[crypto_pwhash_STRBYTES], stored[crypto_pwhash_STRBYTES] = "";
	if (crypto_pwhash_str(hash, new_password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory while hashing the password.");
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_READ, &db, err)))
		return rc;
	fc_stmt *st;
	if (!(rc = fc_db_query(db, &st, err, "SELECT password_hash FROM users WHERE id=?", "I", user))) {
		if (fc_stmt_next(st) == 1)
			snprintf(stored, sizeof stored, "%s", fc_stmt_text(st, 0));
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	if (rc)
		return rc;
	if (!stored[0] || crypto_pwhash_str_verify(stored, old_password, strlen(old_password)))
		return fc_err_set(err, FC_EPERM, "wrong_password", "old", "The current password is wrong.");
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	char keep[65] = "", target[32];
	snprintf(target, sizeof target, "%lld", (long long)user);
	if (keep_session && *keep_session)
		fc_crypto_hash_hex(keep_session, keep);
	/* the hash must still be the one verified: two changes racing each
	 * other with the same old password must not both succeed */
	if ((rc = fc_db_exec(db, err, "UPDATE users SET password_hash=? WHERE id=? AND password_hash=?", "tIt", hash,
			     user, stored)))
		goto out;
	if (fc_db_changes(db) != 1) {
		rc = fc_err_set(err, FC_EPERM, "wrong_password", "old", "The current password is wrong.");
		goto out;
	}
	if ((rc = fc_db_exec(db, err, "DELETE FROM sessions WHERE user_id=? AND token_hash<>?", "It", user, keep)) ||
	    (rc = fc_db_exec(db, err, "INSERT INTO audit(actor,action,target,at) VALUES(?,?,?,?)", "IttI", user,
			     "user.password", target, fc_clock_now())))
		goto out;
out:
	return fc_db_end(db, &rc, err);
}

int fc_account_password_reset(fc_store *s, int64_t actor, int64_t user, char out[FC_RESET_PASSWORD_LEN + 1], fc_err *err)
{
	/* no look-alikes (0/O, 1/l/I): it is read off a screen and typed */
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	for (int i = 0; i < FC_RESET_PASSWORD_LEN; i++)
		out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
	out[FC_RESET_PASSWORD_LEN] = 0;
	char hash[crypto_pwhash_STRBYTES], target[32];
	if (crypto_pwhash_str(hash, out, FC_RESET_PASSWORD_LEN, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory while hashing the password.");
	snprintf(target, sizeof target, "%lld", (long long)user);
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	if ((rc = fc_db_exec(db, err, "UPDATE users SET password_hash=? WHERE id=?", "tI", hash, user)))
		goto out;
	if (fc_db_changes(db) != 1) {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such user.");
		goto out;
	}
	if ((rc = fc_db_exec(db, err, "DELETE FROM sessions WHERE user_id=?", "I", user)) ||
	    (rc = fc_db_exec(db, err, "INSERT INTO audit(actor,action,target,at) VALUES(?,?,?,?)", "IttI", actor,
			     "user.password_reset", target, fc_clock_now())))
		goto out;
out:
	if (rc)
		sodium_memzero(out, FC_RESET_PASSWORD_LEN + 1);
	return fc_db_end(db, &rc, err);
}
