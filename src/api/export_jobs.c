/* Export jobs: the queue in export_jobs, the runner thread, the download.
 * See export_jobs.h. */
#include "api/export_jobs.h"
#include "access/access.h"
#include "api/exports.h"
#include "blob/blob.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "events/events.h"
#include "privacy/audit.h"
#include "work/storage.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STALE_SECONDS 60 /* a running job without a word for this long is taken over */
#define CHUNK (64 * 1024)

/* SQL text must outlive its statement (the store caches statements by it): literals only */
#define JOB_COLUMNS \
	"id, project_id, format, status_opt, labels, state, total, row_count, bytes, sha256, reason, created_at, " \
	"started_at, finished_at"

static json_t *job_json(fc_stmt *st)
{
	int64_t id = fc_stmt_int(st, 0), total = fc_stmt_int(st, 6), rows = fc_stmt_int(st, 7);
	const char *state = fc_stmt_text(st, 5);
	int done = !strcmp(state, "done");
	double progress = done ? 1.0 : total > 0 ? (double)rows / (double)total : 0.0;
	char url[64];
	snprintf(url, sizeof url, "/api/v1/exports/%lld/download", (long long)id);
	return json_pack("{s:I,s:I,s:s,s:{s:s,s:s},s:s,s:f,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "id", (json_int_t)id,
			 "project", (json_int_t)fc_stmt_int(st, 1), "format", fc_stmt_text(st, 2), "options", "status",
			 fc_stmt_text(st, 3), "labels", fc_stmt_text(st, 4), "status", state, "progress",
			 progress > 1 ? 1.0 : progress, "rows", (json_int_t)rows, "bytes", (json_int_t)fc_stmt_int(st, 8),
			 "sha256", fc_stmt_isnull(st, 9) ? json_null() : json_string(fc_stmt_text(st, 9)),
			 "download_url", done ? json_string(url) : json_null(), "reason",
			 fc_stmt_isnull(st, 10) ? json_null() : json_string(fc_stmt_text(st, 10)), "created_at",
			 fc_stmt_time(st, 11), "started_at", fc_stmt_time(st, 12), "finished_at", fc_stmt_time(st, 13));
}

/* ---------------- the runner's wake-up ---------------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int queued_here, stopping, running;
static pthread_t thread;
static fc_store *run_store;
static char run_dir[1024];

static void wake(void)
{
	pthread_mutex_lock(&mu);
	queued_here = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

void fc_export_jobs_wake(void) { wake(); }

/* ---------------- queueing ---------------- */

static int check_option(const char *name, const json_t *v, fc_err *err)
{
	if (v && !json_is_string(v))
		return fc_err_set(err, FC_EINVAL, "invalid_value", name, "%s must be a string.", name);
	return 0;
}

