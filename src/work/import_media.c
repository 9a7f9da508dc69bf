/* A zip or tar of media files as tasks: one task per file, the file stored
 * in the blob store and recorded in media (no assignment: the owner
 * imported it), the task's data pointing at it ({"image":
 * "/api/v1/media/ID"}, the field of the config's first Image, Audio or
 * Video object) and its meta naming the file in the archive.
 *
 * All or nothing: every entry is extracted into an unlinked-later temporary
 * file under DATA/tmp, probed (its kind must be the object's) and hashed
 * before anything is stored; a file twice in the archive or already in the
 * project (by SHA-256) refuses the import naming both. Then the blobs are
 * stored (a row never points at a missing file) and the rows written in one
 * transaction. Directories, and macOS's __MACOSX/ and dot files, are
 * skipped. */
#include "blob/blob.h"
#include "core/json.h"
#include "core/log.h"
#include "media/media.h"
#include "work/configcache.h"
#include "work/import_internal.h"
#include "work/peaks.h"
#include "work/project.h"
#include "work/task.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILE_BYTES (512LL * 1024 * 1024)
#define MAX_FILES 10000

typedef struct item {
	char path[1100]; /* the temporary copy */
	char name[256];  /* in the archive */
	char sha[65];
	uint64_t size;
	int created; /* this import stored the blob (it did not exist before) */
	fc_probe probe;
} item;

typedef struct batch {
	item *items;
	size_t n, cap;
} batch;

static void batch_free(batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		unlink(b->items[i].path);
	free(b->items);
}

/* After a failed import: removes the blobs this import stored that no media
 * row names (another upload, file drop or export of the same bytes may have come meanwhile), so a
 * refused archive leaves no files behind. Best effort: a blob kept here is
 * only unused space, never a row without its file. */
static void drop_new_blobs(fc_store *s, fc_blob *blob, const batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		if (!b->items[i].created)
			continue;
		fc_db *db;
		fc_err e = {0};
		int64_t used = 1;
		if (fc_db_begin(s, FC_DB_READ, &db, &e))
			return;
		const char *h = b->items[i].sha;
		int rc = fc_db_int(db, &used, &e,
				   "SELECT (SELECT COUNT(*) FROM media WHERE sha256=?)+(SELECT COUNT(*) FROM task_files "
				   "WHERE sha256=?)+(SELECT COUNT(*) FROM export_jobs WHERE sha256=?)+(SELECT COUNT(*) "
				   "FROM dataset_version_files WHERE sha256=?)",
				   "tttt", h, h, h, h);
		fc_db_rollback(db);
		if (!rc && !used && fc_blob_remove(blob, b->items[i].sha, &e))
			fc_log(FC_LOG_WARN, "import: could not remove unused blob %s: %s", b->items[i].sha, e.msg);
	}
}

/* The config's first Image/Audio/Video object with a $field: its kind and field. */
static int media_object(const char *xml, char kind[8], char field[128], fc_err *err)
{
	const fc_labelconfig *lc = xml ? fc_configcache_get(xml, err) : NULL;
	json_t *desc = lc ? fc_labelconfig_describe(lc) : NULL;
	size_t i;
	const json_t *o;
	kind[0] = field[0] = 0;
	json_array_foreach(json_object_get(desc, "objects"), i, o) {
		const char *t = fc_json_str(o, "type", ""), *f = fc_json_str(o, "field", NULL);
		if (!kind[0] && f && (!strcmp(t, "image") || !strcmp(t, "audio") || !strcmp(t, "video"))) {
			snprintf(kind, 8, "%s", t);
			snprintf(field, 128, "%s", f);
		}
	}
	json_decref(desc);
	fc_configcache_put(lc);
	return kind[0] ? 0
		       : fc_err_set(err, FC_EINVAL, "format_unfit", "format",
				    "A media archive import needs an Image, Audio or Video object in the labelling config.");
}

/* Copies the entry's bytes into a new temporary file; it->size set. */
static int extract(struct archive *a, const char *data_dir, item *it, fc_err *err)
{
	snprintf(it->path, sizeof it->path, "%s/tmp/import-XXXXXX", data_dir);
	int fd = mkstemp(it->path);
	if (fd < 0) {
		it->path[0] = 0;
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot make a temporary file.");
	}
	char buf[65536];
	la_ssize_t n;
	int rc = 0;
	it->size = 0;
	while (!rc && (n = archive_read_data(a, buf, sizeof buf)) > 0) {
		it->size += (uint64_t)n;
		if (it->size > (uint64_t)MAX_FILE_BYTES)
			rc = fc_err_set(err, FC_ETOOBIG, "too_large", "file",
					"'%.200s': a file may hold up to 512 MiB.", it->name);
		else if (write(fd, buf, (size_t)n) != n)
			rc = fc_err_set(err, FC_ENOSPACE, "insufficient_storage", NULL, "No room for '%.200s'.",
					it->name);
	}
	if (!rc && n < 0)
		rc = fc_err_set(err, FC_EINVAL, "invalid_archive", "file", "'%.200s': %.200s", it->name,
				archive_error_string(a));
	close(fd);
	return rc;
}

static int skipped(const char *name)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	return !strncmp(name, "__MACOSX/", 9) || base[0] == '.' || !base[0];
}

