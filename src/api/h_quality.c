/* Contributor quality: own gold figures, qualification test results, the
 * team's per-contributor view, lifting a pause. */
#include "api/handlers.h"
#include "quality/contributors.h"
#include "quality/qualtest.h"

void h_quality_my(fc_req *r) { fc_api_call_id(r, fc_quality_my, 200); }
void h_qualification_result(fc_req *r) { fc_api_call_id(r, fc_qualtest_result, 200); }
void h_qualification_retake(fc_req *r) { fc_api_call_id(r, fc_qualtest_retake, 201); }

void h_quality_contributors(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	json_t *out = NULL;
	if (fc_quality_contributors(fc_store_of(r), fc_user_of(r), id, fc_req_query(r, "control"), &out, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, 200, out);
}

void h_quality_unpause(fc_req *r)
{
	int64_t id = fc_api_id(r, 0), uid = id < 0 ? -1 : fc_api_id(r, 1);
	if (uid < 0)
		return;
	fc_err err = {0};
	json_t *out = NULL;
	if (fc_quality_unpause(fc_store_of(r), fc_user_of(r), id, uid, &out, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, 200, out);
}
