/* A file being written from a stream (an upload's body, a tus upload being
 * assembled) that is hashed and put on disk while it grows, so that neither
 * the SHA-256 nor the fsync that makes it durable is a second pass over it
 * at the end.
 *
 * - Writes go straight to the file descriptor (no stdio buffer).
 * - Every FC_SPOOL_FLUSH_BYTES written, the kernel is asked to start writing
 *   them back (sync_file_range, Linux): the caller's final fsync then waits
 *   for the last stretch only instead of the whole file.
 * - The SHA-256 runs in the writer's thread for small files; for a file
 *   expected to reach FC_SPOOL_THREAD_MIN bytes a second thread hashes what
 *   is already in the file (read back from the page cache) while the writer
 *   receives the rest.
 *
 * The descriptor must be open for reading and writing, at offset 0 of an
 * empty file; the spool never closes it. */
#ifndef FC_CORE_SPOOL_H
#define FC_CORE_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#define FC_SPOOL_FLUSH_BYTES ((uint64_t)8 << 20)
#define FC_SPOOL_THREAD_MIN ((uint64_t)16 << 20)

typedef struct fc_spool fc_spool;

/* expect: the bytes the caller expects (a Content-Length), 0 when unknown.
 * NULL when out of memory. */
fc_spool *fc_spool_new(int fd, uint64_t expect);

/* Appends n bytes: 0, or an errno (ENOSPC for a full disk). */
int fc_spool_write(fc_spool *s, const void *p, size_t n);

/* Bytes written so far. */
uint64_t fc_spool_size(const fc_spool *s);

/* Waits for the hash of everything written and frees the spool: 0 with the
 * lowercase hex SHA-256 in hex, or an errno. NULL s is ENOMEM. */
int fc_spool_finish(fc_spool *s, char hex[65]);

/* Abandons the spool (the caller removes the file); NULL is fine. */
void fc_spool_free(fc_spool *s);

#endif
