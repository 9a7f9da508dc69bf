#include "work/uploads.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void fc_upload_clear(fc_upload *u)
{
	json_decref(u->metadata);
	u->metadata = NULL;
}

int fc_upload_parse_metadata(const char *h, json_t **out, fc_err *err)
{
	json_t *o = json_object();
	if (!h || !*h) {
		*out = o;
		return 0;
	}
	char *copy = strdup(h), *save = NULL;
	int rc = 0;
	for (char *pair = strtok_r(copy, ",", &save); pair && !rc; pair = strtok_r(NULL, ",", &save)) {
		while (*pair == ' ')
			pair++;
		char *sp = strchr(pair, ' ');
		if (sp)
			*sp++ = 0;
		if (!*pair || strlen(pair) > 64) {
			rc = fc_err_set(err, FC_EINVAL, "invalid_metadata", "Upload-Metadata",
					"Upload-Metadata has an empty or long key.");
			break;
		}
		unsigned char val[1024];
		size_t vlen = 0;
		if (sp && *sp &&
		    sodium_base642bin(val, sizeof val - 1, sp, strlen(sp), NULL, &vlen, NULL,
				      sodium_base64_VARIANT_ORIGINAL)) {
			rc = fc_err_set(err, FC_EINVAL, "invalid_metadata", "Upload-Metadata",
					"The value of '%.64s' in Upload-Metadata is not base64.", pair);
			break;
		}
		val[vlen] = 0;
		json_object_set_new(o, pair, json_stringn((const char *)val, vlen));
	}
	free(copy);
	if (rc)
		json_decref(o);
	else
		*out = o;
	return rc;
}

static char upload_dir[1024] = ".";
static int64_t upload_quota = FC_UPLOAD_QUOTA_DEFAULT;

void fc_upload_configure(const char *data_dir, int64_t quota)
{
	snprintf(upload_dir, sizeof upload_dir, "%s", data_dir);
	upload_quota = quota > 0 ? quota : FC_UPLOAD_QUOTA_DEFAULT;
}

int64_t fc_upload_quota(void) { return upload_quota; }

/* Where fc_upload_file assembles a finished upload on this server. */
static void path_of(const char *data_dir, const char *id, char *buf, size_t n)
{
	int w = snprintf(buf, n, "%s/uploads/%s", data_dir, id);
	if (w < 0 || (size_t)w >= n)
		buf[0] = '\0'; /* too long: no path rather than a wrong one */
}

int fc_upload_create(fc_store *s, const fc_user *user, int64_t length, json_t *metadata, fc_upload *out, fc_err *err)
{
	if (length < 0 || length > FC_UPLOAD_MAX)
		return fc_err_set(err, FC_ETOOBIG, "too_large", "Upload-Length",
				  "Upload-Length must be from 0 to %lld bytes.", (long long)FC_UPLOAD_MAX);
	memset(out, 0, sizeof *out);
	fc_crypto_token(out->id);
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	if (!(rc = fc_db_query(db, &st, err, "SELECT COUNT(*), COALESCE(SUM(length),0) FROM uploads WHERE user_id=?",
			       "I", user->id))) {
		int64_t n = 0, declared = 0;
		if (fc_stmt_next(st) == 1) {
			n = fc_stmt_int(st, 0);
			declared = fc_stmt_int(st, 1);
		}
		fc_stmt_done(st);
		if (n >= FC_UPLOAD_OPEN_MAX || declared + length > upload_quota)
			rc = fc_err_set(err, FC_ETOOBIG, "quota_exceeded", "Upload-Length",
					"Your unfinished uploads (%lld, %lld bytes) leave no room for %lld more bytes "
					"(at most %d uploads, %lld bytes); finish or delete one first.",
					(long long)n, (long long)declared, (long long)length, FC_UPLOAD_OPEN_MAX,
					(long long)upload_quota);
	}
	int64_t now = fc_clock_now();
	if (!rc)
		rc = fc_db_exec(db, err,
				"INSERT INTO uploads(id,user_id,length,metadata,created_at,updated_at) VALUES(?,?,?,?,?,?)",
				"tIIjII", out->id, user->id, length, metadata, now, now);
	if (fc_db_end(db, &rc, err))
		return rc;
	out->length = length;
	out->metadata = json_incref(metadata);
	return 0;
}

static int load(fc_db *db, const fc_user *user, const char *id, fc_upload *out, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err, "SELECT length, \"offset\", metadata FROM uploads WHERE id=? AND user_id=?",
			     "tI", id, user->id);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1) {
		snprintf(out->id, sizeof out->id, "%s", id);
		out->length = fc_stmt_int(st, 0);
		out->offset = fc_stmt_int(st, 1);
		out->metadata = fc_stmt_json(st, 2);
	} else {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such upload.");
	}
	fc_stmt_done(st);
	return rc;
}

