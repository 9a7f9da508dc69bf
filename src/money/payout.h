/* payout.h — handing a batch of payouts to whoever moves the money.
 *
 * A provider receives a batch (every payout requested since the last one)
 * and a file path under DATA/payouts/; it must either deliver the batch or
 * fail (the batch is then not recorded and the payouts stay requested).
 * The built-in provider writes a CSV file for a person or a bank upload:
 *   payout_id,user_id,email,amount,currency
 * A provider that calls a payment API would implement the same struct. */
#ifndef FC_MONEY_PAYOUT_H
#define FC_MONEY_PAYOUT_H

#include "core/err.h"
#include <stddef.h>
#include <stdint.h>

typedef struct fc_payout_line {
	int64_t payout_id;
	int64_t user_id;
	const char *email;
	int64_t amount; /* minor units */
	const char *currency;
} fc_payout_line;

typedef struct fc_payout_batch {
	int64_t id;
	int64_t created_at;
	size_t count;
	int64_t total; /* sum of amounts (across currencies) */
	const fc_payout_line *lines;
} fc_payout_batch;

typedef struct fc_payout_provider {
	const char *name;
	/* Delivers batch; file is the path the provider may write (the CSV
	 * provider writes it atomically: temp file, fsync, rename). 0 or FC_E*. */
	int (*submit)(const fc_payout_batch *batch, const char *file, fc_err *err);
} fc_payout_provider;

/* The built-in CSV writer. */
extern const fc_payout_provider fc_payout_csv;

#endif
