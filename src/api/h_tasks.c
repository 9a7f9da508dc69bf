/* Task import, reads and export. */
#include "api/export_jobs.h"
#include "api/exports.h"
#include "api/handlers.h"
#include "api/versions.h"
#include "work/manage.h"
#include "work/task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void h_tasks_import(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	const char *ct = fc_req_header(r, "Content-Type");
	int format = fc_import_format_of(ct);
	size_t ctn = ct ? strcspn(ct, "; ") : 0;
	static const char *const ARCHIVES[] = {"application/zip", "application/x-tar", "application/gzip",
					       "application/x-gzip"};
	for (size_t i = 0; format < 0 && i < sizeof ARCHIVES / sizeof *ARCHIVES; i++)
		if (ctn == strlen(ARCHIVES[i]) && !strncasecmp(ct, ARCHIVES[i], ctn)) {
			fc_err err = {0};
			int64_t created = 0;
			if (fc_task_import_media(fc_store_of(r), fc_app_of(r)->data_dir, fc_user_of(r), id, r->spool,
						 &created, &err))
				fc_api_fail(r, &err);
			else
				fc_reply_json(r, 201, json_pack("{s:I}", "created", (json_int_t)created));
			return;
		}
	if (format < 0) {
		fc_reply_errorf(r, FC_ETYPE, "unsupported_media_type", NULL,
				"Send tasks as application/json (an array), application/x-ndjson or text/csv, or media "
				"files as application/zip or application/x-tar.");
		return;
	}
	/* other tools' files: ?format=coco (a COCO JSON file), ?format=mturk (an MTurk results CSV) */
	const char *kind = fc_req_query(r, "format");
	if (kind && !strcmp(kind, "coco") && format == FC_IMPORT_JSON) {
		format = FC_IMPORT_COCO;
	} else if (kind && !strcmp(kind, "mturk") && format == FC_IMPORT_CSV) {
		format = FC_IMPORT_MTURK;
	} else if (kind && strcmp(kind, "tasks")) {
		fc_reply_errorf(r, FC_EINVAL, "invalid_format", "format",
				"format is 'tasks' (the default), 'coco' (application/json) or 'mturk' (text/csv, an "
				"MTurk batch results file).");
		return;
	}
	fc_err err = {0};
	int64_t created = 0;
	if (fc_task_import(fc_store_of(r), fc_user_of(r), id, r->spool, format, &created, NULL, NULL, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, 201, json_pack("{s:I}", "created", (json_int_t)created));
}

