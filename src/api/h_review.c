/* Review, appeals and quality figures. */
#include "api/handlers.h"

#include "quality/project.h"
#include "work/review.h"
#include <string.h>

void h_review_next(fc_req *r) { fc_api_call_id(r, fc_review_next, 200 | FC_API_EMPTY_IS_204); }

void h_review_accept(fc_req *r) { fc_api_call_id(r, fc_review_accept, 200); }

void h_review_reject(fc_req *r) { fc_api_call_id_body(r, fc_review_reject, 200); }
void h_review_fix(fc_req *r) { fc_api_call_id_body(r, fc_review_fix, 200); }
void h_review_appeal(fc_req *r) { fc_api_call_id_body(r, fc_review_appeal, 201); }
void h_review_decide(fc_req *r) { fc_api_call_id_body(r, fc_review_decide, 200); }

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
	const char *method = fc_req_query(r, "method");
	if (method && strcmp(method, "categorical") && strcmp(method, "iou")) {
		fc_reply_errorf(r, FC_EINVAL, "invalid_value", "method",
				"method must be categorical (the default) or iou (regions).");
		return;
	}
	int rc = method && !strcmp(method, "iou") ? fc_quality_agreement_iou(fc_store_of(r), fc_user_of(r), id,
									     fc_req_query(r, "control"), &out, &err)
						  : fc_quality_agreement(fc_store_of(r), fc_user_of(r), id,
									 fc_req_query(r, "control"), 1, &out, &err);
	if (rc)
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, 200, out);
}
