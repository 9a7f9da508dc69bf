/* S3 import sources of a project and the objects their syncs made tasks
 * of (work/storage.h). */
#include "api/app.h"
#include "api/export_jobs.h"
#include "api/handlers.h"
#include "work/storage.h"

void h_storage_create(fc_req *r) { fc_api_call_id_body(r, fc_storage_create, 201); }
void h_storage_list(fc_req *r) { fc_api_call_id(r, fc_storage_list, 200); }

void h_storage_update(fc_req *r)
{
	int64_t id = fc_api_id(r, 0), sid = id < 0 ? -1 : fc_api_id(r, 1);
	if (sid < 0)
		return;
	fc_err err = {0};
	json_t *b = fc_json_parse(r->body.p, r->body.len, &err), *out = NULL;
	if (!b) {
		fc_api_fail(r, &err);
		return;
	}
	int rc = fc_storage_update(fc_store_of(r), fc_user_of(r), id, sid, b, &out, &err);
	json_decref(b);
	fc_api_reply(r, rc, &err, 200, out);
}

void h_storage_delete(fc_req *r)
{
	int64_t id = fc_api_id(r, 0), sid = id < 0 ? -1 : fc_api_id(r, 1);
	if (sid < 0)
		return;
	fc_err err = {0};
	if (fc_storage_delete(fc_store_of(r), fc_user_of(r), id, sid, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_empty(r, 204);
}

static void sync(fc_req *r, int one)
{
	int64_t id = fc_api_id(r, 0), sid = one && id >= 0 ? fc_api_id(r, 1) : 0;
	if (id < 0 || sid < 0)
		return;
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fc_storage_sync(fc_store_of(r), fc_user_of(r), id, sid, &out, &err);
	if (!rc)
		fc_export_jobs_wake(); /* the background runner does it */
	fc_api_reply(r, rc, &err, 202, out);
}

void h_storage_sync_all(fc_req *r) { sync(r, 0); }
void h_storage_sync(fc_req *r) { sync(r, 1); }

void h_storage_object_get(fc_req *r) { fc_api_serve_blob(r, fc_storage_object_open); }
