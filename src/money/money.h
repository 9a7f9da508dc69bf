/* money.h — funding, escrow checks, earnings (built on ledger.h). */
#ifndef FC_MONEY_MONEY_H
#define FC_MONEY_MONEY_H

#include "account/account.h"
#include "store/store.h"

/* The owner adds amount (> 0) to the project's escrow. *out: {project_id,
 * amount, currency, escrow_balance, escrow_needed}. */
int fc_money_fund(fc_store *s, const fc_user *user, int64_t project_id, int64_t amount, json_t **out,
		  fc_err *err);
/* Inside a write transaction: FC_ECONFLICT insufficient_funds unless the
 * escrow covers reward × every unfilled slot of the project. */
int fc_money_check_escrow(fc_db *db, int64_t project_id, fc_err *err);
/* The user's pending, available and paid money. */
int fc_money_earnings(fc_store *s, const fc_user *user, json_t **out, fc_err *err);

#endif
