/* stored.h — a file stored in faircrowd that a task's data names by its
 * URL, and whether a project may use it: "/api/v1/media/ID" (a recording
 * or photo collected by any project with the same owner, not erased) or
 * "/api/v1/files/ID" (a file dropped into the project itself). Shared by the
 * result checks that read a stored CSV (work/tsdata.c) and the built-in
 * models that read a task's audio or image (ml/fetch.c). */
#ifndef FC_ACCESS_STORED_H
#define FC_ACCESS_STORED_H

#include "store/store.h"
#include <stdint.h>

/* 1 when url has the shape of a stored file's URL (whether or not it
 * exists), else 0. */
int fc_stored_url(const char *url);
/* 0 with the blob's SHA-256 and size; -1 when url names no stored file
 * that project may use (or the read failed). */
int fc_stored_url_blob(fc_db *db, int64_t project, const char *url, char sha[65], int64_t *bytes);
/* 0 with the duration in seconds (> 0) of the recording at a
 * "/api/v1/media/ID" url that project may use, from its media probe; -1
 * when url names none, the probe gives no duration (a photo) or the read
 * failed. Files dropped into a project ("/api/v1/files/ID") are not
 * probed: -1. */
int fc_stored_url_duration(fc_db *db, int64_t project, const char *url, double *seconds);

#endif