void h_tasks_list(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_task_filter f = {fc_req_query(r, "state"),       fc_req_query(r, "has_results"),
			    fc_req_query(r, "gold"),        fc_req_query(r, "agreement_below"),
			    fc_req_query(r, "contributor"), fc_req_query(r, "q"),
			    fc_req_query(r, "sort"),        fc_req_query(r, "after"),
			    fc_req_query(r, "limit"),       fc_req_query(r, "results")};
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fc_task_query(fc_store_of(r), fc_user_of(r), id, &f, &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}

void h_tasks_get(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	json_t *out = NULL;
	if (fc_task_get(fc_store_of(r), fc_user_of(r), id, &out, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, 200, out);
}

void h_export(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_export_request req = {.format = fc_req_query(r, "format"),
				 .status = fc_req_query(r, "status"),
				 .labels = fc_req_query(r, "labels"),
				 .method = fc_req_query(r, "method")};
	const char *ik = fc_req_query(r, "interpolate_key_frames");
	req.interpolate = ik && (!strcmp(ik, "1") || !strcmp(ik, "true"));
	const char *shard = fc_req_query(r, "shard_size");
	if (shard) {
		char *end;
		long n = strtol(shard, &end, 10);
		if (end == shard || *end || n < 1 || n > 100000) {
			fc_reply_errorf(r, FC_EINVAL, "invalid_shard_size", "shard_size",
					"shard_size is the number of samples per WebDataset shard, 1 to 100000.");
			return;
		}
		req.shard_size = (int)n;
	}
	fc_export_stream x;
	fc_err err = {0};
	if (fc_export_stream_open(fc_store_of(r), fc_app_of(r)->data_dir, fc_user_of(r), id, &req, &x, &err)) {
		fc_api_fail(r, &err);
		return;
	}
	fc_reply_stream(r, 200, x.content_type, x.read, x.ctx, x.close);
	char disp[160];
	snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", x.filename);
	fc_reply_header(r, "Content-Disposition", disp);
	if (x.warning[0]) /* what the format leaves out, also in the archive's WARNINGS.txt */
		fc_reply_header(r, "X-Faircrowd-Export-Warning", x.warning);
}

/* ---- export jobs (export_jobs.h) ---- */

/* POST with a JSON body checked against fields, answered by fn(store,
 * data dir, user, path id, body) with status. */
typedef int (*dir_body_fn)(fc_store *, const char *, const fc_user *, int64_t, const json_t *, json_t **, fc_err *);
static void call_dir_body(fc_req *r, const fc_field *fields, dir_body_fn fn, int status)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	json_t *b = fc_api_body(r, fields), *out = NULL;
	if (!b)
		return;
	fc_err err = {0};
	int rc = fn(fc_store_of(r), fc_app_of(r)->data_dir, fc_user_of(r), id, b, &out, &err);
	json_decref(b);
	fc_api_reply(r, rc, &err, status, out);
}

void h_export_jobs_create(fc_req *r)
{
	static const fc_field fields[] = {{"format", FC_J_STRING | FC_J_REQUIRED},
					  {"status", FC_J_STRING},
					  {"labels", FC_J_STRING},
					  {0}};
	call_dir_body(r, fields, fc_export_job_create, 202);
}

void h_export_jobs_list(fc_req *r) { fc_api_call_id(r, fc_export_job_list, 200); }

void h_export_job_get(fc_req *r) { fc_api_call_id(r, fc_export_job_get, 200); }

/* A kept file (an export job's or a version's) as an attachment. */
static void send_file(fc_req *r, FILE *f, uint64_t size, const char *name, const char *type)
{
	char disp[200], len[32];
	fc_reply_stream(r, 200, type, fc_api_file_read, f, fc_api_file_done);
	snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", name);
	fc_reply_header(r, "Content-Disposition", disp);
	snprintf(len, sizeof len, "%llu", (unsigned long long)size);
	fc_reply_header(r, "X-Content-Length", len);
}

void h_export_job_download(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	FILE *f = NULL;
	uint64_t size = 0;
	char name[96], type[64];
	if (fc_export_job_open(fc_store_of(r), fc_app_of(r)->data_dir, fc_user_of(r), id, &f, &size, name, type, &err))
		fc_api_fail(r, &err);
	else
		send_file(r, f, size, name, type);
}

/* ---- dataset versions (versions.h) ---- */

void h_versions_create(fc_req *r)
{
	static const fc_field fields[] = {{"name", FC_J_STRING | FC_J_REQUIRED},
					  {"split", FC_J_OBJECT},
					  {"group_by", FC_J_STRING},
					  {"seed", FC_J_INT},
					  {0}};
	call_dir_body(r, fields, fc_version_create, 201);
}

void h_versions_list(fc_req *r) { fc_api_call_id(r, fc_version_list, 200); }

void h_version_get(fc_req *r) { fc_api_call_id(r, fc_version_get, 200); }

static void version_file(fc_req *r, const char *format, const char *split)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	FILE *f = NULL;
	uint64_t size = 0;
	char name[128], type[64];
	if (fc_version_open(fc_store_of(r), fc_app_of(r)->data_dir, fc_user_of(r), id, format, split, &f, &size, name,
			    type, &err))
		fc_api_fail(r, &err);
	else
		send_file(r, f, size, name, type);
}

void h_version_download(fc_req *r) { version_file(r, fc_req_query(r, "format"), fc_req_query(r, "split")); }

void h_version_card(fc_req *r) { version_file(r, "card", NULL); }

void h_version_croissant(fc_req *r) { version_file(r, "croissant", NULL); }
