/* fetch.h — the bytes of an image a task points at, for the built-in image
 * model: a data: URI (base64) or an http(s) URL (libcurl, within
 * FC_ML_FETCH_TIMEOUT_MS, at most FC_ML_FETCH_MAX bytes, redirects not
 * followed). The URL is the project owner's, like an ML backend's. */
#ifndef FC_ML_FETCH_H
#define FC_ML_FETCH_H

#include <stddef.h>
#include <stdint.h>

#define FC_ML_FETCH_MAX (20 * 1024 * 1024)
#define FC_ML_FETCH_TIMEOUT_MS 10000L

/* 0 with *bytes (free it) and *len, or -1 with why in error. */
int fc_ml_fetch(const char *url, uint8_t **bytes, size_t *len, char *error, size_t error_len);

#endif
