/* The contributor's preferences (limits, notifications) and password. */
#include "account/password.h"
#include "api/handlers.h"
#include "contrib/contrib.h"

void h_prefs_get(fc_req *r)
{
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fc_prefs_get(fc_store_of(r), fc_user_of(r), &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}

void h_prefs_put(fc_req *r)
{
	fc_err err = {0};
	json_t *b = fc_json_parse(r->body.p, r->body.len, &err), *out = NULL;
	if (!b) {
		fc_api_fail(r, &err);
		return;
	}
	int rc = fc_prefs_put(fc_store_of(r), fc_user_of(r), b, &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
	json_decref(b);
}

void h_password_change(fc_req *r)
{
	/* API.md names the current password "old"; "current" is accepted too,
	 * a synonym clients may expect */
	static const fc_field fields[] = {{"old", FC_J_STRING},
					  {"current", FC_J_STRING},
					  {"new", FC_J_STRING | FC_J_REQUIRED},
					  {0}};
	json_t *b = fc_api_body(r, fields);
	if (!b)
		return;
	fc_err err = {0};
	fc_auth *a = r->auth;
	const char *old = fc_json_str(b, "old", fc_json_str(b, "current", NULL));
	int rc;
	if (!old)
		rc = fc_err_set(&err, FC_EINVAL, "missing_field", "old",
				"Field 'old' (the current password) is required.");
	else if (json_object_get(b, "old") && json_object_get(b, "current"))
		rc = fc_err_set(&err, FC_EINVAL, "invalid_value", "current", "Send the current password once, as 'old'.");
	else
		rc = fc_account_password_change(fc_store_of(r), a->user.id, old, fc_json_str(b, "new", ""),
						a->via_cookie ? a->session_token : NULL, &err);
	if (rc)
		fc_api_fail(r, &err);
	else
		fc_reply_empty(r, 204);
	json_decref(b);
}

/* Messages between a contributor and a project's owner (pseudonymous). */
void h_messages_send(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	static const fc_field F[] = {{"body", FC_J_STRING | FC_J_REQUIRED}, {"thread_id", FC_J_INT}, {0}};
	json_t *b = fc_api_body(r, F), *out = NULL;
	if (!b)
		return;
	fc_err err = {0};
	int rc = fc_message_send(fc_store_of(r), fc_user_of(r), id, b, &out, &err);
	json_decref(b);
	fc_api_reply(r, rc, &err, 201, out);
}

void h_project_messages(fc_req *r) { fc_api_call_id(r, fc_messages_list, 200); }

void h_my_messages(fc_req *r)
{
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fc_messages_list(fc_store_of(r), fc_user_of(r), 0, &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}
