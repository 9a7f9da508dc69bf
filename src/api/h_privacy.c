/* Privacy: withdrawal of consent, the data-access zip, the audit log. */
#include "api/handlers.h"
#include "privacy/audit.h"
#include "privacy/privacy.h"
#include "work/withdraw.h"

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
