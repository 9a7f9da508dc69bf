/* Password reset. See reset.h. */
#include "account/reset.h"
#include "core/clock.h"
#include "core/crypto.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int fc_account_reset_issue(fc_db *db, const char *email, char token[44], int64_t *user, char name[128], fc_err *err)
{
	fc_stmt *st;
	int64_t id = 0, recent = 0, now = fc_clock_now();
	int rc = fc_db_query(db, &st, err, "SELECT id, display_name FROM users WHERE email=? AND disabled_at IS NULL",
			     "t", email);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1) {
		id = fc_stmt_int(st, 0);
		snprintf(name, 128, "%s", fc_stmt_text(st, 1));
	}
	fc_stmt_done(st);
	if (!id)
		return 0;
	if ((rc = fc_db_int(db, &recent, err, "SELECT COUNT(*) FROM password_resets WHERE user_id=? AND created_at>?",
			    "II", id, now - FC_RESET_INTERVAL)))
		return rc;
	if (recent)
		return 0; /* one mail per interval: nobody can bury an inbox in resets */
	char hash[65];
	fc_crypto_token(token);
	fc_crypto_hash_hex(token, hash);
	/* only the newest token works: older unused ones end here */
	if ((rc = fc_db_exec(db, err, "UPDATE password_resets SET used_at=? WHERE user_id=? AND used_at IS NULL", "II",
			     now, id)) ||
	    (rc = fc_db_exec(db, err,
			     "INSERT INTO password_resets(token_hash,user_id,created_at,expires_at) VALUES(?,?,?,?)",
			     "tIII", hash, id, now, now + FC_RESET_SECONDS)))
		return rc;
	*user = id;
	return 1;
}

int fc_account_reset_confirm(fc_store *s, const char *token, const char *password, fc_err *err)
{
	int rc = fc_account_password_check(password, "password", err);
	if (rc)
		return rc;
	/* hashed before the write transaction (Argon2 takes tens of ms) */
	char hash[crypto_pwhash_STRBYTES], th[65];
	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory while hashing the password.");
	fc_crypto_hash_hex(token, th);
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	int64_t now = fc_clock_now(), user = 0;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT r.user_id FROM password_resets r JOIN users u ON u.id=r.user_id WHERE r.token_hash=? "
			      "AND r.used_at IS NULL AND r.expires_at>? AND u.disabled_at IS NULL",
			      "tI", th, now)))
		goto out;
	if (fc_stmt_next(st) == 1)
		user = fc_stmt_int(st, 0);
	fc_stmt_done(st);
	if (!user) {
		rc = fc_err_set(err, FC_EINVAL, "invalid_token", "token",
				"This reset link is unknown, used or expired; ask for a new one.");
		goto out;
	}
	char target[32];
	snprintf(target, sizeof target, "%lld", (long long)user);
	if ((rc = fc_db_exec(db, err, "UPDATE password_resets SET used_at=? WHERE token_hash=?", "It", now, th)) ||
	    (rc = fc_db_exec(db, err, "UPDATE users SET password_hash=? WHERE id=?", "tI", hash, user)) ||
	    (rc = fc_db_exec(db, err, "DELETE FROM sessions WHERE user_id=?", "I", user)) ||
	    (rc = fc_db_exec(db, err, "INSERT INTO audit(actor,action,target,at) VALUES(?,?,?,?)", "IttI", user,
			     "user.password_reset", target, now)))
		goto out;
out:
	return fc_db_end(db, &rc, err);
}
