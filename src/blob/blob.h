/* blob.h — content-addressed file storage.
 *
 * A blob is named by the SHA-256 of its bytes and lives at
 * DATA/blobs/ab/cd/<sha256> (ab, cd: the first two byte pairs of the hex
 * name). Writes go to a temporary file in DATA/blobs/tmp, are fsync'ed and
 * renamed into place, so a blob path either holds the complete bytes or does
 * not exist. Storing the same bytes twice keeps one file. Nothing here holds
 * a whole file in memory: hashing and copying stream 64 KiB at a time.
 *
 * S3 backend: when FAIRCROWD_S3_ENDPOINT is set (an http(s) URL; path-style
 * requests ENDPOINT/BUCKET/KEY signed with AWS SigV4, see s3.h), fc_blob_open
 * also reads FAIRCROWD_S3_BUCKET, FAIRCROWD_S3_REGION (default us-east-1),
 * FAIRCROWD_S3_ACCESS_KEY and FAIRCROWD_S3_SECRET_KEY, and blobs live in the
 * bucket as blobs/ab/cd/<sha256> instead: fc_blob_put_file and the writer's
 * commit upload (skipped when the object exists; the local source is then
 * not needed), fc_blob_open_read downloads into an unlinked temporary file in
 * DATA/blobs/tmp and returns it at offset 0, fc_blob_remove deletes the
 * object. fc_blob_path still names the local path, which does not exist in
 * that mode. Without FAIRCROWD_S3_ENDPOINT nothing changes. */
#ifndef FC_BLOB_BLOB_H
#define FC_BLOB_BLOB_H

#include "core/err.h"
#include <stdint.h>
#include <stdio.h>

typedef struct fc_blob fc_blob;
typedef struct fc_blob_writer fc_blob_writer;

/* Opens the store under data_dir (creating DATA/blobs). Cheap; the caller
 * owns *out and frees it with fc_blob_close. */
int fc_blob_open(fc_blob **out, const char *data_dir, fc_err *err);
void fc_blob_close(fc_blob *b);

/* SHA-256 of the file at path as 64 hex digits (+NUL), and its size. */
int fc_blob_hash_file(const char *path, char hex[65], uint64_t *size, fc_err *err);

/* Stores the file at path under hex, which must be its SHA-256 (from
 * fc_blob_hash_file). The source stays where it is: the blob is a hard link
 * to it when both are on one file system, else a copy. *created is set to 1
 * when the blob did not exist before (may be NULL). */
int fc_blob_put_file(fc_blob *b, const char *path, const char *hex, int *created, fc_err *err);

/* Streaming writer: bytes are hashed as they are written; commit names the
 * blob and frees the writer, abort discards it. */
int fc_blob_writer_open(fc_blob *b, fc_blob_writer **out, fc_err *err);
int fc_blob_writer_write(fc_blob_writer *w, const void *data, size_t n, fc_err *err);
int fc_blob_writer_commit(fc_blob_writer *w, char hex[65], fc_err *err);
void fc_blob_writer_abort(fc_blob_writer *w);

/* The blob's path into buf (whether or not it exists). 0, or FC_EINVAL for
 * a name that is not 64 lowercase hex digits. */
int fc_blob_path(const fc_blob *b, const char *hex, char *buf, size_t n);
/* Opens a blob for reading; *size receives its length. FC_ENOTFOUND when
 * absent. The caller fcloses the result. */
int fc_blob_open_read(const fc_blob *b, const char *hex, FILE **out, uint64_t *size, fc_err *err);
/* fc_blob_open_read on a store opened for this one read. */
int fc_blob_read_once(const char *data_dir, const char *hex, FILE **out, uint64_t *size, fc_err *err);
/* Removes a blob (erasure). Missing blobs are not an error. */
int fc_blob_remove(fc_blob *b, const char *hex, fc_err *err);

#endif
