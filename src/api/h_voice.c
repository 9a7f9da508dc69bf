/* The contributor's side (issue #17): signed work history, in-app
 * notifications, password reset, reports on tasks, transparency. */
#include "account/reset.h"
#include "api/handlers.h"
#include "contrib/contrib.h"
#include "core/json.h"
#include "work/assign.h"

#include <stdlib.h>
#include <string.h>

void h_history(fc_req *r)
{
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fc_history_get(fc_store_of(r), fc_user_of(r), &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}

void h_signing_key(fc_req *r)
{
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fc_signing_key(fc_store_of(r), &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}

void h_notifications(fc_req *r)
{
	int limit;
	int64_t before;
	if (fc_api_page(r, &limit, &before)) /* ?after is the cursor: notifications older than it */
		return;
	const char *u = fc_req_query(r, "unread");
	fc_err err = {0};
	if (u && strcmp(u, "0") && strcmp(u, "1") && strcmp(u, "true") && strcmp(u, "false")) {
		fc_err_set(&err, FC_EINVAL, "invalid_value", "unread", "Parameter 'unread' must be 1 or 0.");
		fc_api_fail(r, &err);
		return;
	}
	json_t *out = NULL;
	int rc = fc_notifications_list(fc_store_of(r), fc_user_of(r), u && (!strcmp(u, "1") || !strcmp(u, "true")),
				       limit, before, &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}

void h_notifications_read(fc_req *r)
{
	static const fc_field F[] = {{"ids", FC_J_ARRAY}, {"all", FC_J_BOOL}, {0}};
	json_t *b = fc_api_body(r, F), *out = NULL;
	if (!b)
		return;
	fc_err err = {0};
	int rc = fc_notifications_read(fc_store_of(r), fc_user_of(r), b, &out, &err);
	json_decref(b);
	fc_api_reply(r, rc, &err, 200, out);
}

void h_password_reset(fc_req *r)
{
	static const fc_field F[] = {{"email", FC_J_STRING | FC_J_REQUIRED}, {0}};
	json_t *b = fc_api_body(r, F);
	if (!b)
		return;
	fc_err err = {0};
	/* 202 whatever the email: the answer must not tell who has an account
	 * (a database error is the one thing worth a 5xx) */
	int rc = fc_contrib_password_reset(fc_store_of(r), fc_json_str(b, "email", ""), &err);
	json_decref(b);
	if (rc)
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, 202,
			      json_pack("{s:s}", "message",
					"If an account has this email, a message with a reset code is on its way."));
}

void h_password_reset_confirm(fc_req *r)
{
	static const fc_field F[] = {{"token", FC_J_STRING | FC_J_REQUIRED},
				     {"password", FC_J_STRING | FC_J_REQUIRED},
				     {0}};
	json_t *b = fc_api_body(r, F);
	if (!b)
		return;
	fc_err err = {0};
	const char *token = fc_json_str(b, "token", "");
	int rc = strlen(token) > 100
			 ? fc_err_set(&err, FC_EINVAL, "invalid_token", "token",
				      "This reset link is unknown, used or expired; ask for a new one.")
			 : fc_account_reset_confirm(fc_store_of(r), token, fc_json_str(b, "password", ""), &err);
	json_decref(b);
	if (rc)
		fc_api_fail(r, &err);
	else
		fc_reply_empty(r, 204);
}

void h_task_report(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	static const fc_field F[] = {{"reason", FC_J_STRING | FC_J_REQUIRED}, {"message", FC_J_STRING}, {0}};
	json_t *b = fc_api_body(r, F), *out = NULL;
	if (!b)
		return;
	fc_err err = {0};
	int64_t leased = 0;
	int rc = fc_report_create(fc_store_of(r), fc_user_of(r), id, b, &leased, &out, &err);
	json_decref(b);
	if (!rc) {
		/* skipped without penalty: the lease goes back to the pool, and the
		 * released assignment keeps the task from coming back to them */
		fc_err rel = {0};
		int released = leased && !fc_assign_release(fc_store_of(r), fc_user_of(r), leased, &rel);
		json_object_set_new(out, "released", json_boolean(released));
	}
	fc_api_reply(r, rc, &err, 201, out);
}

void h_project_reports(fc_req *r) { fc_api_call_id_page(r, fc_reports_list); }

void h_transparency(fc_req *r) { fc_api_call_id(r, fc_transparency, 200); }
