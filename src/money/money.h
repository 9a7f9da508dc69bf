/* money.h — funding, earnings, review money, bonuses, the pay floor and
 * payouts (built on ledger.h).
 *
 * Ledger accounts used here besides those in ledger.h:
 *   owed:PROJECT            the requester's debt: negative when the project
 *                           paid contributors (pay floor, upheld appeals)
 *                           with money its escrow did not have; funding
 *                           repays it first
 *   payout_pending:USER     payouts requested, not yet confirmed as paid
 * Every submission's ledger lines carry ref "submission:ID", bonuses
 * "bonus:ID", payouts "payout:ID". */
#ifndef FC_MONEY_MONEY_H
#define FC_MONEY_MONEY_H

#include "account/account.h"
#include "money/payout.h"
#include "store/store.h"

#include <stdio.h>

/* The owner adds amount (> 0) to the project's escrow. A debt on owed:PROJECT
 * is repaid first; a platform fee (platform_fee_bps) is charged on top.
 * *out: {project_id, amount, fee, currency, escrow_balance, escrow_needed}. */
int fc_money_fund(fc_store *s, const fc_user *user, int64_t project_id, int64_t amount, json_t **out, fc_err *err);
/* Inside a write transaction: FC_ECONFLICT insufficient_funds unless the
 * escrow covers reward × every unfilled slot of the project. */
int fc_money_check_escrow(fc_db *db, int64_t project_id, fc_err *err);
/* GET /me/earnings: {pending, available, paid, payout_pending, currency,
 * effective_hourly, seconds_worked, rejection_rate, projects:[…], entries:[…]}
 * (entries: the latest 100 ledger lines of the user with their reasons). */
int fc_money_earnings(fc_store *s, const fc_user *user, json_t **out, fc_err *err);

/* A platform setting (table platform_settings), def when absent. */
int fc_money_setting(fc_db *db, const char *key, int64_t def, int64_t *out, fc_err *err);

/* ---- review money: call inside the review's write transaction ----
 * Each looks at the submission's own ledger lines (ref submission:ID), so
 * calling one twice moves nothing the second time. */
/* Accepted: the reward still pending moves pending → available. */
int fc_money_on_accept(fc_db *db, int64_t submission, fc_err *err);
/* Rejected: the reward still pending returns pending → escrow (or to the
 * requester when the project is closed). Call after the UPDATE that sets
 * status='rejected' — the table's CHECK guarantees the reason, and this
 * answers FC_ECONFLICT not_rejected otherwise. Money already available is
 * not clawed back. */
int fc_money_on_reject(fc_db *db, int64_t submission, fc_err *err);
/* Appeal upheld: the reward is paid again escrow → available (the part of
 * it the contributor does not already hold); a short escrow is charged to
 * owed:PROJECT. */
int fc_money_on_appeal_upheld(fc_db *db, int64_t submission, fc_err *err);
/* Project closed: unused escrow repays owed:PROJECT, the rest goes back to
 * world:CUR. Call inside the close transition's transaction. */
int fc_money_on_close(fc_db *db, int64_t project, fc_err *err);

/* GET /projects/{id}/money (owner): {escrow_balance, escrow_needed, owed,
 * spent, pending, accepted, cost_per_accepted, bonuses, currency,
 * floor_topups:[…]}. */
int fc_money_project(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err);

/* POST /projects/{id}/bonuses {user_id, amount, reason} (owner): escrow →
 * available:USER; the user must have submitted to the project; reason is
 * mandatory (400). FC_ECONFLICT insufficient_funds when escrow is short. */
int fc_money_bonus(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err);
/* GET /projects/{id}/bonuses (owner): {items:[{id, user_id, user, amount,
 * currency, kind ("manual"|"pay_floor"), reason, created_at}], next}, oldest
 * first, keyset pages by id. */
int fc_money_bonuses(fc_store *s, const fc_user *user, int64_t project, int limit, int64_t after, json_t **out,
		     fc_err *err);

/* Pay floor job (run by fc_jobs_run_due). For each live paid project with
 * at least pay_floor_min_submissions measured submissions whose median
 * active time makes reward × 3600 / median fall below pay_floor_per_hour:
 * tops up every accepted submission to ceil(floor × median / 3600) with a
 * pay_floor bonus, raises the project's reward to that level, and records a
 * pay_floor_runs row plus an audit row. *topped_up += submissions topped up. */
int fc_money_pay_floor(fc_store *s, int64_t now, int64_t *topped_up, fc_err *err);

/* ---- payouts ---- */
/* POST /me/payouts {amount, currency?}: available → payout_pending. 409
 * payout_minimum / insufficient_available. idem_key (may be NULL) makes a
 * retry return the first payout (*replayed = 1). */
int fc_money_payout_request(fc_store *s, const fc_user *user, const json_t *body, const char *idem_key, json_t **out,
			    int *replayed, fc_err *err);
/* GET /me/payouts: {items:[…], next, latency:{paid, median_seconds, max_seconds}}. */
int fc_money_payouts_list(fc_store *s, const fc_user *user, int limit, int64_t after, json_t **out, fc_err *err);
/* Admin: batches every requested payout and hands it to provider, which
 * writes data_dir/payouts/batch-N.csv. 409 no_requested_payouts when empty.
 * *out: {batch_id, count, total, file, provider}. */
int fc_money_payout_batch(fc_store *s, const fc_user *user, const char *data_dir, const fc_payout_provider *provider,
			  json_t **out, fc_err *err);
/* Admin: the batch was paid: payout_pending → paid, paid_at = now. 409
 * already_confirmed. */
int fc_money_payout_confirm(fc_store *s, const fc_user *user, int64_t batch, json_t **out, fc_err *err);
/* Admin: the bytes of a batch's file (the CSV: amounts in currency units,
 * amount_minor as stored), for download; *out is the caller's to free. */
int fc_money_payout_file(fc_store *s, int64_t batch, char **out, size_t *len, fc_err *err);
/* Admin: payouts by status and request → paid latency. */
int fc_money_payout_stats(fc_store *s, json_t **out, fc_err *err);

/* Verifies the ledger: every transaction sums to zero, every entry's
 * currency is its transaction's, no negative pending/available/
 * payout_pending/paid balance, open payouts match payout_pending. Prints a
 * summary (and each violation) to out; *violations receives the count. */
int fc_money_ledger_check(fc_store *s, FILE *out, int64_t *violations, fc_err *err);

#endif
