/* A stream written to a file, hashed and written back as it grows. See spool.h. */
#include "core/spool.h"
#include "core/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RING 3      /* buffers: the writer fills one while the writer thread stores another */
#define ALIGN 4096u /* O_DIRECT: address, offset and length a multiple of this */

static int test_direct; /* fc_spool_test_direct */

void fc_spool_test_direct(int mode) { test_direct = mode; }

struct fc_spool {
	int fd;
	uint64_t written; /* bytes accepted */
	uint64_t flushed; /* write-back started up to here (the writer thread's when piped) */
	fc_sha256 *h;
	/* piped: the writer hashes and copies into ring[queued % RING]; a
	 * second thread writes full buffers at their offset */
	int piped;
	int direct;     /* the descriptor has O_DIRECT (the second thread's) */
	int try_direct; /* O_DIRECT not tried yet */
	unsigned char *ring[RING];
	unsigned char *cur;  /* the buffer being filled, NULL when none */
	size_t curlen, last; /* bytes in cur; in the final buffer */
	pthread_t th;
	pthread_mutex_t mu; /* the fields below */
	pthread_cond_t cv;
	uint64_t queued, stored; /* buffers handed over, buffers written */
	int done, stop, err;
};

static int set_direct(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return errno;
	fl = on ? fl | O_DIRECT : fl & ~O_DIRECT;
	return fcntl(fd, F_SETFL, fl) ? errno : 0;
}

/* Writes n bytes at off: with O_DIRECT whole buffers only (a multiple of
 * ALIGN at a multiple of ALIGN). A refusal (EINVAL: the file system cannot)
 * or a short write off the grid turns O_DIRECT off for the rest. */
static int put(fc_spool *s, const unsigned char *p, size_t n, uint64_t off)
{
	size_t done = 0;
	while (done < n) {
		ssize_t k = test_direct == 2 && s->direct ? (errno = EINVAL, -1)
							  : pwrite(s->fd, p + done, n - done, (off_t)(off + done));
		if (k < 0 && errno == EINTR)
			continue;
		if ((k < 0 && errno == EINVAL && s->direct) || (k > 0 && s->direct && (k & (ALIGN - 1)))) {
			int e = set_direct(s->fd, 0);
			if (e)
				return e;
			s->direct = 0;
			if (k < 0)
				continue;
		}
		if (k <= 0)
			return k < 0 ? errno : EIO;
		done += (size_t)k;
	}
#ifdef SYNC_FILE_RANGE_WRITE
	uint64_t end = off + n;
	if (!s->direct && end - s->flushed >= FC_SPOOL_FLUSH_BYTES) {
		/* start the write-back now; nothing waits for it here */
		if (sync_file_range(s->fd, (off_t)s->flushed, (off_t)(end - s->flushed), SYNC_FILE_RANGE_WRITE))
			return errno;
		s->flushed = end;
	}
#endif
	return 0;
}

/* The second thread: writes each buffer handed over, in order. */
static void *storer(void *arg)
{
	fc_spool *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->stored == s->queued && !s->done && !s->stop && !s->err)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->stop || s->err || s->stored == s->queued)
			break;
		uint64_t i = s->stored;
		/* the final buffer is the only one that may not be full */
		size_t n = s->done && i + 1 == s->queued ? s->last : FC_SPOOL_BUFFER;
		pthread_mutex_unlock(&s->mu);
		const unsigned char *p = s->ring[i % RING];
		int e = 0;
		if (n < FC_SPOOL_BUFFER || (s->done && i + 1 == s->queued)) {
			/* the last buffer through the page cache, as the first */
			if (s->direct && !(e = set_direct(s->fd, 0)))
				s->direct = 0;
		} else if (i > 0 && s->try_direct) {
			s->try_direct = 0;
			s->direct = test_direct != 1 && set_direct(s->fd, 1) == 0;
		}
		if (!e)
			e = put(s, p, n, i * FC_SPOOL_BUFFER);
		pthread_mutex_lock(&s->mu);
		if (e)
			s->err = e;
		else
			s->stored++;
		pthread_cond_broadcast(&s->cv);
	}
	s->done = 1; /* nothing more is taken: a writer waiting for a buffer stops */
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static void unpipe(fc_spool *s)
{
	for (int i = 0; i < RING; i++)
		free(s->ring[i]);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	s->piped = 0;
}

/* Piped mode: buffers, the second thread, O_DIRECT when the file takes it.
 * 0 when it could not start (the spool then works in line). */
