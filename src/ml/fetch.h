/* fetch.h — the bytes of an image a task points at, for the built-in image
 * model: a data: URI (base64) or an http(s) URL (libcurl, within
 * FC_ML_FETCH_TIMEOUT_MS, at most FC_ML_FETCH_MAX bytes, redirects not
 * followed). The URL is the project owner's, like an ML backend's. */
#ifndef FC_ML_FETCH_H
#define FC_ML_FETCH_H

#include "store/store.h"
#include <stddef.h>
#include <stdint.h>

#define FC_ML_FETCH_MAX (20 * 1024 * 1024)
#define FC_ML_FETCH_TIMEOUT_MS 10000L

/* 0 with *bytes (free it) and *len, or -1 with why in error. */
int fc_ml_fetch(const char *url, uint8_t **bytes, size_t *len, char *error, size_t error_len);
/* fc_ml_fetch for a task of project, which may also name a file stored in
 * faircrowd ("/api/v1/files/ID" dropped into the project, "/api/v1/media/ID"
 * collected by a project of the same owner: access/stored.h), read from the
 * blob store under the folder fc_ml_fetch_configure gave (start-up). */
void fc_ml_fetch_configure(const char *data_dir);
int fc_ml_fetch_task(fc_store *s, int64_t project, const char *url, uint8_t **bytes, size_t *len, char *error,
		     size_t error_len);

#endif
