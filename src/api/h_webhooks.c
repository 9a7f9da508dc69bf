/* Webhooks of a project (webhooks/webhooks.h). */
#include "api/app.h"
#include "api/handlers.h"
#include "webhooks/webhooks.h"

void h_webhooks_create(fc_req *r) { fc_api_call_id_body(r, fc_webhook_create, 201); }
void h_webhooks_list(fc_req *r) { fc_api_call_id(r, fc_webhook_list, 200); }

void h_webhooks_delete(fc_req *r)
{
	int64_t id = fc_api_id(r, 0), wid = id < 0 ? -1 : fc_api_id(r, 1);
	if (wid < 0)
		return;
	fc_err err = {0};
	if (fc_webhook_delete(fc_store_of(r), fc_user_of(r), id, wid, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_empty(r, 204);
}

typedef int (*hook_fn)(fc_store *, const fc_user *, int64_t, int64_t, json_t **, fc_err *);

static void call_hook(fc_req *r, hook_fn fn, int status)
{
	int64_t id = fc_api_id(r, 0), wid = id < 0 ? -1 : fc_api_id(r, 1);
	if (wid < 0)
		return;
	fc_err err = {0};
	json_t *out = NULL;
	if (fn(fc_store_of(r), fc_user_of(r), id, wid, &out, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, status, out);
}

void h_webhooks_deliveries(fc_req *r) { call_hook(r, fc_webhook_deliveries, 200); }
void h_webhooks_test(fc_req *r) { call_hook(r, fc_webhook_test, 202); }
