/* A project's ML backend and its predictions (ml/ml.h). */
#include "api/app.h"
#include "api/handlers.h"
#include "ml/ml.h"

void h_ml_attach(fc_req *r) { fc_api_call_id_body(r, fc_ml_attach, 200); }
void h_ml_status(fc_req *r) { fc_api_call_id(r, fc_ml_status, 200); }
void h_ml_predict(fc_req *r) { fc_api_call_id(r, fc_ml_repredict, 202); }
void h_ml_interactive(fc_req *r) { fc_api_call_id_body(r, fc_ml_interact, 200); }

void h_ml_detach(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	if (fc_ml_detach(fc_store_of(r), fc_user_of(r), id, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_empty(r, 204);
}
