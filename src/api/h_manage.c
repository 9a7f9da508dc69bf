/* The requester's workbench (work/manage.h): deleting and bulk-changing
 * tasks, the submissions list, bulk review and the project's members. */
#include "api/handlers.h"
#include "work/manage.h"
#include "work/taskfiles.h"

void h_task_delete(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	if (fc_task_delete(fc_store_of(r), fc_user_of(r), id, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_empty(r, 204);
}

void h_tasks_bulk(fc_req *r) { fc_api_call_id_body(r, fc_task_bulk, 200); }

void h_submissions_list(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	int limit;
	int64_t after;
	if (id < 0 || fc_api_page(r, &limit, &after))
		return;
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fc_submission_query(fc_store_of(r), fc_user_of(r), id, fc_req_query(r, "status"),
				     fc_req_query(r, "contributor"), fc_req_query(r, "task"), limit, after, &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}

void h_submissions_accept(fc_req *r) { fc_api_call_id_body(r, fc_submission_bulk_accept, 200); }
void h_submissions_reject(fc_req *r) { fc_api_call_id_body(r, fc_submission_bulk_reject, 200); }

void h_members_list(fc_req *r) { fc_api_call_id(r, fc_members_list, 200); }
void h_members_add(fc_req *r) { fc_api_call_id_body(r, fc_members_add, 201); }

void h_members_remove(fc_req *r)
{
	int64_t id = fc_api_id(r, 0), member = fc_api_id(r, 1);
	if (id < 0 || member < 0)
		return;
	fc_err err = {0};
	if (fc_members_remove(fc_store_of(r), fc_user_of(r), id, member, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_empty(r, 204);
}

/* A file dropped into the project becomes one task (work/taskfiles.h). */
void h_task_files_add(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	if (!r->spool_path || r->body_len == 0) {
		fc_reply_errorf(r, FC_EINVAL, "missing_body", NULL,
				"Send the image, audio or video file as the request body.");
		return;
	}
	fflush(r->spool);
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fc_task_file_add(fc_store_of(r), fc_app_of(r)->data_dir, fc_user_of(r), id, r->spool_path,
				  r->spool_sha256[0] ? r->spool_sha256 : NULL, fc_req_query(r, "name"), &out, &err);
	fc_api_reply(r, rc, &err, 201, out);
}

void h_task_file_get(fc_req *r) { fc_api_serve_blob(r, fc_task_file_open); }
