/* Accounts: register, sign in/out, me, API tokens, admin user management. */
#include "account/password.h"
#include "api/handlers.h"
#include "core/clock.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void reply_user(fc_req *r, int status, const fc_user *u) { fc_reply_json(r, status, fc_account_user_json(u)); }

/* ---- password hashing off the request threads ----
 * Argon2id (64 MiB, a tenth of a second) runs on the server's few worker
 * threads (fc_req_defer), never on a request thread, so a flood of sign-ins
 * cannot hold the threads that answer everyone else; its memory is bounded
 * by the number of workers. One client address may have HASH_PER_ADDRESS
 * sign-ins or registrations waiting or running: more → 429 at once, so a
 * flood from one address waits on itself and takes at most that share of
 * the queue (issue #19: GET /me went from 0.7 ms to 486 ms under a flood). */
#define HASH_PER_ADDRESS 2
#define HASH_ADDRESSES 128

static struct {
	char address[64];
	int n;
} hashing[HASH_ADDRESSES];
static pthread_mutex_t hashing_mu = PTHREAD_MUTEX_INITIALIZER;

/* Counts one more hash for address; 0, or -1 when it has its share (or
 * every slot is another address's). */
static int hash_enter(const char *address)
{
	int slot = -1, rc = -1;
	pthread_mutex_lock(&hashing_mu);
	for (int i = 0; i < HASH_ADDRESSES; i++) {
		if (hashing[i].n && !strcmp(hashing[i].address, address)) {
			slot = i;
			break;
		}
		if (slot < 0 && !hashing[i].n)
			slot = i;
	}
	if (slot >= 0 && hashing[slot].n < HASH_PER_ADDRESS) {
		snprintf(hashing[slot].address, sizeof hashing[slot].address, "%s", address);
		hashing[slot].n++;
		rc = 0;
	}
	pthread_mutex_unlock(&hashing_mu);
	return rc;
}

static void hash_leave(const char *address)
{
	pthread_mutex_lock(&hashing_mu);
	for (int i = 0; i < HASH_ADDRESSES; i++)
		if (hashing[i].n && !strcmp(hashing[i].address, address)) {
			hashing[i].n--;
			break;
		}
	pthread_mutex_unlock(&hashing_mu);
}

/* Runs fn(r) on a worker for the client's address, or answers 429/503. */
static void hash_later(fc_req *r, void (*fn)(fc_req *r))
{
	char address[64];
	fc_api_client_address(r, address, sizeof address);
	if (hash_enter(address)) {
		fc_reply_errorf(r, FC_ERATE, "too_many_requests", NULL,
				"Too many sign-ins from your address at once; wait for the first to finish.");
		fc_reply_header(r, "Retry-After", "1");
	} else if (fc_req_defer(r, fn)) {
		hash_leave(address);
		fc_reply_errorf(r, FC_EBUSY, "busy", NULL, "Too many sign-ins at once; try again in a moment.");
		fc_reply_header(r, "Retry-After", "1");
	}
}

/* Registration does not tell a stranger which emails have accounts: a new
 * address and a taken one get the same 201 and the same body (no id), and
 * both pay for the password hash first, so neither answer is faster. The
 * owner of a taken address simply signs in as before. */
static void register_now(fc_req *r)
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
	const char *email = fc_json_str(b, "email", ""), *name = fc_json_str(b, "display_name", "");
	if (fc_account_create(fc_store_of(r), email, fc_json_str(b, "password", ""), name, FC_ROLE_CONTRIBUTOR, &u, &err) &&
	    strcmp(err.slug, "email_taken"))
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, 201,
			      json_pack("{s:s,s:s,s:o}", "email", email, "display_name", name, "roles",
					fc_roles_json(FC_ROLE_CONTRIBUTOR)));
	json_decref(b);
}

static void register_work(fc_req *r)
{
	char address[64];
	register_now(r);
	hash_leave(fc_api_client_address(r, address, sizeof address));
}

void h_register(fc_req *r) { hash_later(r, register_work); }

static void login_now(fc_req *r)
{
	static const fc_field fields[] = {{"email", FC_J_STRING | FC_J_REQUIRED},
					  {"password", FC_J_STRING | FC_J_REQUIRED},
					  {0}};
	json_t *b = fc_api_body(r, fields);
	if (!b)
		return;
	fc_err err = {0};
	fc_user u;
	char token[44], csrf[44], address[64];
	/* the peer's address, or the one the trusted proxy names (docs/deploy.md) */
	fc_api_client_address(r, address, sizeof address);
	if (fc_account_login(fc_store_of(r), fc_json_str(b, "email", ""), fc_json_str(b, "password", ""), address, &u,
			     token, csrf, &err)) {
		fc_api_fail(r, &err);
	} else {
		fc_reply_json(r, 200, json_pack("{s:o,s:s}", "user", fc_account_user_json(&u), "csrf_token", csrf));
		char cookie[170];
		snprintf(cookie, sizeof cookie, "fc_session=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s", token,
			 FC_SESSION_SECONDS, fc_api_is_https(r) ? "; Secure" : "");
		fc_reply_header(r, "Set-Cookie", cookie);
	}
	json_decref(b);
}

static void login_work(fc_req *r)
{
	char address[64];
	login_now(r);
	hash_leave(fc_api_client_address(r, address, sizeof address));
}

void h_login(fc_req *r) { hash_later(r, login_work); }

