/* Projects, members, consent, funding, stats. */
#include "api/handlers.h"
#include "money/money.h"
#include "quality/project.h"
#include "work/project.h"

#include <string.h>

void h_projects_create(fc_req *r)
{
	fc_err err = {0};
	json_t *b = fc_json_parse(r->body.p, r->body.len, &err), *out = NULL;
	if (!b) {
		fc_api_fail(r, &err);
		return;
	}
	int rc = fc_project_create(fc_store_of(r), fc_user_of(r), b, &out, &err);
	json_decref(b);
	fc_api_reply(r, rc, &err, 201, out);
}

void h_projects_list(fc_req *r) { fc_api_call_page(r, fc_project_list); }

void h_projects_get(fc_req *r) { fc_api_call_id(r, fc_project_get, 200); }

void h_projects_patch(fc_req *r) { fc_api_call_id_body(r, fc_project_update, 200); }

static void transition(fc_req *r, const char *action)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fc_project_transition(fc_store_of(r), fc_user_of(r), id, action, &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}

void h_projects_publish(fc_req *r) { transition(r, "publish"); }
void h_projects_pause(fc_req *r) { transition(r, "pause"); }
void h_projects_close(fc_req *r) { transition(r, "close"); }

void h_projects_stats(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	json_t *out = NULL, *agreement = NULL;
	int rc = fc_project_stats(fc_store_of(r), fc_user_of(r), id, &out, &err);
	/* API.md lists agreement among the stats; it comes from the quality module */
	if (!rc && !(rc = fc_quality_agreement(fc_store_of(r), fc_user_of(r), id, NULL, 0, &agreement, &err)))
		json_object_set_new(out, "agreement", agreement);
	if (rc)
		json_decref(out);
	fc_api_reply(r, rc, &err, 200, out);
}

void h_consent_put(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	static const fc_field F[] = {{"text", FC_J_STRING | FC_J_REQUIRED}, {"version", FC_J_STRING | FC_J_REQUIRED}, {0}};
	json_t *b = fc_api_body(r, F), *out = NULL;
	if (!b)
		return;
	fc_err err = {0};
	int rc = fc_consent_put(fc_store_of(r), fc_user_of(r), id, fc_json_str(b, "text", ""),
				fc_json_str(b, "version", ""), &out, &err);
	json_decref(b);
	fc_api_reply(r, rc, &err, 200, out);
}

void h_consent_get(fc_req *r) { fc_api_call_id(r, fc_consent_get, 200); }

void h_consent_accept(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	static const fc_field F[] = {{"version", FC_J_STRING | FC_J_REQUIRED}, {0}};
	json_t *b = fc_api_body(r, F), *out = NULL;
	if (!b)
		return;
	fc_err err = {0};
	int rc = fc_consent_accept(fc_store_of(r), fc_user_of(r), id, fc_json_str(b, "version", ""), &out, &err);
	json_decref(b);
	fc_api_reply(r, rc, &err, 201, out);
}

void h_projects_fund(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	static const fc_field F[] = {{"amount", FC_J_INT | FC_J_REQUIRED}, {0}};
	json_t *b = fc_api_body(r, F), *out = NULL;
	if (!b)
		return;
	fc_err err = {0};
	int rc = fc_money_fund(fc_store_of(r), fc_user_of(r), id, fc_json_int(b, "amount", 0), &out, &err);
	json_decref(b);
	fc_api_reply(r, rc, &err, 201, out);
}
