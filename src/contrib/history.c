/* The signed work history: a contributor's record of work, signed with the
 * platform's Ed25519 key so that anyone can check it offline. See
 * contrib.h. */
#include "contrib/contrib.h"
#include "core/clock.h"
#include "core/json.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define B64 sodium_base64_VARIANT_ORIGINAL

/* Reads the key pair, making it first when the database has none. Two
 * servers racing to make it both insert with ON CONFLICT DO NOTHING and
 * then read the one row that won. */
static int load_key(fc_store *s, unsigned char pk[crypto_sign_PUBLICKEYBYTES],
		    unsigned char sk[crypto_sign_SECRETKEYBYTES], fc_err *err)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		fc_db *db;
		int rc = fc_db_begin(s, FC_DB_READ, &db, err);
		if (rc)
			return rc;
		fc_stmt *st;
		int found = 0;
		if (!(rc = fc_db_query(db, &st, err, "SELECT public_key, secret_key FROM signing_keys WHERE id=1", ""))) {
			if (fc_stmt_next(st) == 1) {
				size_t np = 0, ns = 0;
				const char *p = fc_stmt_text(st, 0), *k = fc_stmt_text(st, 1);
				found = p && k &&
					!sodium_base642bin(pk, crypto_sign_PUBLICKEYBYTES, p, strlen(p), NULL, &np,
							   NULL, B64) &&
					!sodium_base642bin(sk, crypto_sign_SECRETKEYBYTES, k, strlen(k), NULL, &ns,
							   NULL, B64) &&
					np == crypto_sign_PUBLICKEYBYTES && ns == crypto_sign_SECRETKEYBYTES;
				if (!found)
					rc = fc_err_set(err, FC_EDB, "database_error", NULL,
							"The stored signing key is damaged.");
			}
			fc_stmt_done(st);
		}
		fc_db_rollback(db);
		if (rc || found)
			return rc;
		unsigned char npk[crypto_sign_PUBLICKEYBYTES], nsk[crypto_sign_SECRETKEYBYTES];
		char bp[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, B64)];
		char bs[sodium_base64_ENCODED_LEN(crypto_sign_SECRETKEYBYTES, B64)];
		crypto_sign_keypair(npk, nsk);
		sodium_bin2base64(bp, sizeof bp, npk, sizeof npk, B64);
		sodium_bin2base64(bs, sizeof bs, nsk, sizeof nsk, B64);
		sodium_memzero(nsk, sizeof nsk);
		rc = fc_store_write(s, NULL, err,
				    "INSERT INTO signing_keys(id,public_key,secret_key,created_at) VALUES(1,?,?,?) "
				    "ON CONFLICT DO NOTHING",
				    "ttI", bp, bs, fc_clock_now());
		sodium_memzero(bs, sizeof bs);
		if (rc)
			return rc;
	}
	return fc_err_set(err, FC_EDB, "database_error", NULL, "The signing key could not be made.");
}

int fc_signing_key(fc_store *s, json_t **out, fc_err *err)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	int rc = load_key(s, pk, sk, err);
	sodium_memzero(sk, sizeof sk);
	if (rc)
		return rc;
	char bp[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, B64)];
	sodium_bin2base64(bp, sizeof bp, pk, sizeof pk, B64);
	*out = json_pack("{s:s,s:s,s:s}", "algorithm", "Ed25519", "public_key", bp, "signs",
			 "RFC 8785 canonical JSON of the history object");
	return 0;
}

/* A string as RFC 8785 serialises it only when it has no control
 * characters (jansson writes \u001F where JSON.stringify writes \u001f):
 * titles and names are cleaned of them, which no one misses. */
