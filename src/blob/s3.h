/* s3.h — a small S3-compatible object client (path-style URLs
 * ENDPOINT/BUCKET/KEY) signed with AWS Signature Version 4, on libcurl and
 * OpenSSL's HMAC-SHA256. Bodies are streamed both ways; nothing holds an
 * object in memory. Used by blob/fs.c when FAIRCROWD_S3_ENDPOINT is set. */
#ifndef FC_BLOB_S3_H
#define FC_BLOB_S3_H

#include "core/err.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct fc_s3 fc_s3;

typedef struct fc_s3_config {
	const char *endpoint; /* http(s)://host[:port][/prefix] */
	const char *bucket;
	const char *region; /* NULL: us-east-1 */
	const char *access_key;
	const char *secret_key;
	int guarded; /* the endpoint is a user's: connect only where http/outbound.h allows */
} fc_s3_config;

int fc_s3_new(fc_s3 **out, const fc_s3_config *c, fc_err *err);
void fc_s3_free(fc_s3 *s);

/* PUT the file at path as key. payload_sha256 is the file's SHA-256 in hex
 * (the server checks it) or NULL for UNSIGNED-PAYLOAD. */
int fc_s3_put_file(fc_s3 *s, const char *key, const char *path, const char *payload_sha256, fc_err *err);
/* GET key into to (written from its current position); *size receives the
 * bytes written. FC_ENOTFOUND when the object does not exist. */
int fc_s3_get(fc_s3 *s, const char *key, FILE *to, uint64_t *size, fc_err *err);
/* HEAD: *exists 0/1 and, when it exists, *size (may be NULL). */
int fc_s3_head(fc_s3 *s, const char *key, int *exists, uint64_t *size, fc_err *err);
/* DELETE; a missing object is not an error. */
int fc_s3_delete(fc_s3 *s, const char *key, fc_err *err);

/* ListObjectsV2: one page (max_keys ≤ 1000) of the objects whose keys
 * start with prefix, after the continuation token (NULL or "" for the first
 * page); fn is called per object (ETag without its quotes) and stops the
 * listing with its error. next receives the next page's token, "" after the
 * last page. Refusals (the message names the bucket and S3's error code):
 * FC_EPERM `storage_refused` (HTTP 401/403: wrong credentials),
 * FC_ENOTFOUND `storage_not_found` (no such bucket), FC_EIO. */
typedef int (*fc_s3_list_fn)(void *ud, const char *key, const char *etag, uint64_t size, fc_err *err);
int fc_s3_list_page(fc_s3 *s, const char *prefix, const char *token, int max_keys, fc_s3_list_fn fn, void *ud,
		    char *next, size_t next_n, fc_err *err);

/* --- Signature Version 4, exposed for the tests --------------------------- */

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date8), region), service), "aws4_request") */
void fc_sigv4_signing_key(const char *secret, const char *date8, const char *region, const char *service,
			  unsigned char out[32]);

typedef struct fc_sigv4_req {
	const char *method;
	const char *path;         /* canonical (URI-encoded) path, "/" at least */
	const char *query;        /* canonical query string, "" when none */
	const char *host;         /* the Host header's value */
	const char *amz_date;     /* YYYYMMDDTHHMMSSZ */
	const char *payload_hash; /* hex SHA-256 of the body, or UNSIGNED-PAYLOAD */
	int sign_content_sha256;  /* also sign an x-amz-content-sha256 header (S3) */
	const char *region, *service, *access_key, *secret_key;
} fc_sigv4_req;

/* The Authorization header's value into auth; the canonical request and
 * the string to sign too when those are not NULL. 0, or FC_EINVAL when a
 * buffer is too small. */
int fc_sigv4_sign(const fc_sigv4_req *r, char *auth, size_t n, char *canonical, size_t cn, char *to_sign, size_t tn);

#endif