int fc_upload_get(fc_store *s, const fc_user *user, const char *id, fc_upload *out, fc_err *err)
{
	fc_db *db;
	memset(out, 0, sizeof *out);
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	rc = load(db, user, id, out, err);
	fc_db_rollback(db);
	return rc;
}

/* Stores len bytes of f from offset as pieces of at most PART bytes, in the
 * transaction that moves the offset: a PATCH cut off mid-way leaves nothing. */
#define PART (1024 * 1024)
static int store_parts(fc_db *db, const char *id, int64_t offset, FILE *f, uint64_t len, fc_err *err)
{
	unsigned char *buf = malloc(len < PART ? (size_t)len + 1 : PART);
	if (!buf)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	int rc = 0;
	for (uint64_t done = 0; done < len && !rc;) {
		size_t want = len - done < PART ? (size_t)(len - done) : PART;
		if (fread(buf, 1, want, f) != want) {
			rc = fc_err_set(err, FC_EIO, "internal", NULL, "Cannot read the request body.");
			break;
		}
		rc = fc_db_exec(db, err, "INSERT INTO upload_parts(upload_id,start,data) VALUES(?,?,?)", "tIb", id,
				offset + (int64_t)done, buf, want);
		done += want;
	}
	free(buf);
	return rc;
}

int fc_upload_append(fc_store *s, const fc_user *user, const char *id, int64_t offset, FILE *f, uint64_t len,
		     int64_t *new_offset, fc_err *err)
{
	fc_upload u;
	int rc = fc_upload_get(s, user, id, &u, err);
	if (rc)
		return rc;
	if (offset != u.offset) {
		rc = fc_err_set(err, FC_ECONFLICT, "offset_mismatch", "Upload-Offset",
				"Upload-Offset is %lld but the upload holds %lld bytes; resume from there.",
				(long long)offset, (long long)u.offset);
		goto out;
	}
	if ((int64_t)len > u.length - u.offset) {
		rc = fc_err_set(err, FC_ETOOBIG, "too_large", NULL, "The bytes go past Upload-Length (%lld).",
				(long long)u.length);
		goto out;
	}
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		goto out;
	/* compare-and-set: two PATCHes racing for the same offset (on any
	 * servers), one wins */
	rc = fc_db_exec(db, err, "UPDATE uploads SET \"offset\"=?, updated_at=? WHERE id=? AND \"offset\"=?", "IItI",
			offset + (int64_t)len, fc_clock_now(), id, offset);
	if (!rc && fc_db_changes(db) != 1)
		rc = fc_err_set(err, FC_ECONFLICT, "offset_mismatch", "Upload-Offset",
				"Another request moved this upload on.");
	if (!rc && len)
		rc = store_parts(db, id, offset, f, len, err);
	if (!fc_db_end(db, &rc, err))
		*new_offset = offset + (int64_t)len;
out:
	fc_upload_clear(&u);
	return rc;
}

/* Writes the upload's pieces, in order, into a new file at path, hashing
 * them and starting their write-back on the way (core/spool.h). */
static int assemble(fc_store *s, const char *id, int64_t length, const char *path, char sha[65], fc_err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return fc_err_write(err, errno, "the upload");
	fc_spool *sp = fc_spool_new(fd, (uint64_t)length);
	fc_db *db = NULL;
	int rc = sp ? fc_db_begin(s, FC_DB_READ, &db, err) : fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	fc_stmt *st;
	int64_t at = 0;
	if (!rc && !(rc = fc_db_query(db, &st, err,
				      "SELECT start, data FROM upload_parts WHERE upload_id=? ORDER BY start", "t", id))) {
		int r;
		while (!rc && (r = fc_stmt_next(st)) == 1) {
			size_t n = 0;
			const unsigned char *p = fc_stmt_blob(st, 1, &n);
			if (fc_stmt_int(st, 0) != at) {
				rc = fc_err_set(err, FC_EIO, "internal", NULL, "The upload's bytes are incomplete.");
				break;
			}
			int e = fc_spool_write(sp, p, n);
			if (e)
				rc = fc_err_write(err, e, "the upload");
			at += (int64_t)n;
		}
		if (!rc && r < 0)
			rc = fc_err_set(err, FC_EDB, "database_error", NULL, "Cannot read the upload.");
		fc_stmt_done(st);
	}
	if (db)
		fc_db_rollback(db);
	if (!rc && at != length)
		rc = fc_err_set(err, FC_EIO, "internal", NULL, "The upload's bytes are incomplete.");
	if (rc) {
		fc_spool_free(sp);
	} else {
		int e = fc_spool_finish(sp, sha);
		if (e)
			rc = fc_err_write(err, e, "the upload");
	}
	if (close(fd) && !rc)
		rc = fc_err_write(err, errno, "the upload");
	if (rc)
		unlink(path);
	return rc;
}

