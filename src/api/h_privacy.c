/* Privacy: withdrawal of consent, the data-access zip, the audit log. */
#include "api/handlers.h"
#include "privacy/audit.h"
#include "privacy/privacy.h"
#include "privacy/trust.h"
#include "work/withdraw.h"

#include <sodium.h>
#include <stdio.h>

void h_consent_withdraw(fc_req *r) { fc_api_call_id(r, fc_consent_withdraw, 200); }

static ssize_t mydata_read(void *ctx, char *buf, size_t max) { return fc_mydata_read(ctx, buf, max); }
static void mydata_close(void *ctx) { fc_mydata_close(ctx); }

void h_me_data(fc_req *r)
{
	fc_err err = {0};
	fc_mydata *x;
	const fc_user *u = fc_user_of(r);
	if (fc_mydata_open(fc_store_of(r), fc_app_of(r)->data_dir, u, &x, &err)) {
		fc_api_fail(r, &err);
		return;
	}
	fc_reply_stream(r, 200, "application/zip", mydata_read, x, mydata_close);
	char disp[96];
	snprintf(disp, sizeof disp, "attachment; filename=\"faircrowd-my-data-%lld.zip\"", (long long)u->id);
	fc_reply_header(r, "Content-Disposition", disp);
}

/* the route is admin-only (FC_AUTH_ADMIN) */
void h_admin_audit(fc_req *r) { fc_api_call_page(r, fc_audit_list); }

/* ---- blocks ---- */
void h_blocks_create(fc_req *r) { fc_api_call_id_body(r, fc_block_create, 201); }
void h_blocks_list(fc_req *r) { fc_api_call_id(r, fc_blocks_of_project, 200); }
void h_block_appeal(fc_req *r) { fc_api_call_id_body(r, fc_block_appeal, 200); }
void h_block_decide(fc_req *r) { fc_api_call_id_body(r, fc_block_decide, 200); }

/* A call without a path id or body: fn(store, user, &out). */
static void call_me(fc_req *r, int (*fn)(fc_store *, const fc_user *, json_t **, fc_err *))
{
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fn(fc_store_of(r), fc_user_of(r), &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}

void h_me_blocks(fc_req *r) { call_me(r, fc_blocks_mine); }

/* ---- identity ---- */
void h_me_identity_submit(fc_req *r)
{
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fc_identity_submit(fc_store_of(r), fc_user_of(r), fc_req_header(r, "Content-Type"), r->body.p,
				    r->body.len, &out, &err);
	if (r->body.p) /* the plaintext lives no longer than it must */
		sodium_memzero(r->body.p, r->body.len);
	fc_api_reply(r, rc, &err, 201, out);
}

void h_me_identity(fc_req *r) { call_me(r, fc_identity_status); }

void h_admin_identity_next(fc_req *r)
{
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fc_identity_next(fc_store_of(r), fc_user_of(r), &out, &err);
	if (!rc && !out) {
		fc_reply_empty(r, 204); /* nothing waiting */
		return;
	}
	fc_reply_header(r, "Cache-Control", "no-store");
	fc_api_reply(r, rc, &err, 200, out);
}

void h_identity_decide(fc_req *r) { fc_api_call_id_body(r, fc_identity_decide, 200); }

/* ---- account deletion ---- */
void h_me_delete(fc_req *r)
{
	fc_err err = {0};
	json_t *b = r->body.len ? fc_json_parse(r->body.p, r->body.len, &err) : json_object(), *out = NULL;
	if (!b) {
		fc_api_fail(r, &err);
		return;
	}
	int rc = fc_account_delete(fc_store_of(r), fc_user_of(r), b, &out, &err);
	json_decref(b);
	fc_api_reply(r, rc, &err, 200, out);
}
