/* Identity verification: the document sealed at rest with libsodium
 * secretbox, opened only for the reviewing admin, its bytes dropped at the
 * decision. See trust.h and docs/privacy.md (key rotation). */
#include "core/clock.h"
#include "core/json.h"
#include "privacy/audit.h"
#include "privacy/trust.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEYS 8
#define KEY_ID_MAX 32

typedef struct key {
	char id[KEY_ID_MAX + 1];
	unsigned char k[crypto_secretbox_KEYBYTES];
} key;

/* One "ID:HEX64" (or a bare HEX64 as "default") into *k; 0 or -1. */
static int parse_key(const char *s, size_t n, key *k)
{
	const char *colon = memchr(s, ':', n);
	const char *hex = colon ? colon + 1 : s;
	size_t idn = colon ? (size_t)(colon - s) : 7;
	if (idn == 0 || idn > KEY_ID_MAX)
		return -1;
	snprintf(k->id, sizeof k->id, "%.*s", (int)idn, colon ? s : "default");
	size_t bin_len = 0, hexn = n - (size_t)(hex - s);
	if (sodium_hex2bin(k->k, sizeof k->k, hex, hexn, NULL, &bin_len, NULL) || bin_len != sizeof k->k)
		return -1;
	return 0;
}

/* The configured keys, the sealing one first; -1 when the configuration
 * is malformed (logged by the caller as 503). */
static int load_keys(key *keys, int *n)
{
	*n = 0;
	const char *list = getenv("FAIRCROWD_IDENTITY_KEYS");
	if (!list || !*list)
		list = getenv("FAIRCROWD_IDENTITY_KEY");
	if (!list || !*list)
		return 0;
	while (*list && *n < MAX_KEYS) {
		size_t len = strcspn(list, ",");
		if (parse_key(list, len, &keys[*n]))
			return -1;
		(*n)++;
		list += len + (list[len] == ',');
	}
	return 0;
}

static void wipe_keys(key *keys) { sodium_memzero(keys, sizeof(key) * MAX_KEYS); }

/* The image types a phone camera or scanner gives, checked by their first
 * bytes, not only by the header the client sent. */
static const char *image_type(const char *declared, const unsigned char *d, size_t n)
{
	if (n >= 3 && !memcmp(d, "\xff\xd8\xff", 3))
		return declared && strstr(declared, "jpeg") ? "image/jpeg" : NULL;
	if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
		return declared && strstr(declared, "png") ? "image/png" : NULL;
	if (n >= 12 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4))
		return declared && strstr(declared, "webp") ? "image/webp" : NULL;
	return NULL;
}

int fc_identity_submit(fc_store *s, const fc_user *user, const char *content_type, const void *data, size_t len,
		       json_t **out, fc_err *err)
{
	if (!len)
		return fc_err_set(err, FC_EINVAL, "empty_body", NULL, "Send a photo or scan of your identity document.");
	const char *type = image_type(content_type, data, len);
	if (!type)
		return fc_err_set(err, FC_ETYPE, "unsupported_media_type", NULL,
				  "The document must be a JPEG, PNG or WebP image (and sent with its own type).");
	key keys[MAX_KEYS];
	int nkeys, rc;
	if (load_keys(keys, &nkeys) || !nkeys) {
		wipe_keys(keys);
		return fc_err_set(err, FC_EBUSY, "identity_unavailable", NULL,
				  "Identity verification is not configured on this server (no sealing key).");
	}
	size_t sealed_len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
	unsigned char *sealed = malloc(sealed_len);
	if (!sealed) {
		wipe_keys(keys);
		return fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	}
	randombytes_buf(sealed, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(sealed + crypto_secretbox_NONCEBYTES, data, len, sealed, keys[0].k);
	char key_id[KEY_ID_MAX + 1];
	snprintf(key_id, sizeof key_id, "%s", keys[0].id);
	wipe_keys(keys);

	fc_db *db;
	int64_t id = 0, one;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err))) {
		free(sealed);
		return rc;
	}
	if (!fc_db_int(db, &one, NULL, "SELECT 1 FROM users WHERE id=? AND verified_at IS NOT NULL", "I", user->id))
		rc = fc_err_set(err, FC_ECONFLICT, "already_verified", NULL, "Your identity is already verified.");
	else if (!fc_db_int(db, &one, NULL, "SELECT 1 FROM identity_documents WHERE user_id=? AND status='pending'",
			    "I", user->id))
		rc = fc_err_set(err, FC_ECONFLICT, "identity_pending", NULL,
				"Your document is waiting for review; send another after the decision.");
	if (rc)
		goto out;
	int64_t now = fc_clock_now();
	char target[48];
	if ((rc = fc_db_int(db, &id, err,
			    "INSERT INTO identity_documents(user_id,content_type,key_id,sealed,created_at) "
			    "VALUES(?,?,?,?,?) RETURNING id",
			    "IttbI", user->id, type, key_id, sealed, sealed_len, now)))
		goto out;
	snprintf(target, sizeof target, "identity:%" PRId64, id);
	if ((rc = fc_audit_append(db, user->id, "identity.submit", target, NULL, err)))
		goto out;
	char ts[32];
	*out = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "status", "pending", "created_at",
			 fc_clock_format(now, ts, sizeof ts));
