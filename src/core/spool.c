/* A stream written to a file, hashed and written back as it grows. See spool.h. */
#include "core/spool.h"
#include "core/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/* what the hashing thread reads back at a time: small enough to stay in
 * the CPU's cache between the copy and the hash */
#define HASH_STEP ((uint64_t)256 << 10)

struct fc_spool {
	int fd;
	uint64_t written, flushed; /* the writer's own */
	fc_sha256 *h;
	int threaded;
	pthread_t th;
	pthread_mutex_t mu; /* the fields below, when threaded */
	pthread_cond_t cv;
	uint64_t avail, hashed;
	int done, stop, err;
};

static void *hasher(void *arg)
{
	fc_spool *s = arg;
	unsigned char *buf = malloc(HASH_STEP);
	pthread_mutex_lock(&s->mu);
	if (!buf)
		s->err = ENOMEM;
	while (!s->stop && !s->err) {
		uint64_t left = s->avail - s->hashed;
		if (left == 0 && s->done)
			break;
		if (left < HASH_STEP && !s->done) {
			pthread_cond_wait(&s->cv, &s->mu);
			continue;
		}
		uint64_t from = s->hashed;
		size_t n = left < HASH_STEP ? (size_t)left : (size_t)HASH_STEP;
		pthread_mutex_unlock(&s->mu);
		ssize_t k;
		do
			k = pread(s->fd, buf, n, (off_t)from);
		while (k < 0 && errno == EINTR);
		int e = k < 0 ? errno : k == 0 ? EIO : 0;
		if (!e)
			fc_sha256_update(s->h, buf, (size_t)k);
		pthread_mutex_lock(&s->mu);
		if (e)
			s->err = e;
		else
			s->hashed += (uint64_t)k;
	}
	pthread_mutex_unlock(&s->mu);
	free(buf);
	return NULL;
}

fc_spool *fc_spool_new(int fd, uint64_t expect)
{
	fc_spool *s = calloc(1, sizeof *s);
	if (!s || !(s->h = fc_sha256_new())) {
		free(s);
		return NULL;
	}
	s->fd = fd;
	if (expect >= FC_SPOOL_THREAD_MIN) {
		pthread_mutex_init(&s->mu, NULL);
		pthread_cond_init(&s->cv, NULL);
		s->threaded = pthread_create(&s->th, NULL, hasher, s) == 0;
		if (!s->threaded) { /* no thread: hash in line, as for a small file */
			pthread_mutex_destroy(&s->mu);
			pthread_cond_destroy(&s->cv);
		}
	}
	return s;
}

int fc_spool_write(fc_spool *s, const void *p, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t k = write(s->fd, (const char *)p + off, n - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? errno : EIO;
		off += (size_t)k;
	}
	s->written += n;
	if (s->threaded) {
		pthread_mutex_lock(&s->mu);
		uint64_t before = s->avail;
		s->avail = s->written;
		int e = s->err;
		if (before / HASH_STEP != s->avail / HASH_STEP)
			pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		if (e)
			return e;
	} else {
		fc_sha256_update(s->h, p, n);
	}
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

/* Stops the hashing thread (after it has hashed everything, unless stop). */
static int join(fc_spool *s, int stop)
{
	if (!s->threaded)
		return 0;
	pthread_mutex_lock(&s->mu);
	s->done = 1;
	s->stop = stop;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->th, NULL);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	s->threaded = 0;
	return s->err ? s->err : s->hashed == s->written ? 0 : EIO;
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