void h_logout(fc_req *r)
{
	fc_auth *a = r->auth;
	fc_err err = {0};
	/* signing out with an API token revokes it: a script's "log out" must
	 * leave nothing that still works */
	int rc = a->via_cookie ? fc_account_logout(fc_store_of(r), a->session_token, &err)
			       : fc_account_token_revoke(fc_store_of(r), a->user.id, 0, fc_req_bearer(r), &err);
	if (rc) {
		fc_api_fail(r, &err);
		return;
	}
	fc_reply_empty(r, 204);
	fc_reply_header(r, "Set-Cookie",
			fc_api_is_https(r) ? "fc_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure"
					   : "fc_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
}

void h_me(fc_req *r) { reply_user(r, 200, fc_user_of(r)); }

#define TOKEN_MAX_DAYS 3650

void h_tokens_create(fc_req *r)
{
	static const fc_field fields[] = {{"name", FC_J_STRING | FC_J_REQUIRED}, {"expires_in_days", FC_J_INT}, {0}};
	json_t *b = fc_api_body(r, fields);
	if (!b)
		return;
	fc_err err = {0};
	int64_t id, expires_at = 0;
	char token[44];
	json_t *days = json_object_get(b, "expires_in_days");
	if (days && (json_integer_value(days) < 1 || json_integer_value(days) > TOKEN_MAX_DAYS)) {
		fc_reply_errorf(r, FC_EINVAL, "invalid_value", "expires_in_days",
				"expires_in_days must be a whole number of days from 1 to %d.", TOKEN_MAX_DAYS);
		json_decref(b);
		return;
	}
	if (days)
		expires_at = fc_clock_now() + (int64_t)json_integer_value(days) * 86400;
	if (fc_account_token_create(fc_store_of(r), fc_user_of(r)->id, fc_json_str(b, "name", ""), expires_at, &id,
				    token, &err)) {
		fc_api_fail(r, &err);
	} else {
		char ts[32];
		fc_reply_json(r, 201,
			      json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)id, "name", fc_json_str(b, "name", ""),
					"token", token, "expires_at",
					expires_at ? json_string(fc_clock_format(expires_at, ts, sizeof ts))
						   : json_null()));
	}
	json_decref(b);
}

typedef int (*list_fn)(fc_store *s, int64_t user_id, int limit, int64_t after, json_t **out, fc_err *err);

/* A paged list (?limit, ?after) of list's items for user_id. */
static void reply_list(fc_req *r, list_fn list, int64_t user_id)
{
	int limit;
	int64_t after;
	if (fc_api_page(r, &limit, &after))
		return;
	fc_err err = {0};
	json_t *out = NULL;
	int rc = list(fc_store_of(r), user_id, limit, after, &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}

void h_tokens_list(fc_req *r) { reply_list(r, fc_account_token_list, fc_user_of(r)->id); }

void h_tokens_delete(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	if (fc_account_token_revoke(fc_store_of(r), fc_user_of(r)->id, id, NULL, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_empty(r, 204);
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
	static const fc_field fields[] = {{"roles", FC_J_ARRAY}, {"disabled", FC_J_BOOL}, {0}};
	json_t *b = fc_api_body(r, fields);
	if (!b)
		return;
	fc_err err = {0};
	int roles = 0, disabled = -1;
	fc_user u;
	json_t *jr = json_object_get(b, "roles"), *jd = json_object_get(b, "disabled");
	if (jd)
		disabled = json_is_true(jd);
	if (!jr && !jd)
		fc_err_set(&err, FC_EINVAL, "missing_field", "roles", "Send roles, disabled, or both.");
	else if (disabled == 1 && id == fc_user_of(r)->id) /* the last admin must not lock everyone out */
		fc_err_set(&err, FC_ECONFLICT, "cannot_disable_self", "disabled", "You cannot disable your own account.");
	else if (!(jr && fc_roles_parse(jr, &roles, &err)))
		fc_account_update(fc_store_of(r), fc_user_of(r)->id, id, jr ? &roles : NULL, disabled, &u, &err);
	if (err.code)
		fc_api_fail(r, &err);
	else
		reply_user(r, 200, &u);
	json_decref(b);
}

/* ?q= (text in the email or name), ?role= (one role name), ?limit=, ?after= */
void h_users_list(fc_req *r)
{
	int limit;
	int64_t after;
	if (fc_api_page(r, &limit, &after))
		return;
	fc_err err = {0};
	int role = 0;
	const char *rname = fc_req_query(r, "role");
	if (rname && *rname) {
		json_t *one = json_pack("[s]", rname);
		int bad = fc_roles_parse(one, &role, &err);
		json_decref(one);
		if (bad) {
			fc_err_set(&err, FC_EINVAL, "invalid_value", "role",
				   "role must be admin, requester or contributor.");
			fc_api_fail(r, &err);
			return;
		}
	}
	json_t *out = NULL;
	int rc = fc_account_list(fc_store_of(r), fc_req_query(r, "q"), role, limit, after, &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}

void h_users_password_reset(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	char pw[FC_RESET_PASSWORD_LEN + 1];
	if (fc_account_password_reset(fc_store_of(r), fc_user_of(r)->id, id, pw, &err)) {
		fc_api_fail(r, &err);
		return;
	}
	fc_reply_json(r, 200, json_pack("{s:I,s:s}", "user_id", (json_int_t)id, "password", pw));
	sodium_memzero(pw, sizeof pw);
}