int fc_export_job_create(fc_store *s, const char *data_dir, const fc_user *user, int64_t project, const json_t *body,
			 json_t **out, fc_err *err)
{
	const json_t *f = json_object_get(body, "format");
	int rc;
	if (!json_is_string(f))
		return fc_err_set(err, FC_EINVAL, f ? "invalid_value" : "missing_field", "format",
				  "format is required: jsonl, json, csv, coco, yolo, voc, conll or cv.");
	if ((rc = check_option("status", json_object_get(body, "status"), err)) ||
	    (rc = check_option("labels", json_object_get(body, "labels"), err)) ||
	    (rc = check_option("method", json_object_get(body, "method"), err)))
		return rc;
	fc_export_request req = {.format = json_string_value(f),
				 .status = fc_json_str(body, "status", NULL),
				 .labels = fc_json_str(body, "labels", NULL),
				 .method = fc_json_str(body, "method", NULL)};
	/* everything the streamed export would refuse is refused now, not
	 * later in the job; a collection project's Common Voice tar is only
	 * checked for the kind here (its open already writes the TSVs) */
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_READ, &db, err)))
		return rc;
	int64_t collection = 0;
	if (!(rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, "Only the project's owners may export it.",
				      err)))
		rc = fc_db_int(db, &collection, err,
			       "SELECT CASE WHEN kind='collection' THEN 1 ELSE 0 END FROM projects WHERE id=?", "I",
			       project);
	fc_db_rollback(db);
	if (rc)
		return rc;
	if (!strcmp(req.format, "cv")) {
		if (!collection)
			return fc_err_set(err, FC_EINVAL, "invalid_format", "format",
					  "The cv format is for collection projects; use jsonl.");
		if ((req.status && strcmp(req.status, "accepted") && strcmp(req.status, "all")) ||
		    (req.labels && strcmp(req.labels, "raw")))
			return fc_err_set(err, FC_EINVAL, "invalid_value", req.labels ? "labels" : "status",
					  "status must be accepted or all, labels raw.");
	} else {
		fc_export_stream x;
		if ((rc = fc_export_stream_prepare(s, data_dir, user, project, &req, &x, err)))
			return rc;
		x.close(x.ctx);
	}
	char target[48];
	snprintf(target, sizeof target, "project:%lld", (long long)project);
	json_t *details = json_pack("{s:s,s:s,s:b}", "format", req.format, "status",
				    req.status ? req.status : "accepted", "job", 1);
	rc = details ? fc_audit_record(s, user->id, "project.export", target, details, err)
		     : fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	json_decref(details);
	if (rc)
		return rc;
	int64_t id, total = 0;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	if (!(rc = fc_db_int(db, &total, err, "SELECT COUNT(*) FROM tasks WHERE project_id=?", "I", project)) &&
	    !(rc = fc_db_int(db, &id, err,
			     "INSERT INTO export_jobs(project_id,user_id,format,status_opt,labels,method,total,created_at) "
			     "VALUES(?,?,?,?,?,?,?,?) RETURNING id",
			     "IIttttII", project, user->id, req.format, req.status ? req.status : "accepted",
			     req.labels ? req.labels : "raw", req.method, total, fc_clock_now())))
		rc = fc_db_row_json(db, out, err, job_json, "export",
				    "SELECT " JOB_COLUMNS " FROM export_jobs WHERE id=?", "I", id);
	if (!fc_db_end(db, &rc, err))
		wake();
	return rc;
}

/* The job's row for a caller who owns its project; 404 otherwise (a job is
 * as visible as its project's exports). */
static int job_row(fc_db *db, const fc_user *user, int64_t id, json_t **out, fc_err *err)
{
	int64_t project;
	int rc = fc_db_int(db, &project, err, "SELECT project_id FROM export_jobs WHERE id=?", "I", id);
	if (rc == FC_ENOTFOUND)
		return fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such export.");
	if (rc)
		return rc;
	fc_err_clear(err);
	int access;
	if ((rc = fc_project_access(db, user, project, &access, err)))
		return rc == FC_ENOTFOUND ? fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such export.") : rc;
	if (access < FC_ACCESS_OWNER)
		return fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such export.");
	return fc_db_row_json(db, out, err, job_json, "export", "SELECT " JOB_COLUMNS " FROM export_jobs WHERE id=?",
			      "I", id);
}

int fc_export_job_get(fc_store *s, const fc_user *user, int64_t id, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	rc = job_row(db, user, id, out, err);
	fc_db_rollback(db);
	return rc;
}

int fc_owner_list(fc_store *s, const fc_user *user, int64_t project, const char *message, const char *sql,
		  fc_row_fn render, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	json_t *items = json_array();
	if (!(rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, message, err)) &&
	    !(rc = fc_db_query(db, &st, err, sql, "I", project))) {
		while (fc_stmt_next(st) == 1)
			json_array_append_new(items, render(st));
		fc_stmt_done(st);
		*out = json_pack("{s:O}", "items", items);
	}
	json_decref(items);
	fc_db_rollback(db);
	return rc;
}

