/* Accounts: register, sign in/out, me, API tokens, admin user management. */
#include "api/handlers.h"

#include <stdio.h>
#include <string.h>

static void reply_user(fc_req *r, int status, const fc_user *u) { fc_reply_json(r, status, fc_account_user_json(u)); }

void h_register(fc_req *r)
{
	static const fc_field fields[] = {{"email", FC_J_STRING | FC_J_REQUIRED},
					  {"password", FC_J_STRING | FC_J_REQUIRED},
					  {"display_name", FC_J_STRING | FC_J_REQUIRED},
					  {0}};
	json_t *b = fc_api_body(r, fields);
	if (!b)
		return;
	fc_err err = {0};
	fc_user u;
	if (fc_account_create(fc_store_of(r), fc_json_str(b, "email", ""), fc_json_str(b, "password", ""),
			      fc_json_str(b, "display_name", ""), FC_ROLE_CONTRIBUTOR, &u, &err))
		fc_api_fail(r, &err);
	else
		reply_user(r, 201, &u);
	json_decref(b);
}

void h_login(fc_req *r)
{
	static const fc_field fields[] = {{"email", FC_J_STRING | FC_J_REQUIRED},
					  {"password", FC_J_STRING | FC_J_REQUIRED},
					  {0}};
	json_t *b = fc_api_body(r, fields);
	if (!b)
		return;
	fc_err err = {0};
	fc_user u;
	char token[44], csrf[44];
	if (fc_account_login(fc_store_of(r), fc_json_str(b, "email", ""), fc_json_str(b, "password", ""), &u, token,
			     csrf, &err)) {
		fc_api_fail(r, &err);
	} else {
		fc_reply_json(r, 200, json_pack("{s:o,s:s}", "user", fc_account_user_json(&u), "csrf_token", csrf));
		char cookie[160];
		snprintf(cookie, sizeof cookie, "fc_session=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d", token,
			 FC_SESSION_SECONDS);
		fc_reply_header(r, "Set-Cookie", cookie);
	}
	json_decref(b);
}

void h_logout(fc_req *r)
{
	fc_auth *a = r->auth;
	fc_err err = {0};
	if (a->via_cookie && fc_account_logout(fc_store_of(r), a->session_token, &err)) {
		fc_api_fail(r, &err);
		return;
	}
	fc_reply_empty(r, 204);
	fc_reply_header(r, "Set-Cookie", "fc_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
}

void h_me(fc_req *r) { reply_user(r, 200, fc_user_of(r)); }

void h_tokens_create(fc_req *r)
{
	static const fc_field fields[] = {{"name", FC_J_STRING | FC_J_REQUIRED}, {0}};
	json_t *b = fc_api_body(r, fields);
	if (!b)
		return;
	fc_err err = {0};
	int64_t id;
	char token[44];
	if (fc_account_token_create(fc_store_of(r), fc_user_of(r)->id, fc_json_str(b, "name", ""), &id, token, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, 201,
			      json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "name", fc_json_str(b, "name", ""),
					"token", token));
	json_decref(b);
}

void h_users_create(fc_req *r)
{
	static const fc_field fields[] = {{"email", FC_J_STRING | FC_J_REQUIRED},
					  {"password", FC_J_STRING | FC_J_REQUIRED},
					  {"display_name", FC_J_STRING | FC_J_REQUIRED},
					  {"roles", FC_J_ARRAY},
					  {0}};
	json_t *b = fc_api_body(r, fields);
	if (!b)
		return;
	fc_err err = {0};
	int roles = FC_ROLE_CONTRIBUTOR;
	fc_user u;
	json_t *jr = json_object_get(b, "roles");
	if ((jr && fc_roles_parse(jr, &roles, &err)) ||
	    fc_account_create(fc_store_of(r), fc_json_str(b, "email", ""), fc_json_str(b, "password", ""),
			      fc_json_str(b, "display_name", ""), roles, &u, &err))
		fc_api_fail(r, &err);
	else
		reply_user(r, 201, &u);
	json_decref(b);
}

void h_users_patch(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	static const fc_field fields[] = {{"roles", FC_J_ARRAY | FC_J_REQUIRED}, {0}};
	json_t *b = fc_api_body(r, fields);
	if (!b)
		return;
	fc_err err = {0};
	int roles;
	fc_user u;
	if (fc_roles_parse(json_object_get(b, "roles"), &roles, &err) ||
	    fc_account_set_roles(fc_store_of(r), id, roles, &u, &err))
		fc_api_fail(r, &err);
	else
		reply_user(r, 200, &u);
	json_decref(b);
}

void h_users_list(fc_req *r)
{
	int limit;
	int64_t after;
	if (fc_api_page(r, &limit, &after))
		return;
	fc_err err = {0};
	json_t *out = NULL;
	if (fc_account_list(fc_store_of(r), limit, after, &out, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, 200, out);
}
