/* Erasure beyond a withdrawal: the retention job and account deletion.
 * See trust.h. */
#include "account/throttle.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "events/outbox.h"
#include "privacy/audit.h"
#include "privacy/trust.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH FC_ERASE_BATCH
#define CHUNK FC_IDS_MAX

/* The media ids[0..n) marked erased with the submissions that carry them
 * (of the media's own project), their waveform peaks gone: three
 * statements for up to FC_IDS_MAX files rather than three per file. */
static int erase_chunk(fc_db *db, int64_t now, const int64_t *ids, size_t n, fc_err *err)
{
	static const char *const sql[] =
		{"UPDATE media SET erased_at=COALESCE(erased_at,?) WHERE id IN (" FC_IDS_Q ")",
		 "UPDATE submissions SET erased_at=COALESCE(erased_at,?) WHERE EXISTS (SELECT 1 FROM media m WHERE "
		 "m.id=submissions.media_id AND m.project_id=submissions.project_id) AND media_id IN (" FC_IDS_Q ")",
		 "DELETE FROM media_peaks WHERE media_id IN (" FC_IDS_Q ")"};
	int rc = 0;
	for (size_t k = 0; !rc && k < sizeof sql / sizeof sql[0]; k++)
		rc = fc_db_exec_ids(db, err, sql[k], &now, k < 2, ids, n);
	return rc;
}

int fc_erase_media_where(fc_db *db, const char *select, int64_t a, int64_t b, int64_t *n_out, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err, select, "II", a, b);
	if (rc)
		return rc;
	/* collected first: the writes below must not run while the query is open */
	struct {
		int64_t id, project;
		char sha[65];
	} *items = calloc(BATCH, sizeof *items);
	size_t n = 0;
	int r = 0;
	if (!items)
		rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	while (!rc && n < BATCH && (r = fc_stmt_next(st)) == 1) {
		items[n].id = fc_stmt_int(st, 0);
		items[n].project = fc_stmt_int(st, 1);
		snprintf(items[n].sha, sizeof items[n].sha, "%s", fc_stmt_text(st, 2));
		n++;
	}
	fc_stmt_done(st);
	if (!rc && r < 0)
		rc = fc_err_set(err, FC_EDB, "database_error", NULL, "The media to erase could not be read.");
	int64_t now = fc_clock_now();
	for (size_t i = 0; !rc && i < n; i += CHUNK) {
		int64_t ids[CHUNK];
		size_t k = n - i < CHUNK ? n - i : CHUNK;
		for (size_t j = 0; j < k; j++)
			ids[j] = items[i + j].id;
		rc = erase_chunk(db, now, ids, k, err);
	}
	for (size_t i = 0; !rc && i < n; i++)
		rc = fc_outbox_put(db, "erasure", items[i].id, items[i].project, "erase_media", items[i].sha, err);
	free(items);
	*n_out = (int64_t)n;
	return rc;
}

/* ---- retention ---- */

int fc_retention_check(fc_db *db, fc_event *ev, fc_err *err)
{
	(void)db;
	const json_t *v = json_object_get(ev->json, "retention_days");
	if (v && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 3650))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "retention_days",
				  "retention_days is a number of days from 1 to 3650, or null to keep media.");
	return 0;
}

int fc_retention_saved(fc_db *db, fc_event *ev, fc_err *err)
{
	const json_t *v = json_object_get(ev->json, "retention_days");
	int keep = !json_is_integer(v);
	return fc_db_exec(db, err, "UPDATE projects SET retention_days=CASE WHEN ?=1 THEN NULL ELSE ? END WHERE id=?",
			  "iII", keep, keep ? (int64_t)0 : (int64_t)json_integer_value(v), ev->project);
}

int fc_retention_closed(fc_db *db, fc_event *ev, fc_err *err)
{
	return fc_db_exec(db, err, "UPDATE projects SET closed_at=COALESCE(closed_at,?) WHERE id=?", "II",
			  fc_clock_now(), ev->project);
}

/* One project's expired media, a batch per transaction, then one audit row. */
static int retain_project(fc_store *s, int64_t project, int64_t *total, fc_err *err)
{
	int64_t n, sum = 0;
	int rc = 0;
	do {
		fc_db *db;
		if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
			return rc;
		rc = fc_erase_media_where(db, FC_ERASE_SELECT("m.erased_at IS NULL AND m.project_id=? AND m.id>?"),
					  project, 0, &n, err);
		sum += n;
		if (!rc && n < BATCH && sum) {
			char target[48];
			snprintf(target, sizeof target, "project:%" PRId64, project);
			json_t *d = json_pack("{s:I}", "media_erased", (json_int_t)sum);
			rc = fc_audit_append(db, 0, "retention.erase", target, d, err);
			json_decref(d);
		}
		if ((rc = fc_db_end(db, &rc, err)))
			return rc;
	} while (n == BATCH);
	*total += sum;
	return 0;
}