int fc_export_job_list(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	return fc_owner_list(s, user, project, "Only the project's owners see its exports.",
			     "SELECT " JOB_COLUMNS " FROM export_jobs WHERE project_id=? ORDER BY id DESC LIMIT 50",
			     job_json, out, err);
}

int fc_export_job_open(fc_store *s, const char *data_dir, const fc_user *user, int64_t id, FILE **f, uint64_t *size,
		       char filename[96], char type[64], fc_err *err)
{
	fc_db *db;
	json_t *job = NULL;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st = NULL;
	if (!(rc = job_row(db, user, id, &job, err)) &&
	    !(rc = fc_db_query(db, &st, err, "SELECT filename, content_type FROM export_jobs WHERE id=?", "I", id)) &&
	    fc_stmt_next(st) == 1) {
		snprintf(filename, 96, "%s", fc_stmt_isnull(st, 0) ? "export" : fc_stmt_text(st, 0));
		snprintf(type, 64, "%s", fc_stmt_isnull(st, 1) ? "application/octet-stream" : fc_stmt_text(st, 1));
	}
	fc_stmt_done(st);
	fc_db_rollback(db);
	const char *sha = rc ? NULL : fc_json_str(job, "sha256", NULL);
	if (!rc && (!sha || strcmp(fc_json_str(job, "status", ""), "done")))
		rc = fc_err_set(err, FC_ECONFLICT, "not_ready", NULL, "The export is %s; download it once it is done.",
				fc_json_str(job, "status", "not done"));
	fc_blob *b = NULL;
	if (!rc && !(rc = fc_blob_open(&b, data_dir, err)))
		rc = fc_blob_open_read(b, sha, f, size, err);
	fc_blob_close(b);
	json_decref(job);
	return rc;
}

/* ---------------- running ---------------- */

typedef struct job {
	fc_store *store;
	int64_t id, project, user, rows, bytes;
	char format[16], status[16], labels[16], method[16];
} job;

/* Claims the oldest queued job, or one whose runner fell silent. 1 claimed,
 * 0 none, <0 failure. */
