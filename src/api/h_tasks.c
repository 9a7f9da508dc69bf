/* Task import, reads and export. */
#include "api/exports.h"
#include "api/handlers.h"
#include "work/manage.h"
#include "work/task.h"

#include <stdio.h>
#include <string.h>

void h_tasks_import(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	const char *ct = fc_req_header(r, "Content-Type");
	int format = fc_import_format_of(ct);
	if (format < 0) {
		fc_reply_errorf(r, FC_ETYPE, "unsupported_media_type", NULL,
				"Send tasks as application/json (an array), application/x-ndjson or text/csv.");
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
	fc_export_request req = {fc_req_query(r, "format"), fc_req_query(r, "status"), fc_req_query(r, "labels")};
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
}
