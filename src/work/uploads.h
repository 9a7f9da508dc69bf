/* uploads.h — resumable uploads (tus 1.0 core + creation).
 *
 * A contributor on a phone with a flaky connection creates an upload of a
 * known length, sends its bytes in any number of PATCHes (each resuming at
 * the offset the server reports), and when complete attaches it to an
 * assignment, which runs the same checks as a one-shot upload. The bytes
 * live in the database (table upload_parts) until attached, committed in the
 * transaction that advances the offset: a resumed upload never skips data,
 * and with many servers on one database any of them takes the next PATCH.
 * Attaching assembles them into DATA/uploads/<id> on the server that
 * attaches. */
#ifndef FC_WORK_UPLOADS_H
#define FC_WORK_UPLOADS_H

#include "account/account.h"
#include "store/store.h"
#include <stdio.h>

#define FC_UPLOAD_MAX ((int64_t)2 * 1024 * 1024 * 1024)

typedef struct fc_upload {
	char id[44];
	int64_t length;
	int64_t offset;
	json_t *metadata; /* owned: decoded Upload-Metadata */
} fc_upload;

/* Parses a tus Upload-Metadata header ("key base64,key2 base64") into an
 * object of strings. NULL header → empty object. FC_EINVAL when malformed. */
int fc_upload_parse_metadata(const char *header, json_t **out, fc_err *err);
int fc_upload_create(fc_store *s, const fc_user *user, int64_t length, json_t *metadata, fc_upload *out, fc_err *err);
/* The user's upload (FC_ENOTFOUND for anyone else's). */
int fc_upload_get(fc_store *s, const fc_user *user, const char *id, fc_upload *out, fc_err *err);
/* Appends body (len bytes, read from f) at offset; FC_ECONFLICT when offset
 * is not the upload's current offset, FC_ETOOBIG past its length. *offset
 * receives the new offset. */
int fc_upload_append(fc_store *s, const fc_user *user, const char *id, int64_t offset, FILE *f, uint64_t len,
		     int64_t *new_offset, fc_err *err);
/* A complete upload assembled into a file of this server's data folder, its
 * path into buf and its SHA-256 (hashed while it was written) into sha, for
 * attaching; FC_ECONFLICT while bytes are missing. */
int fc_upload_file(fc_store *s, const char *data_dir, const fc_user *user, const char *id, char *buf, size_t n,
		   char sha[65], fc_upload *out, fc_err *err);
/* Forgets an upload: its bytes and any assembled file (after attaching, or to cancel). */
int fc_upload_remove(fc_store *s, const char *data_dir, const fc_user *user, const char *id, fc_err *err);
void fc_upload_clear(fc_upload *u);

/* Quotas and expiry (issue #19). A user's unfinished uploads may declare at
 * most `quota` bytes together (FAIRCROWD_UPLOAD_QUOTA, default 4 GiB) and
 * number at most FC_UPLOAD_OPEN_MAX: creating one past either → 413
 * quota_exceeded. An upload no byte reached for FC_UPLOAD_IDLE_SECONDS is
 * removed by the "upload expiry" job (work/jobs.c), its file with it. */
#define FC_UPLOAD_OPEN_MAX 20
#define FC_UPLOAD_IDLE_SECONDS 86400
#define FC_UPLOAD_QUOTA_DEFAULT ((int64_t)4 * 1024 * 1024 * 1024)
/* Where upload files live and the per-user quota (serve, at start). */
void fc_upload_configure(const char *data_dir, int64_t quota);
int64_t fc_upload_quota(void);
/* Removes the uploads idle since before now - FC_UPLOAD_IDLE_SECONDS;
 * *removed counts them. */
int fc_upload_expire(fc_store *s, int64_t now, int64_t *removed, fc_err *err);
/* Removes files in DATA/uploads that no upload names (a crash between the
 * file and its row, or an expiry on another server); at start. */
int fc_upload_sweep(fc_store *s, fc_err *err);

#endif
