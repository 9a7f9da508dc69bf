/* Money: the requester's view, bonuses, payouts (contributor and admin). */
#include "api/handlers.h"

#include "money/money.h"
#include "money/payout.h"
#include "money/wages.h"
#include <stdio.h>
#include <stdlib.h>

void h_project_money(fc_req *r) { fc_api_call_id(r, fc_money_project, 200); }

void h_project_bonus(fc_req *r) { fc_api_call_id_body(r, fc_money_bonus, 201); }
void h_project_bonuses(fc_req *r) { fc_api_call_id_page(r, fc_money_bonuses); }

void h_my_payouts_create(fc_req *r)
{
	fc_err err = {0};
	json_t *b = fc_json_parse(r->body.p, r->body.len, &err), *out = NULL;
	if (!b) {
		fc_api_fail(r, &err);
		return;
	}
	int replayed = 0;
	int rc = fc_money_payout_request(fc_store_of(r), fc_user_of(r), b, fc_req_header(r, "Idempotency-Key"), &out,
					 &replayed, &err);
	json_decref(b);
	fc_api_reply(r, rc, &err, 201, out);
	if (!rc && replayed)
		fc_reply_header(r, "Idempotent-Replayed", "true");
}

void h_my_payouts_list(fc_req *r) { fc_api_call_page(r, fc_money_payouts_list); }

void h_payout_batch(fc_req *r)
{
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fc_money_payout_batch(fc_store_of(r), fc_user_of(r), fc_app_of(r)->data_dir, &fc_payout_csv, &out, &err);
	fc_api_reply(r, rc, &err, 201, out);
}

void h_payout_confirm(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fc_money_payout_confirm(fc_store_of(r), fc_user_of(r), id, &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}

void h_payout_stats(fc_req *r)
{
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fc_money_payout_stats(fc_store_of(r), &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}

/* ---- minimum wages and exchange rates (money/wages.h) ---- */

void h_wages_get(fc_req *r)
{
	fc_err err = {0};
	json_t *out = NULL;
	int rc = fc_wages_get(fc_store_of(r), &out, &err);
	fc_api_reply(r, rc, &err, 200, out);
}

static void put_table(fc_req *r, int (*fn)(fc_store *, const json_t *, json_t **, fc_err *))
{
	fc_err err = {0};
	json_t *b = fc_json_parse(r->body.p, r->body.len, &err), *out = NULL;
	if (!b) {
		fc_api_fail(r, &err);
		return;
	}
	int rc = fn(fc_store_of(r), b, &out, &err);
	json_decref(b);
	fc_api_reply(r, rc, &err, 200, out);
}

void h_wages_put(fc_req *r) { put_table(r, fc_wages_put); }
void h_rates_put(fc_req *r) { put_table(r, fc_rates_put); }

void h_payout_file(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	char *data;
	size_t len;
	if (fc_money_payout_file(fc_store_of(r), id, &data, &len, &err)) {
		fc_api_fail(r, &err);
		return;
	}
	fc_reply_bytes(r, 200, "text/csv; charset=utf-8", data, len, 1);
	free(data);
	char disp[96];
	snprintf(disp, sizeof disp, "attachment; filename=\"payout-batch-%lld.csv\"", (long long)id);
	fc_reply_header(r, "Content-Disposition", disp);
}
