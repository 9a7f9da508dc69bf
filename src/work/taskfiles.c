/* Files dropped into a project, one task each (taskfiles.h). The checks
 * that need only the database run in the write transaction that creates the
 * task, so a file is either a task or refused with its reason. */
#include "work/taskfiles.h"
#include "access/access.h"
#include "account/idempotency.h"
#include "blob/blob.h"
#include "core/clock.h"
#include "core/json.h"
#include "media/media.h"
#include "work/blobs.h"
#include "work/configcache.h"
#include "work/import_fields.h"
#include "work/task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* "image/png" → "image"; a CSV (text) → "timeseries", for a TimeSeries
 * whose data is a link (valueType="url"); NULL for other types. */
static const char *kind_of(const char *mime)
{
	if (!strcmp(mime, "text/csv") || !strcmp(mime, "text/plain") || !strcmp(mime, "application/csv"))
		return "timeseries";
	static const char *const kinds[] = {"image", "audio", "video"};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		size_t n = strlen(kinds[i]);
		if (!strncmp(mime, kinds[i], n) && mime[n] == '/')
			return kinds[i];
	}
	return NULL;
}

/* A text file for a TimeSeries must be a CSV with a header and rows. */
static int csv_ok(const char *path, const char *name, fc_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot read the upload.");
	double lo, hi;
	fc_err sub = {0};
	int rc = fc_csv_span(f, NULL, ',', &lo, &hi, &sub);
	fclose(f);
	if (rc == FC_ERULE)
		rc = fc_err_set(err, FC_ETYPE, "not_media", "file", "%s is not a CSV file: %s",
				name && *name ? name : "The file", sub.msg);
	else if (rc)
		rc = fc_err_set(err, sub.code, sub.slug, NULL, "%s", sub.msg);
	fc_err_clear(&sub);
	return rc;
}

/* The data field of the config's first object tag showing kind, into field. */
static int media_field(const char *xml, const char *kind, char *field, size_t n, fc_err *err)
{
	if (!xml)
		return fc_err_set(err, FC_ECONFLICT, "not_annotation", NULL,
				  "Files become tasks in annotation projects; a collection project's tasks are prompts.");
	const fc_labelconfig *cfg = fc_configcache_get(xml, err);
	if (!cfg)
		return err->code ? err->code : FC_EINVAL;
	json_t *d = fc_labelconfig_describe(cfg);
	fc_configcache_put(cfg);
	if (!d)
		return fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	size_t i;
	json_t *o;
	field[0] = 0;
	json_array_foreach(json_object_get(d, "objects"), i, o) {
		const char *type = fc_json_str(o, "type", ""), *f = fc_json_str(o, "field", NULL);
		if (f && (!strcmp(type, kind) || (!strcmp(kind, "audio") && !strcmp(type, "audioplus")))) {
			snprintf(field, n, "%s", f);
			break;
		}
	}
	json_decref(d);
	if (!field[0])
		return fc_err_set(err, FC_EINVAL, "no_media_field", NULL,
				  "This project's labelling config shows no %s read from the task data (such as "
				  "value=\"$%s\"), so a %s file cannot become a task.",
				  kind, kind, kind);
	return 0;
}

/* Records the file and its task (add_in did the checks). */
static int insert(fc_db *db, fc_blob *blob, const fc_user *user, int64_t project, const char *path, const char *sha,
		  uint64_t bytes, const char *mime, const char *kind, const char *name, const char *field,
		  const char *config, json_t **out, fc_err *err)
{
	int rc;
	int64_t dup = 0;
	if (!fc_db_int(db, &dup, NULL, "SELECT COALESCE(task_id, 0) FROM task_files WHERE project_id=? AND sha256=?",
		       "It", project, sha))
		return fc_err_set(err, FC_ECONFLICT, "duplicate", "file",
				  "%s: this exact file is already in the project (task %lld).", name, (long long)dup);
	int64_t now = fc_clock_now(), fid, task;
	if ((rc = fc_db_int(db, &fid, err,
			    "INSERT INTO task_files(project_id,user_id,sha256,kind,mime,name,bytes,created_at) "
			    "VALUES(?,?,?,?,?,?,?,?) RETURNING id",
			    "IIttttII", project, user->id, sha, kind, mime, name, (int64_t)bytes, now)))
		return rc;
	json_t *data = json_object();
	json_object_set_new(data, field, json_sprintf("/api/v1/files/%lld", (long long)fid));
	/* a config that also reads $text cannot be filled by a file */
	const fc_labelconfig *cfg = NULL;
	rc = fc_import_check_fields(config, &cfg, data, name, err);
	fc_configcache_put(cfg);
	json_t *meta = json_pack("{s:s}", "file_name", name);
	if (!rc)
		rc = fc_db_int(db, &task, err,
			       "INSERT INTO tasks(project_id,data,priority,is_gold,created_at,meta) VALUES(?,?,0,0,?,?) "
			       "RETURNING id",
			       "IjIj", project, data, now, meta);
	json_decref(meta);
	if (!rc)
		rc = fc_db_exec(db, err, "UPDATE task_files SET task_id=? WHERE id=?", "II", task, fid);
	if (!rc)
		rc = fc_task_created(db, project, 1, now, err);
	if (!rc && (rc = fc_blob_put_file(blob, path, sha, NULL, err)) == 0) {
		*out = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:I,s:s,s:O}", "id", (json_int_t)fid, "task_id",
				 (json_int_t)task, "sha256", sha, "kind", kind, "mime", mime, "name", name, "bytes",
				 (json_int_t)bytes, "field", field, "data", data);
		rc = fc_idem_record(db, 201, *out, err);
	}
	json_decref(data);
	return rc;
}

