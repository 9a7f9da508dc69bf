/* Contributors' work: lease, submit, release, their submissions and pay. */
#include "api/handlers.h"
#include "money/money.h"
#include "work/assign.h"

#include <stdlib.h>

void h_assign_lease(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	json_t *out = NULL;
	const char *why = NULL;
	if (fc_assign_lease(fc_store_of(r), fc_user_of(r), id, &out, &why, &err)) {
		fc_api_fail(r, &err);
	} else if (!out) {
		fc_reply_empty(r, 204);
		fc_reply_header(r, "X-Faircrowd-Reason", why ? why : "no_tasks");
	} else {
		fc_reply_json(r, 201, out);
	}
}

void h_assign_submit(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	json_t *b = fc_json_parse(r->body.p, r->body.len, &err), *out = NULL;
	if (!b) {
		fc_api_fail(r, &err);
		return;
	}
	int replayed = 0;
	int rc = fc_assign_submit(fc_store_of(r), fc_user_of(r), id, b, fc_req_header(r, "Idempotency-Key"), &out,
				  &replayed, &err);
	json_decref(b);
	if (rc) {
		fc_api_fail(r, &err);
		return;
	}
	fc_reply_json(r, 201, out);
	if (replayed)
		fc_reply_header(r, "Idempotent-Replayed", "true");
}

void h_assign_release(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	if (fc_assign_release(fc_store_of(r), fc_user_of(r), id, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_empty(r, 204);
}

void h_my_submissions(fc_req *r) { fc_api_call_page(r, fc_assign_my_submissions); }

void h_my_earnings(fc_req *r)
{
	fc_err err = {0};
	json_t *out = NULL;
	if (fc_money_earnings(fc_store_of(r), fc_user_of(r), &out, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, 200, out);
}

void h_my_assignments(fc_req *r)
{
	const char *p = fc_req_query(r, "project");
	char *end = NULL;
	long long project = p ? strtoll(p, &end, 10) : 0;
	fc_err err = {0};
	if (p && (!*p || *end || project <= 0)) {
		fc_err_set(&err, FC_EINVAL, "invalid_value", "project", "Parameter 'project' must be a project id.");
		fc_api_fail(r, &err);
		return;
	}
	json_t *out = NULL;
	int rc = fc_assign_held(fc_store_of(r), fc_user_of(r), project, &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}