out:
	sodium_memzero(sealed, sealed_len);
	free(sealed);
	return fc_db_end(db, &rc, err);
}

static json_t *doc_json(fc_stmt *st)
{
	return json_pack("{s:I,s:s,s:o,s:o,s:o}", "id", (json_int_t)fc_stmt_int(st, 0), "status", fc_stmt_text(st, 1),
			 "reason", fc_stmt_isnull(st, 2) ? json_null() : json_string(fc_stmt_text(st, 2)), "created_at",
			 fc_stmt_time(st, 3), "decided_at", fc_stmt_time(st, 4));
}

int fc_identity_status(fc_store *s, const fc_user *user, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	json_t *verified_at = NULL, *docs = json_array();
	if (!(rc = fc_db_query(db, &st, err, "SELECT verified_at FROM users WHERE id=?", "I", user->id))) {
		verified_at = fc_stmt_next(st) == 1 ? fc_stmt_time(st, 0) : json_null();
		fc_stmt_done(st);
	}
	if (!rc && !(rc = fc_db_query(db, &st, err,
				      "SELECT id,status,reason,created_at,decided_at FROM identity_documents WHERE "
				      "user_id=? ORDER BY id DESC LIMIT 20",
				      "I", user->id))) {
		while (fc_stmt_next(st) == 1)
			json_array_append_new(docs, doc_json(st));
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	if (rc) {
		json_decref(verified_at);
		json_decref(docs);
		return rc;
	}
	*out = json_pack("{s:b,s:o,s:o,s:b}", "verified", !json_is_null(verified_at), "verified_at", verified_at,
			 "documents", docs, "available",
			 getenv("FAIRCROWD_IDENTITY_KEYS") || getenv("FAIRCROWD_IDENTITY_KEY"));
	return 0;
}

/* Opens sealed[0..n) with the key named key_id into a new base64 string. */
static int open_doc(const char *key_id, const unsigned char *sealed, size_t n, char **b64, fc_err *err)
{
	key keys[MAX_KEYS];
	int nkeys, rc = 0;
	const key *k = NULL;
	if (!load_keys(keys, &nkeys))
		for (int i = 0; i < nkeys && !k; i++)
			if (!strcmp(keys[i].id, key_id))
				k = &keys[i];
	if (!k) {
		wipe_keys(keys);
		return fc_err_set(err, FC_EBUSY, "identity_key_missing", NULL,
				  "The key '%s' that sealed this document is not configured; keep old keys listed after a "
				  "rotation.",
				  key_id);
	}
	if (n < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
		wipe_keys(keys);
		return fc_err_set(err, FC_EIO, "identity_damaged", NULL, "The sealed document is damaged.");
	}
	size_t plain_len = n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	unsigned char *plain = sodium_malloc(plain_len ? plain_len : 1);
	*b64 = NULL;
	if (!plain)
		rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	else if (crypto_secretbox_open_easy(plain, sealed + crypto_secretbox_NONCEBYTES,
					    n - crypto_secretbox_NONCEBYTES, sealed, k->k))
		rc = fc_err_set(err, FC_EIO, "identity_damaged", NULL,
				"The document does not open with key '%s' (damaged, or the key changed).", key_id);
	else {
		size_t b64_len = sodium_base64_ENCODED_LEN(plain_len, sodium_base64_VARIANT_ORIGINAL);
		if (!(*b64 = malloc(b64_len)))
			rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
		else
			sodium_bin2base64(*b64, b64_len, plain, plain_len, sodium_base64_VARIANT_ORIGINAL);
	}
	if (plain)
		sodium_free(plain); /* zeroed on free */
	wipe_keys(keys);
	return rc;
}

int fc_identity_next(fc_store *s, const fc_user *admin, json_t **out, fc_err *err)
{
	(void)admin; /* the route is admin-only */
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	*out = NULL;
	if (!(rc = fc_db_query(db, &st, err,
			       "SELECT d.id, d.user_id, u.display_name, d.content_type, d.key_id, d.sealed, d.created_at, "
			       "(SELECT COUNT(*) FROM identity_documents WHERE status='pending') FROM identity_documents d "
			       "JOIN users u ON u.id=d.user_id WHERE d.status='pending' AND d.sealed IS NOT NULL "
			       "ORDER BY d.id LIMIT 1",
			       ""))) {
		if (fc_stmt_next(st) == 1) {
			size_t n = 0;
			const unsigned char *sealed = fc_stmt_blob(st, 5, &n);
			char *b64 = NULL;
			if (!(rc = open_doc(fc_stmt_text(st, 4), sealed, n, &b64, err))) {
				*out = json_pack("{s:I,s:I,s:s,s:s,s:o,s:s,s:I}", "id", (json_int_t)fc_stmt_int(st, 0),
						 "user_id", (json_int_t)fc_stmt_int(st, 1), "display_name",
						 fc_stmt_text(st, 2), "content_type", fc_stmt_text(st, 3), "created_at",
						 fc_stmt_time(st, 6), "image", b64, "pending",
						 (json_int_t)fc_stmt_int(st, 7));
				sodium_memzero(b64, strlen(b64));
				free(b64);
			}
		}
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	return rc;
}

int fc_identity_decide(fc_store *s, const fc_user *admin, int64_t id, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field F[] = {{"approve", FC_J_BOOL | FC_J_REQUIRED}, {"reason", FC_J_STRING}, {0}};
	int rc = fc_json_check(body, F, err);
	if (rc)
		return rc;
	int approve = json_is_true(json_object_get(body, "approve"));
	const char *reason = fc_json_str(body, "reason", NULL);
	if (!approve && (!reason || strspn(reason, " \t\r\n") == strlen(reason)))
		return fc_err_set(err, FC_EINVAL, "reason_required", "reason",
				  "Say why the document is refused: the contributor sees the reason.");
	if (reason && strlen(reason) > 2000)
		return fc_err_set(err, FC_EINVAL, "too_long", "reason", "reason is at most 2000 bytes.");
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	fc_stmt *st;
	int64_t owner = 0, now = fc_clock_now();
	int pending = 0, found = 0;
	if ((rc = fc_db_query(db, &st, err, "SELECT user_id, status='pending' FROM identity_documents WHERE id=?", "I",
			      id)))
		goto out;
	if ((found = fc_stmt_next(st) == 1)) {
		owner = fc_stmt_int(st, 0);
		pending = (int)fc_stmt_int(st, 1);
	}
	fc_stmt_done(st);
	if (!found)
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such identity document.");
	else if (owner == admin->id)
		rc = fc_err_set(err, FC_EPERM, "not_independent", NULL, "Another admin reviews your own document.");
	else if (!pending)
		rc = fc_err_set(err, FC_ECONFLICT, "already_decided", NULL, "This document was already decided.");
	if (rc)
		goto out;
	char target[48];
	snprintf(target, sizeof target, "identity:%" PRId64, id);
	json_t *d = json_pack("{s:I,s:b,s:s?}", "contributor", (json_int_t)owner, "approved", approve, "reason", reason);
	/* the bytes go in the same statement as the decision: no reader sees a
	 * decided document with its image */
	if (!(rc = fc_db_exec(db, err,
			      "UPDATE identity_documents SET status=?, reason=?, decided_by=?, decided_at=?, sealed=NULL "
			      "WHERE id=?",
			      "ttIII", approve ? "approved" : "rejected", reason, admin->id, now, id)) &&
	    approve)
		rc = fc_db_exec(db, err, "UPDATE users SET verified_at=? WHERE id=?", "II", now, owner);
	if (!rc)
		rc = fc_audit_append(db, admin->id, "identity.decide", target, d, err);
	json_decref(d);
	if (rc)
		goto out;
	char ts[32];
	*out = json_pack("{s:I,s:s,s:s?,s:s}", "id", (json_int_t)id, "status", approve ? "approved" : "rejected",
			 "reason", reason, "decided_at", fc_clock_format(now, ts, sizeof ts));
out:
	return fc_db_end(db, &rc, err);
}
