/* Review, appeals and quality figures. */
#include "api/handlers.h"
#include "quality/project.h"
#include "work/review.h"

typedef int (*body_fn)(fc_store *, const fc_user *, int64_t, const json_t *, json_t **, fc_err *);

static void with_body(fc_req *r, body_fn fn, int status)
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
	int rc = fn(fc_store_of(r), fc_user_of(r), id, b, &out, &err);
	json_decref(b);
	if (rc)
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, status, out);
}

void h_review_next(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	json_t *out = NULL;
	if (fc_review_next(fc_store_of(r), fc_user_of(r), id, &out, &err))
		fc_api_fail(r, &err);
	else if (!out)
		fc_reply_empty(r, 204);
	else
		fc_reply_json(r, 200, out);
}

void h_review_accept(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	json_t *out = NULL;
	if (fc_review_accept(fc_store_of(r), fc_user_of(r), id, &out, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, 200, out);
}

void h_review_reject(fc_req *r) { with_body(r, fc_review_reject, 200); }
void h_review_fix(fc_req *r) { with_body(r, fc_review_fix, 200); }
void h_review_appeal(fc_req *r) { with_body(r, fc_review_appeal, 201); }
void h_review_decide(fc_req *r) { with_body(r, fc_review_decide, 200); }

void h_review_appeals(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	json_t *out = NULL;
	if (fc_review_appeals(fc_store_of(r), fc_user_of(r), id, fc_req_query(r, "status"), &out, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, 200, out);
}

void h_quality_labels(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	const char *m = fc_req_query(r, "method");
	fc_err err = {0};
	json_t *out = NULL;
	if (fc_quality_labels(fc_store_of(r), fc_user_of(r), id, m ? m : "mv", fc_req_query(r, "control"), &out, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, 200, out);
}

void h_quality_agreement(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	json_t *out = NULL;
	if (fc_quality_agreement(fc_store_of(r), fc_user_of(r), id, fc_req_query(r, "control"), &out, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, 200, out);
}