static int pipe_start(fc_spool *s)
{
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->piped = 1;
	for (int i = 0; i < RING; i++)
		if (posix_memalign((void **)&s->ring[i], ALIGN, FC_SPOOL_BUFFER)) {
			s->ring[i] = NULL;
			unpipe(s);
			return 0;
		}
	/* what is written direct skips the page cache: no copy into it, no
	 * dirty pages for the final fsync to wait for. The first and the last
	 * buffer are not: what reads the file next (libmagic, a container's
	 * header and index) finds them there. */
	s->try_direct = 1;
	if (pthread_create(&s->th, NULL, storer, s)) {
		unpipe(s);
		return 0;
	}
	return 1;
}

fc_spool *fc_spool_new(int fd, uint64_t expect)
{
	fc_spool *s = calloc(1, sizeof *s);
	if (!s || !(s->h = fc_sha256_new())) {
		free(s);
		return NULL;
	}
	s->fd = fd;
	if (expect >= FC_SPOOL_THREAD_MIN)
		pipe_start(s);
	return s;
}

/* Hands the buffer being filled to the second thread. */
static int hand_over(fc_spool *s, int final)
{
	pthread_mutex_lock(&s->mu);
	if (s->cur) {
		s->queued++;
		s->last = s->curlen;
	}
	if (final)
		s->done = 1;
	int e = s->err;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	s->cur = NULL;
	return e;
}

/* Waits for a free buffer and makes it the one being filled. */
static int take_buffer(fc_spool *s)
{
	pthread_mutex_lock(&s->mu);
	while (s->queued - s->stored >= RING && !s->err && !s->done)
		pthread_cond_wait(&s->cv, &s->mu);
	int e = s->err ? s->err : s->done ? EIO : 0;
	pthread_mutex_unlock(&s->mu);
	if (!e) {
		s->cur = s->ring[s->queued % RING]; /* queued only moves on this thread */
		s->curlen = 0;
	}
	return e;
}

static int write_piped(fc_spool *s, const unsigned char *p, size_t n)
{
	while (n) {
		int e;
		if (!s->cur && (e = take_buffer(s)))
			return e;
		size_t k = FC_SPOOL_BUFFER - s->curlen < n ? FC_SPOOL_BUFFER - s->curlen : n;
		/* hashed here, where the bytes are still in this core's cache from
		 * the receive: hashing the buffer on the other thread read it back
		 * cold (SHA-256 cost 1.5 times as much, bench/README.md "Upload") */
		fc_sha256_update(s->h, p, k);
		memcpy(s->cur + s->curlen, p, k);
		s->curlen += k;
		s->written += k;
		p += k;
		n -= k;
		if (s->curlen == FC_SPOOL_BUFFER && (e = hand_over(s, 0)))
			return e;
	}
	return 0;
}

int fc_spool_write(fc_spool *s, const void *p, size_t n)
{
	if (s->piped)
		return write_piped(s, p, n);
	for (size_t off = 0; off < n;) {
		ssize_t k = write(s->fd, (const char *)p + off, n - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? errno : EIO;
		off += (size_t)k;
	}
	fc_sha256_update(s->h, p, n);
	s->written += n;
#ifdef SYNC_FILE_RANGE_WRITE
	if (s->written - s->flushed >= FC_SPOOL_FLUSH_BYTES) {
		/* start the write-back now; nothing waits for it here */
		if (sync_file_range(s->fd, (off_t)s->flushed, (off_t)(s->written - s->flushed), SYNC_FILE_RANGE_WRITE))
			return errno;
		s->flushed = s->written;
	}
#endif
	return 0;
}

uint64_t fc_spool_size(const fc_spool *s) { return s->written; }

/* Stops the second thread: after it has stored everything, unless stop.
 * The descriptor is left without O_DIRECT at its end, for ordinary reads
 * and writes. */
static int join(fc_spool *s, int stop)
{
	if (!s->piped)
		return 0;
	if (stop) {
		pthread_mutex_lock(&s->mu);
		s->stop = 1;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
	} else {
		hand_over(s, 1);
	}
	pthread_join(s->th, NULL);
	int e = s->err ? s->err : s->stored == s->queued ? 0 : EIO;
	int d = s->direct ? set_direct(s->fd, 0) : 0;
	if (d && !e)
		e = d;
	if (!e && lseek(s->fd, (off_t)s->written, SEEK_SET) < 0)
		e = errno;
	unpipe(s);
	return e;
}

int fc_spool_finish(fc_spool *s, char hex[65])
{
	if (!s)
		return ENOMEM;
	int e = join(s, 0);
	if (!e)
		fc_sha256_final_hex(s->h, hex); /* frees the hash */
	else
		fc_sha256_free(s->h);
	free(s);
	return e;
}

void fc_spool_free(fc_spool *s)
{
	if (!s)
		return;
	join(s, 1);
	fc_sha256_free(s->h);
	free(s);
}