/* The checks that need the database, then insert (inside db). */
static int add_in(fc_db *db, fc_blob *blob, const fc_user *user, int64_t project, const char *path, const char *sha,
		  uint64_t bytes, const char *mime, const char *kind, const char *name, json_t **out, fc_err *err)
{
	int rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, "Only the project's owner may add tasks.", err);
	if (rc)
		return rc;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err, "SELECT status, label_config FROM projects WHERE id=?", "I", project)))
		return rc;
	char field[128] = "", *config = NULL;
	int closed = 0;
	if (fc_stmt_next(st) == 1) {
		closed = !strcmp(fc_stmt_text(st, 0), "closed");
		if (!closed)
			rc = media_field(fc_stmt_text(st, 1), kind, field, sizeof field, err);
		if (!rc && !closed && !(config = strdup(fc_stmt_text(st, 1))))
			rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	}
	fc_stmt_done(st);
	if (closed)
		return fc_err_set(err, FC_ECONFLICT, "project_closed", NULL, "A closed project takes no new tasks.");
	if (!rc)
		rc = insert(db, blob, user, project, path, sha, bytes, mime, kind, name, field, config, out, err);
	free(config);
	return rc;
}

int fc_task_file_add(fc_store *s, const char *data_dir, const fc_user *user, int64_t project, const char *path,
		     const char *sha256, const char *name, json_t **out, fc_err *err)
{
	*out = NULL;
	char mime[64], sha[65];
	uint64_t bytes = 0;
	fc_db *db;
	/* who may add comes before what the file is */
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, "Only the project's owner may add tasks.", err);
	fc_db_rollback(db);
	if (rc || (rc = fc_media_sniff(path, mime, sizeof mime, err)))
		return rc;
	const char *kind = kind_of(mime);
	if (!kind)
		return fc_err_set(err, FC_ETYPE, "not_media", "file",
				  "%s is %s, not an image, audio or video file or a CSV.",
				  name && *name ? name : "The file", mime);
	if (!strcmp(kind, "timeseries") && (rc = csv_ok(path, name, err)))
		return rc;
	struct stat stt;
	if (sha256 && strlen(sha256) == 64 && !stat(path, &stt)) { /* hashed while it arrived */
		snprintf(sha, sizeof sha, "%s", sha256);
		bytes = (uint64_t)stt.st_size;
	} else if ((rc = fc_blob_hash_file(path, sha, &bytes, err))) {
		return rc;
	}
	char shown[256];
	snprintf(shown, sizeof shown, "%s", name && *name ? name : "file");
	fc_blob *blob;
	if ((rc = fc_blob_open(&blob, data_dir, err)))
		return rc;
	if (!(rc = fc_db_begin(s, FC_DB_WRITE, &db, err))) {
		rc = add_in(db, blob, user, project, path, sha, bytes, mime, kind, shown, out, err);
		rc = fc_db_end(db, &rc, err);
	}
	fc_blob_close(blob);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* beyond the team: whoever holds or submitted an assignment of the task */
static int task_holder(fc_db *db, const fc_user *user, int64_t id, int64_t project, const int64_t extra[2])
{
	(void)id, (void)project;
	int64_t one;
	return extra[0] && !fc_db_int(db, &one, NULL,
				      "SELECT 1 FROM assignments WHERE task_id=? AND user_id=? AND status IN "
				      "('leased','submitted')",
				      "II", extra[0], user->id);
}

int fc_task_media_visible(fc_db *db, const fc_user *user, int64_t project, int64_t task)
{
	int access = FC_ACCESS_NONE;
	if (!project)
		return 0;
	if (!fc_project_access(db, user, project, &access, NULL) && access >= FC_ACCESS_REVIEWER)
		return 1;
	const int64_t extra[2] = {task, 0};
	return task_holder(db, user, 0, project, extra);
}

int fc_task_file_open(fc_store *s, const char *data_dir, const fc_user *user, int64_t id, FILE **f, uint64_t *size,
		      char mime[64], fc_err *err)
{
	return fc_work_blob_open(s, data_dir, user, id,
				 "SELECT project_id, sha256, mime, COALESCE(task_id, 0), 0 FROM task_files WHERE id=?",
				 task_holder, f, size, mime, err);
}