/* Every entry into b, checked. */
static int read_archive(FILE *f, const char *data_dir, const char *kind, batch *b, fc_err *err)
{
	struct archive *a = archive_read_new();
	if (!a)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_filter_gzip(a);
	int rc = 0, r;
	struct archive_entry *e;
	if (archive_read_open_FILE(a, f) != ARCHIVE_OK)
		rc = fc_err_set(err, FC_EINVAL, "invalid_archive", NULL, "Not a zip or tar archive: %.200s.",
				archive_error_string(a));
	while (!rc && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (archive_entry_filetype(e) != AE_IFREG || !name || skipped(name))
			continue;
		if (b->n == MAX_FILES) {
			rc = fc_err_set(err, FC_ETOOBIG, "too_many_files", NULL, "An archive may hold up to %d files.",
					MAX_FILES);
			break;
		}
		if (b->n == b->cap) {
			size_t cap = b->cap ? b->cap * 2 : 16;
			item *p = realloc(b->items, cap * sizeof *p);
			if (!p) {
				rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
				break;
			}
			b->items = p, b->cap = cap;
		}
		item *it = &b->items[b->n++];
		memset(it, 0, sizeof *it);
		snprintf(it->name, sizeof it->name, "%s", name);
		if ((rc = extract(a, data_dir, it, err)) || (rc = fc_blob_hash_file(it->path, it->sha, &it->size, err)))
			break;
		fc_err sub = {0};
		if (fc_media_probe(it->path, &it->probe, &sub) || strcmp(it->probe.kind, kind)) {
			rc = fc_err_set(err, FC_EINVAL, "invalid_media", "file",
					"'%.200s' is not %s %s file (it looks like %.63s): the config shows %s.",
					it->name, kind[0] == 'a' || kind[0] == 'i' ? "an" : "a", kind,
					it->probe.mime[0] ? it->probe.mime : "something else", kind);
			break;
		}
		for (size_t j = 0; j + 1 < b->n; j++)
			if (!strcmp(b->items[j].sha, it->sha)) {
				rc = fc_err_set(err, FC_EINVAL, "duplicate", "file",
						"'%.200s' is the same file as '%.200s' (SHA-256 %.16s…).", it->name,
						b->items[j].name, it->sha);
				break;
			}
	}
	if (!rc && r != ARCHIVE_EOF)
		rc = fc_err_set(err, FC_EINVAL, "invalid_archive", NULL, "The archive is damaged: %.200s.",
				archive_error_string(a));
	archive_read_free(a);
	return rc;
}

static const char *ext_of(const fc_probe *p) { return !strcmp(p->format, "jpeg") ? "jpg" : p->format; }

/* The rows of one file: its media row and its task. */
static int add_file(importer *im, int64_t owner, const char *field, const item *it)
{
	char where[300], url[64];
	snprintf(where, sizeof where, "'%s'", it->name);
	json_t *probe = fc_probe_json(&it->probe);
	int64_t mid = 0;
	int rc = fc_db_int(im->db, &mid, im->err,
			   "INSERT INTO media(project_id,assignment_id,user_id,sha256,kind,mime,ext,bytes,probe,created_at) "
			   "VALUES(?,NULL,?,?,?,?,?,?,?,?) ON CONFLICT(project_id,sha256) DO NOTHING RETURNING id",
			   "IIttttIjI", im->project_id, owner, it->sha, it->probe.kind, it->probe.mime,
			   ext_of(&it->probe), (int64_t)it->size, probe, im->now);
	json_decref(probe);
	if (rc == FC_ENOTFOUND)
		return fc_err_set(im->err, FC_EINVAL, "duplicate", "file",
				  "%s: this exact file (SHA-256 %.16s…) is already in the project.", where, it->sha);
	if (rc || (rc = fc_peaks_queue(im->db, mid, im->project_id, it->probe.kind, im->err)))
		return rc;
	snprintf(url, sizeof url, "/api/v1/media/%lld", (long long)mid);
	json_t *task = json_pack("{s:{s:s},s:{s:s}}", "data", field, url, "meta", "file_name", it->name);
	rc = task ? fc_import_add_task(im, task, NULL, 0, where) : FC_ENOMEM;
	json_decref(task);
	return rc;
}

int fc_task_import_media(fc_store *s, const char *data_dir, const fc_user *user, int64_t project_id, FILE *f,
			 int64_t *created, fc_err *err)
{
	/* who may, and which kind of file, before a byte of the archive is read */
	fc_db *db;
	char *xml = NULL, kind[8], field[128];
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	if (!(rc = fc_project_require(db, user, project_id, FC_ACCESS_OWNER,
				      "Only the project's owner may import tasks.", err))) {
		fc_stmt *st;
		if (!(rc = fc_db_query(db, &st, err, "SELECT label_config FROM projects WHERE id=?", "I", project_id))) {
			if (fc_stmt_next(st) == 1 && !fc_stmt_isnull(st, 0))
				xml = strdup(fc_stmt_text(st, 0));
			fc_stmt_done(st);
		}
	}
	fc_db_rollback(db);
	if (!rc)
		rc = media_object(xml, kind, field, err);
	free(xml);
	if (rc)
		return rc;
	batch b = {0};
	fc_blob *blob = NULL;
	if (!(rc = read_archive(f, data_dir, kind, &b, err)) && !(rc = fc_blob_open(&blob, data_dir, err)))
		for (size_t i = 0; i < b.n && !rc; i++)
			rc = fc_blob_put_file(blob, b.items[i].path, b.items[i].sha, &b.items[i].created, err);
	importer im;
	if (!rc && !(rc = fc_import_begin(s, user, project_id, &im, err))) {
		for (size_t i = 0; i < b.n && !rc; i++)
			rc = add_file(&im, user->id, field, &b.items[i]);
		rc = fc_import_end(&im, rc, created);
	}
	if (rc && blob)
		drop_new_blobs(s, blob, &b);
	fc_blob_close(blob);
	batch_free(&b);
	return rc;
}
