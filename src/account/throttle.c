#include "account/throttle.h"
#include "core/clock.h"
#include "core/crypto.h"

#include <ctype.h>
#include <stdio.h>

#define WINDOW 900                 /* seconds */
#define PAIR_MAX 5                 /* failures of one address on one account */
#define ADDRESS_MAX 30             /* failures of one address on any accounts */
#define ACCOUNT_MAX 20             /* failures on one account from unknown addresses */
#define KNOWN_SECONDS (30 * 86400) /* how long a successful address stays known */

void fc_throttle_account(const char *email, char out[65])
{
	char low[256];
	size_t i = 0;
	for (; email[i] && i < sizeof low - 1; i++)
		low[i] = (char)tolower((unsigned char)email[i]);
	low[i] = 0;
	fc_crypto_hash_hex(low, out);
}

int fc_throttle_check(fc_store *s, const char *account, const char *address, fc_err *err)
{
	int64_t since = fc_clock_now() - WINDOW, pair = 0, by_address = 0, by_account = 0, known = 0;
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	if ((rc = fc_db_int(db, &pair, err, "SELECT COUNT(*) FROM login_failures WHERE account=? AND address=? AND at>?",
			    "ttI", account, address, since)) ||
	    (rc = fc_db_int(db, &by_address, err, "SELECT COUNT(*) FROM login_failures WHERE address=? AND at>?", "tI",
			    address, since)) ||
	    (rc = fc_db_int(db, &by_account, err, "SELECT COUNT(*) FROM login_failures WHERE account=? AND at>?", "tI",
			    account, since)))
		goto out;
	if (by_account >= ACCOUNT_MAX &&
	    (rc = fc_db_int(db, &known, err, "SELECT COUNT(*) FROM login_known WHERE account=? AND address=? AND last_ok>?",
			    "ttI", account, address, fc_clock_now() - KNOWN_SECONDS)))
		goto out;
	if (pair >= PAIR_MAX || by_address >= ADDRESS_MAX)
		rc = fc_err_set(err, FC_ERATE, "too_many_attempts", NULL,
				"Too many failed sign-ins from your address; wait 15 minutes and try again.");
	else if (by_account >= ACCOUNT_MAX && !known)
		rc = fc_err_set(err, FC_ERATE, "too_many_attempts", NULL,
				"Too many failed sign-ins for this account; wait 15 minutes, or sign in from a device "
				"you used before.");
out:
	fc_db_rollback(db);
	return rc;
}

int fc_throttle_failed(fc_store *s, const char *account, const char *address, fc_err *err)
{
	int64_t now = fc_clock_now();
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	/* the table holds one window of failures: older rows never count again */
	if (!(rc = fc_db_exec(db, err, "DELETE FROM login_failures WHERE at<=?", "I", now - WINDOW)))
		rc = fc_db_exec(db, err, "INSERT INTO login_failures(account,address,at) VALUES(?,?,?)", "ttI", account,
				address, now);
	return fc_db_end(db, &rc, err);
}

int fc_throttle_succeeded(fc_store *s, const char *account, const char *address, fc_err *err)
{
	int64_t now = fc_clock_now();
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	if (!(rc = fc_db_exec(db, err, "DELETE FROM login_failures WHERE account=? AND address=?", "tt", account,
			      address)) &&
	    !(rc = fc_db_exec(db, err, "DELETE FROM login_known WHERE account=? AND last_ok<=?", "tI", account,
			      now - KNOWN_SECONDS)))
		rc = fc_db_exec(db, err,
				"INSERT INTO login_known(account,address,last_ok) VALUES(?,?,?) "
				"ON CONFLICT(account,address) DO UPDATE SET last_ok=excluded.last_ok",
				"ttI", account, address, now);
	return fc_db_end(db, &rc, err);
}