static int claim(fc_store *s, job *j, fc_err *err)
{
	fc_db *db;
	int64_t now = (int64_t)time(NULL);
	/* the row locked as it is taken, others' skipped: no global write
	 * lock (store.h); a claim that fails is tried again on the next poll */
	int rc = fc_db_begin(s, FC_DB_WRITE_ROWS, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	int got = 0;
	if (!(rc = fc_db_query(
		      db, &st, err,
		      "SELECT id, project_id, user_id, format, status_opt, labels, COALESCE(method,'') FROM export_jobs "
		      "WHERE state='queued' OR (state='running' AND heartbeat_at<?) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
		      "I", now - STALE_SECONDS))) {
		if (fc_stmt_next(st) == 1) {
			got = 1;
			*j = (job){.id = fc_stmt_int(st, 0), .project = fc_stmt_int(st, 1), .user = fc_stmt_int(st, 2)};
			snprintf(j->format, sizeof j->format, "%s", fc_stmt_text(st, 3));
			snprintf(j->status, sizeof j->status, "%s", fc_stmt_text(st, 4));
			snprintf(j->labels, sizeof j->labels, "%s", fc_stmt_text(st, 5));
			snprintf(j->method, sizeof j->method, "%s", fc_stmt_text(st, 6));
		}
		fc_stmt_done(st);
	}
	if (!rc && got)
		rc = fc_db_exec(db, err,
				"UPDATE export_jobs SET state='running', started_at=?, heartbeat_at=?, row_count=0, "
				"bytes=0 WHERE id=?",
				"III", fc_clock_now(), now, j->id);
	fc_db_end(db, &rc, err);
	return rc ? rc : got;
}

static void progress(fc_store *s, const job *j)
{
	fc_err err = {0};
	if (fc_store_write(s, NULL, &err, "UPDATE export_jobs SET row_count=?, bytes=?, heartbeat_at=? WHERE id=?",
			   "IIII", j->rows, j->bytes, (int64_t)time(NULL), j->id))
		fc_log(FC_LOG_WARN, "export %lld: progress not saved: %s", (long long)j->id, err.msg);
	fc_err_clear(&err);
}

static int fail(fc_store *s, const job *j, const char *reason)
{
	fc_err err = {0};
	fc_log(FC_LOG_WARN, "export %lld failed: %s", (long long)j->id, reason);
	int rc = fc_store_write(s, NULL, &err,
				"UPDATE export_jobs SET state='failed', reason=?, finished_at=?, sha256=NULL WHERE id=?",
				"tII", reason, fc_clock_now(), j->id);
	fc_err_clear(&err);
	return rc;
}

/* Publishes the finished blob: the row and the event in one transaction. */
static int publish(fc_store *s, job *j, const fc_export_result *res, fc_err *err)
{
	const char *sha = res->sha256;
	char url[64];
	snprintf(url, sizeof url, "/api/v1/exports/%lld/download", (long long)j->id);
	json_t *summary =
		json_pack("{s:I,s:s,s:I,s:I,s:s,s:s}", "id", (json_int_t)j->id, "format", j->format, "rows",
			  (json_int_t)j->rows, "bytes", (json_int_t)j->bytes, "sha256", sha, "download_url", url);
	if (!summary)
		return fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	fc_db *db = NULL;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (!rc && !(rc = fc_db_exec(db, err,
				     "UPDATE export_jobs SET state='done', sha256=?, row_count=?, bytes=?, filename=?, "
				     "content_type=?, finished_at=?, heartbeat_at=? WHERE id=? AND state='running'",
				     "tIIttIII", sha, j->rows, j->bytes, res->filename, res->content_type,
				     fc_clock_now(), (int64_t)time(NULL), j->id))) {
		fc_event ev = {.kind = FC_EV_EXPORT_DONE,
			       .project = j->project,
			       .user = j->user,
			       .actor = j->user,
			       .ref = j->id,
			       .count = j->rows,
			       .amount = j->bytes,
			       .text = sha,
			       .json = summary};
		rc = fc_db_changes(db) == 1 ? fc_events_publish(db, &ev, err)
					    : fc_err_set(err, FC_ECONFLICT, "conflict", NULL,
							 "The job was taken over by another runner.");
	}
	if (db)
		fc_db_end(db, &rc, err);
	json_decref(summary);
	return rc;
}

int fc_export_to_blob(fc_store *s, const char *data_dir, const fc_user *user, int64_t project,
		      const fc_export_request *req, fc_export_result *res,
		      int (*tick)(void *arg, const fc_export_result *res), void *arg, fc_err *err)
{
	fc_export_stream x = {0};
	fc_blob *b = NULL;
	fc_blob_writer *w = NULL;
	char *buf = malloc(CHUNK);
	memset(res, 0, sizeof *res);
	int rc = buf ? 0 : fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	if (!rc && !(rc = fc_export_stream_prepare(s, data_dir, user, project, req, &x, err)) &&
	    !(rc = fc_blob_open(&b, data_dir, err)))
		rc = fc_blob_writer_open(b, &w, err);
	time_t last = time(NULL);
	while (!rc) {
		ssize_t n = x.read(x.ctx, buf, CHUNK);
		if (n < 0)
			rc = fc_err_set(err, FC_EIO, "internal", NULL, "Reading the project failed.");
		if (n <= 0 || (rc = fc_blob_writer_write(w, buf, (size_t)n, err)))
			break;
		res->bytes += n;
		if (tick && time(NULL) != last) {
			last = time(NULL);
			res->rows = x.rows ? x.rows(x.ctx) : 0;
			if (tick(arg, res))
				rc = fc_err_set(err, FC_EBUSY, "stopping", NULL, "The server stopped.");
		}
	}
	if (!rc) {
		res->rows = x.rows ? x.rows(x.ctx) : 0;
		snprintf(res->filename, sizeof res->filename, "%s", x.filename);
		snprintf(res->content_type, sizeof res->content_type, "%s", x.content_type);
		rc = fc_blob_writer_commit(w, res->sha256, err);
		w = NULL;
	}
	fc_blob_writer_abort(w); /* the temporary file goes; nothing was named */
	if (x.close)
		x.close(x.ctx);
	fc_blob_close(b);
	free(buf);
	return rc;
}

static int job_tick(void *arg, const fc_export_result *res)
{
	job *j = arg;
	j->rows = res->rows;
	j->bytes = res->bytes;
	progress(j->store, j);
	return __atomic_load_n(&stopping, __ATOMIC_RELAXED); /* shutting down: queued again for the next start */
}

/* Writes the job's stream into the blob store and publishes it. Returns 0
 * (done or failed, as recorded), or <0 when even the failure could not be
 * recorded. */
static int run_one(fc_store *s, const char *data_dir, job *j)
{
	fc_err err = {0};
	fc_user user;
	fc_export_result res;
	fc_export_request req = {.format = j->format,
				 .status = j->status,
				 .labels = j->labels,
				 .method = j->method[0] ? j->method : NULL};
	j->store = s;
	int rc = fc_account_get(s, j->user, &user, &err);
	if (!rc && !(rc = fc_export_to_blob(s, data_dir, &user, j->project, &req, &res, job_tick, j, &err))) {
		j->rows = res.rows;
		j->bytes = res.bytes;
		rc = publish(s, j, &res, &err);
	}
	int out = 0;
	if (rc == FC_EBUSY)
		out = fc_store_write(s, NULL, &err,
				     "UPDATE export_jobs SET state='queued' WHERE id=? AND state='running'", "I", j->id);
	else if (rc && rc != FC_ECONFLICT)
		out = fail(s, j, err.msg[0] ? err.msg : "The export failed.");
	fc_err_clear(&err);
	return out;
}

int fc_export_jobs_run(fc_store *s, const char *data_dir, int max, int64_t *ran, fc_err *err)
{
	for (int i = 0; i < max; i++) {
		job j;
		int rc = claim(s, &j, err);
		if (rc <= 0)
			return rc;
		if ((rc = run_one(s, data_dir, &j)))
			return fc_err_set(err, rc, "internal", NULL, "Export %lld: its failure was not recorded.",
					  (long long)j.id);
		if (ran)
			(*ran)++;
	}
	return 0;
}

static void *runner(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	while (!stopping) {
		if (!queued_here) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_cond_timedwait(&cv, &mu, &until);
		}
		if (stopping)
			break;
		queued_here = 0;
		pthread_mutex_unlock(&mu);
		fc_err err = {0};
		if (fc_export_jobs_run(run_store, run_dir, 16, NULL, &err))
			fc_log(FC_LOG_ERROR, "export jobs: %s", err.msg);
		fc_err_clear(&err);
		if (fc_storage_jobs_run(run_store, run_dir, 16, NULL, &err)) /* S3 syncs (work/storage.h) */
			fc_log(FC_LOG_ERROR, "storage syncs: %s", err.msg);
		fc_err_clear(&err);
		pthread_mutex_lock(&mu);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

int fc_export_jobs_start(fc_store *s, const char *data_dir)
{
	run_store = s;
	snprintf(run_dir, sizeof run_dir, "%s", data_dir);
	stopping = 0;
	queued_here = 1; /* jobs left queued by the last run */
	if (pthread_create(&thread, NULL, runner, NULL))
		return -1;
	running = 1;
	return 0;
}

void fc_export_jobs_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&mu);
	__atomic_store_n(&stopping, 1, __ATOMIC_RELAXED);
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(thread, NULL);
	running = 0;
}
