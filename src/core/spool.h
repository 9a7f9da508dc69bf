/* A file being written from a stream (an upload's body, a tus upload being
 * assembled) that is hashed and put on disk while it grows, so that neither
 * the SHA-256 nor the fsync that makes it durable is a second pass over it
 * at the end.
 *
 * - Writes go straight to the file descriptor (no stdio buffer).
 * - Every FC_SPOOL_FLUSH_BYTES written, the kernel is asked to start writing
 *   them back (sync_file_range, Linux): the caller's final fsync then waits
 *   for the last stretch only instead of the whole file.
 * - Small files are written and hashed in the writer's thread.
 * - A file expected to reach FC_SPOOL_THREAD_MIN bytes is piped: the writer
 *   hashes each piece while it is hot in the cache and copies it into one of
 *   a few FC_SPOOL_BUFFER-byte buffers (4 KiB-aligned), and goes on
 *   receiving while a second thread writes the full ones with O_DIRECT: no
 *   copy into the page cache, nothing dirty left for the final fsync. The first and the last buffer (read again
 *   soon: libmagic, a container's header and index), and every byte of a
 *   file system that refuses O_DIRECT (at fcntl or at the first write,
 *   EINVAL), go through the page cache as for a small file.
 *
 * The descriptor must be open for reading and writing, at offset 0 of an
 * empty file; the spool never closes it. It may carry O_DIRECT while the
 * spool lives; after fc_spool_finish/free it is as given, at the file's end. */
#ifndef FC_CORE_SPOOL_H
#define FC_CORE_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#define FC_SPOOL_FLUSH_BYTES ((uint64_t)8 << 20)
#define FC_SPOOL_THREAD_MIN ((uint64_t)16 << 20)
#define FC_SPOOL_BUFFER ((size_t)2 << 20)

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

/* Tests only: 0 normal, 1 as if the file system refused O_DIRECT at fcntl,
 * 2 as if it took the flag but refused the first write with EINVAL. */
void fc_spool_test_direct(int mode);

#endif