int fc_upload_file(fc_store *s, const char *data_dir, const fc_user *user, const char *id, char *buf, size_t n,
		   char sha[65], fc_upload *out, fc_err *err)
{
	int rc = fc_upload_get(s, user, id, out, err);
	if (rc)
		return rc;
	if (out->offset != out->length) {
		rc = fc_err_set(err, FC_ECONFLICT, "upload_incomplete", NULL,
				"The upload holds %lld of %lld bytes; send the rest first.", (long long)out->offset,
				(long long)out->length);
		fc_upload_clear(out);
		return rc;
	}
	char dir[1100];
	snprintf(dir, sizeof dir, "%s/uploads", data_dir);
	if (mkdir(dir, 0700) && errno != EEXIST)
		rc = fc_err_write(err, errno, "the upload");
	else if (snprintf(buf, n, "%s/%s", dir, id) >= (int)n)
		rc = fc_err_set(err, FC_EIO, "internal", NULL, "The data folder's path is too long.");
	else
		rc = assemble(s, id, out->length, buf, sha, err);
	if (rc)
		fc_upload_clear(out);
	return rc;
}

int fc_upload_remove(fc_store *s, const char *data_dir, const fc_user *user, const char *id, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	rc = fc_db_exec(db, err, "DELETE FROM uploads WHERE id=? AND user_id=?", "tI", id, user->id);
	if (!rc && fc_db_changes(db) == 0)
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such upload.");
	if (!rc)
		rc = fc_db_exec(db, err, "DELETE FROM upload_parts WHERE upload_id=?", "t", id);
	if (!fc_db_end(db, &rc, err)) {
		char path[1200]; /* the file fc_upload_file assembled on this server, if any */
		snprintf(path, sizeof path, "%s/uploads/%s", data_dir, id);
		unlink(path);
	}
	return rc;
}

int fc_upload_expire(fc_store *s, int64_t now, int64_t *removed, fc_err *err)
{
	for (;;) {
		fc_db *db;
		int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
		if (rc)
			return rc;
		char ids[256][44];
		int k = 0;
		fc_stmt *st;
		rc = fc_db_query(db, &st, err, "SELECT id FROM uploads WHERE updated_at<=? ORDER BY updated_at LIMIT 256",
				 "I", now - FC_UPLOAD_IDLE_SECONDS);
		if (!rc) {
			while (k < 256 && fc_stmt_next(st) == 1)
				snprintf(ids[k++], sizeof ids[0], "%s", fc_stmt_text(st, 0));
			fc_stmt_done(st);
		}
		for (int i = 0; !rc && i < k; i++)
			if (!(rc = fc_db_exec(db, err, "DELETE FROM uploads WHERE id=?", "t", ids[i])))
				rc = fc_db_exec(db, err, "DELETE FROM upload_parts WHERE upload_id=?", "t", ids[i]);
		if (fc_db_end(db, &rc, err))
			return rc;
		/* the rows and their bytes are gone: an assembled file left by a
		 * crash here is swept at start */
		for (int i = 0; i < k; i++) {
			char path[1200];
			path_of(upload_dir, ids[i], path, sizeof path);
			unlink(path);
		}
		*removed += k;
		if (k < 256)
			return 0;
	}
}

int fc_upload_sweep(fc_store *s, fc_err *err)
{
	char dir[1100];
	snprintf(dir, sizeof dir, "%s/uploads", upload_dir);
	DIR *d = opendir(dir);
	if (!d)
		return 0; /* no upload yet */
	int rc = 0;
	for (struct dirent *e; !rc && (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		int64_t known = 0;
		fc_db *db;
		if ((rc = fc_db_begin(s, FC_DB_READ, &db, err)))
			break;
		rc = fc_db_int(db, &known, NULL, "SELECT 1 FROM uploads WHERE id=?", "t", e->d_name);
		fc_db_rollback(db);
		if (rc == FC_ENOTFOUND) {
			char path[1400];
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			unlink(path);
			rc = 0;
		} else if (rc) {
			rc = fc_err_set(err, rc, NULL, NULL, "Cannot check the upload %s.", e->d_name);
		}
	}
	closedir(d);
	return rc;
}
