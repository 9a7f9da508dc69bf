/* Content-addressed blobs on the local file system, or in an S3-compatible
 * bucket when FAIRCROWD_S3_ENDPOINT is set. See blob.h. */
#include "blob/blob.h"
#include "blob/s3.h"
#include "core/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

struct fc_blob {
	char root[1024]; /* DATA/blobs */
	fc_s3 *s3;       /* NULL: the local store */
};

struct fc_blob_writer {
	fc_blob *b;
	int fd;
	char tmp[1100];
	fc_sha256 *sha;
	uint64_t written, room; /* room: FAIRCROWD_TEST_BLOB_FULL_AFTER, else UINT64_MAX */
};

static int mkdir_p(const char *path)
{
	char buf[1100];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

static int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int fc_blob_open(fc_blob **out, const char *data_dir, fc_err *err)
{
	fc_blob *b = calloc(1, sizeof *b);
	if (!b)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	snprintf(b->root, sizeof b->root, "%s/blobs", data_dir);
	char tmp[1100];
	snprintf(tmp, sizeof tmp, "%s/tmp", b->root);
	if (mkdir_p(tmp)) {
		free(b);
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot create the blob folder.");
	}
	const char *endpoint = getenv("FAIRCROWD_S3_ENDPOINT");
	if (endpoint && *endpoint) {
		fc_s3_config c = {endpoint,
				  getenv("FAIRCROWD_S3_BUCKET"),
				  getenv("FAIRCROWD_S3_REGION"),
				  getenv("FAIRCROWD_S3_ACCESS_KEY"),
				  getenv("FAIRCROWD_S3_SECRET_KEY"),
				  0};
		int rc = fc_s3_new(&b->s3, &c, err);
		if (rc) {
			free(b);
			return rc;
		}
	}
	*out = b;
	return 0;
}

void fc_blob_close(fc_blob *b)
{
	if (b)
		fc_s3_free(b->s3);
	free(b);
}

/* The object name of a blob in the bucket: blobs/ab/cd/<sha256>. */
static void s3_key(const char *hex, char key[80]) { snprintf(key, 80, "blobs/%.2s/%.2s/%s", hex, hex + 2, hex); }

static int is_hex64(const char *hex)
{
	if (!hex || strlen(hex) != 64)
		return 0;
	for (const char *p = hex; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

int fc_blob_path(const fc_blob *b, const char *hex, char *buf, size_t n)
{
	if (!is_hex64(hex))
		return FC_EINVAL;
	int w = snprintf(buf, n, "%s/%.2s/%.2s/%s", b->root, hex, hex + 2, hex);
	return w < 0 || (size_t)w >= n ? FC_EINVAL : 0;
}

int fc_blob_hash_file(const char *path, char hex[65], uint64_t *size, fc_err *err)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot read the uploaded file.");
	unsigned char *buf = malloc(CHUNK);
	fc_sha256 *st = fc_sha256_new();
	uint64_t total = 0;
	int rc = buf && st ? 0 : fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	while (!rc) {
		ssize_t n = read(fd, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = fc_err_set(err, FC_EIO, "internal", NULL, "Cannot read the uploaded file.");
		if (n <= 0)
			break;
		fc_sha256_update(st, buf, n);
		total += (uint64_t)n;
	}
	close(fd);
	free(buf);
	if (rc) {
		fc_sha256_free(st);
		return rc;
	}
	fc_sha256_final_hex(st, hex);
	if (size)
		*size = total;
	return 0;
}

/* Makes DATA/blobs/ab/cd for hex; returns the final path in buf. */
static int prepare(fc_blob *b, const char *hex, char *buf, size_t n, fc_err *err)
{
	if (fc_blob_path(b, hex, buf, n))
		return fc_err_set(err, FC_EINVAL, "invalid_value", NULL, "Not a blob name.");
	char dir[1100];
	snprintf(dir, sizeof dir, "%s/%.2s/%.2s", b->root, hex, hex + 2);
	if (mkdir_p(dir))
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot create the blob folder.");
	return 0;
}

/* Renames tmp to final and makes the rename durable. */
static int publish(const char *tmp, const char *final, fc_err *err)
{
	if (rename(tmp, final)) {
		unlink(tmp);
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot store the file.");
	}
	char dir[1100];
	snprintf(dir, sizeof dir, "%s", final);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	if (fsync_dir(dir))
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot store the file.");
	return 0;
}

int fc_blob_writer_open(fc_blob *b, fc_blob_writer **out, fc_err *err)
{
	fc_blob_writer *w = calloc(1, sizeof *w);
	if (!w)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	w->b = b;
	/* Fault injection for the tests of a full disk: a writer takes this
	 * many bytes, then fails as write(2) does on a full file system. */
	const char *full = getenv("FAIRCROWD_TEST_BLOB_FULL_AFTER");
	w->room = full && *full ? strtoull(full, NULL, 10) : UINT64_MAX;
	snprintf(w->tmp, sizeof w->tmp, "%s/tmp/blob-XXXXXX", b->root);
	w->fd = mkstemp(w->tmp);
	if (w->fd < 0) {
		free(w);
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot store the file.");
	}
	if (!(w->sha = fc_sha256_new())) {
		close(w->fd);
		unlink(w->tmp);
		free(w);
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	}
	*out = w;
	return 0;
}

int fc_blob_writer_write(fc_blob_writer *w, const void *data, size_t n, fc_err *err)
{
	if (n > w->room - w->written)
		return fc_err_write(err, ENOSPC, "the file");
	w->written += n;
	fc_sha256_update(w->sha, data, n);
	const char *p = data;
	while (n) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return fc_err_write(err, k < 0 ? errno : EIO, "the file");
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

void fc_blob_writer_abort(fc_blob_writer *w)
{
	if (!w)
		return;
	close(w->fd);
	unlink(w->tmp);
	fc_sha256_free(w->sha);
	free(w);
}

int fc_blob_writer_commit(fc_blob_writer *w, char hex[65], fc_err *err)
{
	char final[1200];
	int rc = 0;
	fc_sha256_final_hex(w->sha, hex);
	w->sha = NULL;
	if (w->b->s3) { /* upload the temporary file, then drop it */
		char key[80];
		int exists = 0;
		s3_key(hex, key);
		if (!(rc = fc_s3_head(w->b->s3, key, &exists, NULL, err)) && !exists)
			rc = fc_s3_put_file(w->b->s3, key, w->tmp, hex, err);
		goto out;
	}
	if (fsync(w->fd)) { /* delayed allocation can report a full disk only here */
		rc = fc_err_write(err, errno, "the file");
		goto out;
	}
	if ((rc = prepare(w->b, hex, final, sizeof final, err)))
		goto out;
	if (access(final, F_OK) == 0) /* same bytes already stored */
		goto out;
	close(w->fd);
	w->fd = -1;
	rc = publish(w->tmp, final, err);
	free(w);
	return rc;
out:
	fc_blob_writer_abort(w);
	return rc;
}

static int copy_in(fc_blob *b, const char *path, const char *hex, fc_err *err)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot read the uploaded file.");
	fc_blob_writer *w;
	int rc = fc_blob_writer_open(b, &w, err);
	char *buf = rc ? NULL : malloc(CHUNK);
	if (!rc && !buf)
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	while (!rc) {
		ssize_t n = read(fd, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = fc_err_set(err, FC_EIO, "internal", NULL, "Cannot read the uploaded file.");
		if (n <= 0)
			break;
		rc = fc_blob_writer_write(w, buf, (size_t)n, err);
	}
	free(buf);
	close(fd);
	if (rc) {
		if (w)
			fc_blob_writer_abort(w);
		return rc;
	}
	char got[65];
	if ((rc = fc_blob_writer_commit(w, got, err)))
		return rc;
	if (strcmp(got, hex)) /* the file changed under us */
		return fc_err_set(err, FC_EIO, "internal", NULL, "The file changed while it was stored.");
	return 0;
}

int fc_blob_put_file(fc_blob *b, const char *path, const char *hex, int *created, fc_err *err)
{
	char final[1200], tmp[1200];
	int rc;
	if (created)
		*created = 0;
	if (b->s3) {
		char key[80];
		int exists = 0;
		if (!is_hex64(hex))
			return fc_err_set(err, FC_EINVAL, "invalid_value", NULL, "Not a blob name.");
		s3_key(hex, key);
		if ((rc = fc_s3_head(b->s3, key, &exists, NULL, err)) || exists)
			return rc;
		if ((rc = fc_s3_put_file(b->s3, key, path, hex, err)))
			return rc;
		if (created)
			*created = 1;
		return 0;
	}
	if ((rc = prepare(b, hex, final, sizeof final, err)))
		return rc;
	if (access(final, F_OK) == 0)
		return 0;
	/* The source must be durable before a name points at it. */
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot read the uploaded file.");
	int synced = fsync(fd) == 0;
	close(fd);
	if (!synced)
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot store the file.");
	snprintf(tmp, sizeof tmp, "%s/tmp/link-%s-%ld", b->root, hex, (long)getpid());
	unlink(tmp);
	if (link(path, tmp) == 0) {
		/* a fresh inode name in tmp/, then the atomic rename into place */
		if ((rc = publish(tmp, final, err)))
			return rc;
	} else if ((rc = copy_in(b, path, hex, err))) {
		return rc;
	}
	if (created)
		*created = 1;
	return 0;
}

/* Downloads into an unlinked temporary file in DATA/blobs/tmp: constant
 * memory, and the space goes back when the caller closes it. */
static int s3_open_read(const fc_blob *b, const char *hex, FILE **out, uint64_t *size, fc_err *err)
{
	char tmp[1100], key[80];
	snprintf(tmp, sizeof tmp, "%s/tmp/get-XXXXXX", b->root);
	int fd = mkstemp(tmp);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w+b");
	if (fd >= 0)
		unlink(tmp);
	if (!f) {
		if (fd >= 0)
			close(fd);
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot create a temporary file.");
	}
	s3_key(hex, key);
	uint64_t n = 0;
	int rc = fc_s3_get(b->s3, key, f, &n, err);
	if (!rc && fseek(f, 0, SEEK_SET))
		rc = fc_err_set(err, FC_EIO, "internal", NULL, "Cannot read a temporary file.");
	if (rc) {
		fclose(f);
		return rc;
	}
	*size = n;
	*out = f;
	return 0;
}

int fc_blob_open_read(const fc_blob *b, const char *hex, FILE **out, uint64_t *size, fc_err *err)
{
	char path[1200];
	if (fc_blob_path(b, hex, path, sizeof path))
		return fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such file.");
	if (b->s3)
		return s3_open_read(b, hex, out, size, err);
	FILE *f = fopen(path, "rb");
	struct stat sb;
	if (!f || fstat(fileno(f), &sb)) {
		if (f)
			fclose(f);
		return fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such file.");
	}
	*size = (uint64_t)sb.st_size;
	*out = f;
	return 0;
}

int fc_blob_remove(fc_blob *b, const char *hex, fc_err *err)
{
	char path[1200];
	if (fc_blob_path(b, hex, path, sizeof path))
		return fc_err_set(err, FC_EINVAL, "invalid_value", NULL, "Not a blob name.");
	if (b->s3) {
		char key[80];
		s3_key(hex, key);
		return fc_s3_delete(b->s3, key, err);
	}
	if (unlink(path) && errno != ENOENT)
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot remove the file.");
	return 0;
}

int fc_blob_read_once(const char *data_dir, const char *hex, FILE **out, uint64_t *size, fc_err *err)
{
	fc_blob *b;
	int rc = fc_blob_open(&b, data_dir, err);
	if (!rc) {
		rc = fc_blob_open_read(b, hex, out, size, err);
		fc_blob_close(b);
	}
	return rc;
}