int fc_retention_job(fc_store *s, int64_t now, fc_jobs_report *rep, fc_err *err)
{
	int64_t due[64];
	size_t n = 0;
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	if (!(rc = fc_db_query(db, &st, err,
			       "SELECT p.id FROM projects p WHERE p.status='closed' AND p.retention_days IS NOT NULL AND "
			       "p.closed_at IS NOT NULL AND p.closed_at+p.retention_days*86400<=? AND EXISTS(SELECT 1 FROM "
			       "media m WHERE m.project_id=p.id AND m.erased_at IS NULL) ORDER BY p.id LIMIT 64",
			       "I", now))) {
		while (n < 64 && fc_stmt_next(st) == 1)
			due[n++] = fc_stmt_int(st, 0);
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	for (size_t i = 0; !rc && i < n; i++)
		rc = retain_project(s, due[i], &rep->retention_erased, err);
	return rc;
}

/* ---- account deletion ---- */

int fc_account_delete(fc_store *s, const fc_user *user, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field F[] = {{"confirm", FC_J_BOOL}, {0}};
	int rc = fc_json_check(body, F, err);
	if (rc)
		return rc;
	if (!json_is_true(json_object_get(body, "confirm")))
		return fc_err_set(err, FC_EINVAL, "confirmation_required", "confirm",
				  "Deleting your account cannot be undone: send {\"confirm\": true}.");
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	int64_t live = 0, admins = 0, media = 0, n;
	if ((rc = fc_db_int(db, &live, err,
			    "SELECT COUNT(*) FROM projects WHERE owner_id=? AND status IN ('live','paused')", "I",
			    user->id)))
		goto out;
	if (live) {
		rc = fc_err_set(err, FC_ECONFLICT, "owns_live_projects", NULL,
				"You own %" PRId64 " live or paused project(s): close them (contributors are owed a "
				"decision on their work) and then delete your account.",
				live);
		goto out;
	}
	if ((user->roles & 1) &&
	    (rc = fc_db_int(db, &admins, err,
			    "SELECT COUNT(*) FROM users WHERE id<>? AND (roles % 2)=1 AND disabled_at IS NULL AND "
			    "deleted_at IS NULL",
			    "I", user->id)))
		goto out;
	if ((user->roles & 1) && !admins) {
		rc = fc_err_set(err, FC_ECONFLICT, "last_admin", NULL,
				"You are the only admin: make someone else admin before deleting your account.");
		goto out;
	}
	char tok[44], rnd[65], pseud[48], email[96], name[64], throttle[65];
	fc_crypto_token(tok);
	fc_crypto_hash_hex(tok, rnd); /* random: the pseudonym says nothing of the account */
	snprintf(pseud, sizeof pseud, "deleted-%.16s", rnd);
	snprintf(email, sizeof email, "%s@deleted.invalid", pseud);
	snprintf(name, sizeof name, "Deleted account %.8s", rnd);
	fc_throttle_account(user->email, throttle);
	int64_t now = fc_clock_now();
	/* the voices and faces first: their bytes go through the outbox */
	do {
		if ((rc = fc_erase_media_where(db, FC_ERASE_SELECT("m.erased_at IS NULL AND m.user_id=? AND m.id>?"),
					       user->id, 0, &n, err)))
			goto out;
		media += n;
	} while (n == BATCH);
	/* whole statements, not one built in a buffer: the store caches
	 * prepared statements by the text's address too, and one buffer that
	 * held each table's DELETE in turn ran the first table's again */
#define DEL(t) "DELETE FROM " t " WHERE user_id=?"
	static const char *const personal[] = {DEL("sessions"),          DEL("api_tokens"),
					       DEL("password_resets"),   DEL("notifications"),
					       DEL("contributor_prefs"), DEL("identity_documents"),
					       DEL("project_members")};
#undef DEL
	for (size_t i = 0; i < sizeof personal / sizeof personal[0]; i++)
		if ((rc = fc_db_exec(db, err, personal[i], "I", user->id)))
			goto out;
	if ((rc = fc_db_exec(db, err, "DELETE FROM login_failures WHERE account=?", "t", throttle)) ||
	    (rc = fc_db_exec(db, err, "DELETE FROM login_known WHERE account=?", "t", throttle)) ||
	    (rc = fc_db_exec(db, err,
			     "UPDATE users SET email=?, display_name=?, password_hash='!', country=NULL, languages='[]', "
			     "demographics='{}', qualifications='[]', verified_at=NULL, deleted_at=?, "
			     "disabled_at=COALESCE(disabled_at,?) WHERE id=?",
			     "ttIII", email, name, now, now, user->id)) ||
	    (rc = fc_db_exec(db, err, "UPDATE auth_version SET version=version+1 WHERE id=1", "")))
		goto out;
	char target[48];
	snprintf(target, sizeof target, "user:%" PRId64, user->id);
	json_t *d = json_pack("{s:s,s:I}", "pseudonym", pseud, "media_erased", (json_int_t)media);
	rc = fc_audit_append(db, user->id, "account.delete", target, d, err);
	json_decref(d);
	if (rc)
		goto out;
	char ts[32];
	*out = json_pack("{s:b,s:s,s:s,s:I}", "deleted", 1, "pseudonym", pseud, "deleted_at",
			 fc_clock_format(now, ts, sizeof ts), "media_erased", (json_int_t)media);
out:
	rc = fc_db_end(db, &rc, err);
	fc_account_forget_tokens();
	return rc;
}
