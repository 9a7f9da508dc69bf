/* Pseudonyms of contributors per project (pseudonym.h). */
#include "access/pseudonym.h"
#include "core/crypto.h"

#include <sodium.h>
#include <stdio.h>

void fc_pseudonym(const char *salt, int64_t user_id, char out[65])
{
	char txt[96];
	int n = snprintf(txt, sizeof txt, "%s:%lld", salt, (long long)user_id);
	fc_crypto_sha256_hex(txt, (size_t)n, out);
}

int fc_pseudonym_salt(fc_store *s, int64_t pid, char salt[40], fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	salt[0] = 0;
	if (!(rc = fc_db_query(db, &st, err, "SELECT salt FROM project_salts WHERE project_id=?", "I", pid))) {
		if (fc_stmt_next(st) == 1)
			snprintf(salt, 40, "%s", fc_stmt_text(st, 0));
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	if (rc || salt[0])
		return rc;
	char fresh[33];
	unsigned char rnd[16];
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(fresh, sizeof fresh, rnd, sizeof rnd);
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	/* two first exports at once: one salt wins, both read it back */
	if (!(rc = fc_db_exec(db, err, "INSERT INTO project_salts(project_id,salt) VALUES(?,?) ON CONFLICT DO NOTHING",
			      "It", pid, fresh)) &&
	    !(rc = fc_db_query(db, &st, err, "SELECT salt FROM project_salts WHERE project_id=?", "I", pid))) {
		if (fc_stmt_next(st) == 1)
			snprintf(salt, 40, "%s", fc_stmt_text(st, 0));
		fc_stmt_done(st);
	}
	return fc_db_end(db, &rc, err);
}
