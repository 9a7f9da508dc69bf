/* blobs.h — a stored file served to one person: the row that names it (its
 * project, the SHA-256 of its bytes in the blob store, its MIME type), who
 * may read it, and the bytes opened for reading. GET /media/{id} (collected
 * recordings and photos) and GET /files/{id} (files dropped in as tasks)
 * share it; the HTTP side (one byte Range, headers) is fc_api_reply_media. */
#ifndef FC_WORK_BLOBS_H
#define FC_WORK_BLOBS_H

#include "account/account.h"
#include "store/store.h"
#include <stdint.h>
#include <stdio.h>

/* Beyond the project's team (reviewer or owner), who else may read the
 * file: 1 allowed, 0 not. extra holds the row's columns after mime (0 for
 * NULL). */
typedef int (*fc_blob_gate)(fc_db *db, const fc_user *user, int64_t id, int64_t project, const int64_t extra[2]);

/* sql selects project_id, sha256, mime and two integer columns (extra;
 * "0" when unused) of the row whose id is its one '?'. Opens the blob for the
 * project's team and for whoever gate lets in; anything else, and a row
 * that is not there, is FC_ENOTFOUND "No such file." The caller fcloses *f.
 * With f NULL only the check is made (data_dir and size unused). */
int fc_work_blob_open(fc_store *s, const char *data_dir, const fc_user *user, int64_t id, const char *sql,
		      fc_blob_gate gate, FILE **f, uint64_t *size, char mime[64], fc_err *err);

#endif
