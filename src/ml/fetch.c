/* Image bytes by URL: see fetch.h. */
#include "ml/fetch.h"
#include "access/stored.h"
#include "blob/blob.h"
#include "http/outbound.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sink {
	uint8_t *b;
	size_t len, cap;
	int too_big;
} sink;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	sink *s = ud;
	size_t add = size * n;
	if (s->len + add > FC_ML_FETCH_MAX) {
		s->too_big = 1;
		return 0;
	}
	if (s->len + add > s->cap) {
		size_t cap = (s->len + add) * 2 < FC_ML_FETCH_MAX ? (s->len + add) * 2 : FC_ML_FETCH_MAX;
		uint8_t *nb = realloc(s->b, cap);
		if (!nb)
			return 0;
		s->b = nb;
		s->cap = cap;
	}
	memcpy(s->b + s->len, p, add);
	s->len += add;
	return add;
}

static int get(const char *url, uint8_t **bytes, size_t *len, char *error, size_t error_len)
{
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(error, error_len, "libcurl cannot start.");
		return -1;
	}
	sink s = {0};
	long status = 0;
	fc_outbound guard;
	curl_easy_setopt(c, CURLOPT_URL, url);
	fc_outbound_guard(c, &guard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, FC_ML_FETCH_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK || status != 200) {
		const char *why = rc == CURLE_OK                ? "not HTTP 200"
				  : fc_outbound_refused(&guard) ? fc_outbound_refused(&guard)
								: curl_easy_strerror(rc);
		snprintf(error, error_len, "%s: %s", url, s.too_big ? "larger than 20 MB" : why);
		free(s.b);
		return -1;
	}
	*bytes = s.b;
	*len = s.len;
	return 0;
}

static int data_uri(const char *url, uint8_t **bytes, size_t *len, char *error, size_t error_len)
{
	const char *comma = strchr(url, ',');
	if (!comma || !strstr(url, ";base64,") || strstr(url, ";base64,") + 7 != comma) {
		snprintf(error, error_len, "Only base64 data: URIs are read.");
		return -1;
	}
	size_t in = strlen(comma + 1), cap = in / 4 * 3 + 3;
	if (cap > FC_ML_FETCH_MAX || !(*bytes = malloc(cap ? cap : 1))) {
		snprintf(error, error_len, "The data: URI is too large.");
		return -1;
	}
	if (sodium_base642bin(*bytes, cap, comma + 1, in, "\n\r ", len, NULL, sodium_base64_VARIANT_ORIGINAL)) {
		free(*bytes);
		snprintf(error, error_len, "The data: URI is not base64.");
		return -1;
	}
	return 0;
}

int fc_ml_fetch(const char *url, uint8_t **bytes, size_t *len, char *error, size_t error_len)
{
	*bytes = NULL;
	*len = 0;
	if (url && !strncmp(url, "data:", 5))
		return data_uri(url, bytes, len, error, error_len);
	if (url && (!strncmp(url, "http://", 7) || !strncmp(url, "https://", 8)))
		return get(url, bytes, len, error, error_len);
	snprintf(error, error_len, "The image is not at an http(s) or data: URL.");
	return -1;
}

static char data_dir[1024];

void fc_ml_fetch_configure(const char *dir) { snprintf(data_dir, sizeof data_dir, "%s", dir ? dir : ""); }

/* A stored file's bytes, read from the blob store. */
static int read_stored(fc_store *s, int64_t project, const char *url, uint8_t **bytes, size_t *len, char *error,
		       size_t error_len)
{
	char sha[65] = "";
	int64_t size = 0;
	fc_db *db;
	fc_err err = {0};
	if (!data_dir[0]) {
		snprintf(error, error_len, "%s: stored files cannot be read here (no data folder)", url);
		return -1;
	}
	if (fc_db_begin(s, FC_DB_READ, &db, &err)) {
		snprintf(error, error_len, "%s: %s", url, err.msg);
		fc_err_clear(&err);
		return -1;
	}
	int found = !fc_stored_url_blob(db, project, url, sha, &size);
	fc_db_rollback(db);
	if (!found) {
		snprintf(error, error_len, "%s is not a stored file this project may use", url);
		return -1;
	}
	if (size > FC_ML_FETCH_MAX) {
		snprintf(error, error_len, "%s is larger than %d bytes", url, FC_ML_FETCH_MAX);
		return -1;
	}
	FILE *f = NULL;
	uint64_t n = 0;
	if (fc_blob_read_once(data_dir, sha, &f, &n, &err)) {
		snprintf(error, error_len, "%s: %s", url, err.msg);
		fc_err_clear(&err);
		return -1;
	}
	uint8_t *b = n <= FC_ML_FETCH_MAX ? malloc(n ? (size_t)n : 1) : NULL;
	int ok = b && fread(b, 1, (size_t)n, f) == (size_t)n;
	fclose(f);
	if (!ok) {
		free(b);
		snprintf(error, error_len, "%s: cannot read the stored file", url);
		return -1;
	}
	*bytes = b;
	*len = (size_t)n;
	return 0;
}

int fc_ml_fetch_task(fc_store *s, int64_t project, const char *url, uint8_t **bytes, size_t *len, char *error,
		     size_t error_len)
{
	if (fc_stored_url(url))
		return read_stored(s, project, url, bytes, len, error, error_len);
	return fc_ml_fetch(url, bytes, len, error, error_len);
}