static json_t *clean_str(const char *s)
{
	char *c = strdup(s ? s : "");
	if (!c)
		return NULL;
	for (char *p = c; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	json_t *v = json_string(c);
	free(c);
	return v ? v : json_string(""); /* not UTF-8: never stored, but never NULL either */
}

static json_t *project_row(fc_stmt *st)
{
	return json_pack("{s:I,s:o,s:s,s:I,s:I,s:I,s:I,s:I}", "project", (json_int_t)fc_stmt_int(st, 0), "title",
			 clean_str(fc_stmt_text(st, 1)), "kind", fc_stmt_text(st, 2), "submitted",
			 (json_int_t)fc_stmt_int(st, 3), "accepted", (json_int_t)fc_stmt_int(st, 4), "rejected",
			 (json_int_t)fc_stmt_int(st, 5), "seconds", (json_int_t)fc_stmt_int(st, 6), "first_at",
			 (json_int_t)fc_stmt_int(st, 7));
}

/* The record: integers and strings only (RFC 8785 numbers are then plain
 * decimal integers, the same in every implementation). */
static int build(fc_db *db, const fc_user *user, json_t **out, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT s.project_id, p.title, p.kind, COUNT(*), "
			     "SUM(CASE WHEN s.status IN ('accepted','auto_accepted') THEN 1 ELSE 0 END), "
			     "SUM(CASE WHEN s.status='rejected' THEN 1 ELSE 0 END), "
			     "CAST(SUM(s.active_seconds) AS INTEGER), MIN(s.created_at) "
			     "FROM submissions s JOIN projects p ON p.id=s.project_id "
			     "WHERE s.user_id=? AND s.erased_at IS NULL GROUP BY s.project_id, p.title, p.kind "
			     "ORDER BY s.project_id",
			     "I", user->id);
	if (rc)
		return rc;
	json_t *projects = json_array();
	int64_t sub = 0, acc = 0, rej = 0, secs = 0, first = 0;
	int r;
	while ((r = fc_stmt_next(st)) == 1) {
		json_t *row = project_row(st);
		sub += fc_stmt_int(st, 3);
		acc += fc_stmt_int(st, 4);
		rej += fc_stmt_int(st, 5);
		secs += fc_stmt_int(st, 6);
		if (!first || fc_stmt_int(st, 7) < first)
			first = fc_stmt_int(st, 7);
		json_array_append_new(projects, row);
	}
	fc_stmt_done(st);
	if (r < 0) {
		json_decref(projects);
		return fc_err_set(err, FC_EDB, "database_error", NULL, "Reading the work history failed.");
	}
	/* qualifications passed (the tests' grants) */
	json_t *quals = json_array();
	if (!(rc = fc_db_query(db, &st, err,
			       "SELECT q.project_id, p.title, MIN(q.scored_at) FROM qualification_attempts q "
			       "JOIN projects p ON p.id=q.project_id WHERE q.user_id=? AND q.passed=1 "
			       "GROUP BY q.project_id, p.title ORDER BY q.project_id",
			       "I", user->id))) {
		while (fc_stmt_next(st) == 1)
			json_array_append_new(quals, json_pack("{s:I,s:o,s:I}", "test", (json_int_t)fc_stmt_int(st, 0),
							       "title", clean_str(fc_stmt_text(st, 1)), "passed_at",
							       (json_int_t)fc_stmt_int(st, 2)));
		fc_stmt_done(st);
	}
	if (rc) {
		json_decref(projects);
		json_decref(quals);
		return rc;
	}
	json_t *totals = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "projects", (json_int_t)json_array_size(projects),
				   "submitted", (json_int_t)sub, "accepted", (json_int_t)acc, "rejected",
				   (json_int_t)rej, "seconds", (json_int_t)secs, "acceptance_per_mille",
				   (json_int_t)(acc + rej ? (acc * 1000 + (acc + rej) / 2) / (acc + rej) : 0));
	*out = json_pack("{s:s,s:i,s:{s:I,s:o},s:I,s:I,s:o,s:o,s:o}", "platform", "faircrowd", "format", 1,
			 "contributor", "id", (json_int_t)user->id, "name", clean_str(user->display_name), "issued_at",
			 (json_int_t)fc_clock_now(), "since", (json_int_t)first, "totals", totals, "projects", projects,
			 "qualifications", quals);
	return *out ? 0 : fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
}

int fc_history_get(fc_store *s, const fc_user *user, json_t **out, fc_err *err)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	int rc = load_key(s, pk, sk, err);
	if (rc) {
		sodium_memzero(sk, sizeof sk);
		return rc;
	}
	fc_db *db;
	json_t *h = NULL;
	if (!(rc = fc_db_begin(s, FC_DB_READ, &db, err))) {
		rc = build(db, user, &h, err);
		fc_db_rollback(db);
	}
	/* RFC 8785: keys sorted (ASCII keys: code-unit order is byte order), no
	 * whitespace, strings as JSON.stringify writes them, integers plain */
	char *canon = rc ? NULL : json_dumps(h, JSON_COMPACT | JSON_SORT_KEYS);
	if (!rc && !canon)
		rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	if (!rc) {
		unsigned char sig[crypto_sign_BYTES];
		crypto_sign_detached(sig, NULL, (const unsigned char *)canon, strlen(canon), sk);
		char bsig[sodium_base64_ENCODED_LEN(crypto_sign_BYTES, B64)];
		char bp[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, B64)];
		sodium_bin2base64(bsig, sizeof bsig, sig, sizeof sig, B64);
		sodium_bin2base64(bp, sizeof bp, pk, sizeof pk, B64);
		*out = json_pack("{s:O,s:s,s:s,s:s}", "history", h, "signature", bsig, "public_key", bp, "algorithm",
				 "Ed25519");
	}
	sodium_memzero(sk, sizeof sk);
	free(canon);
	json_decref(h);
	return rc;
}
