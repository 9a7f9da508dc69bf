/* wages.h — fair pay where the contributor lives: a minimum wage per
 * country (an admin table with its source and date) and exchange rates.
 *
 * A contributor's pay floor is the higher of the platform's
 * (pay_floor_per_hour, in the project's currency) and their country's
 * minimum wage (users.country) converted into the project's currency; the
 * pay floor job (money.c) tops accepted work up to it from the project's
 * median measured time, as it does for the platform floor. A wage whose
 * currency has no rate is not applied (the admin screen lists the rates).
 *
 * GET /minimum-wages (any signed-in user) → {"minimum_wages": {"DE":
 * {hourly, currency, source, as_of, updated_at}}, "exchange_rates": {"EUR":
 * 0.92}}; PUT /admin/minimum-wages replaces the table; PUT
 * /admin/exchange-rates {"EUR": 0.92, "GBP": null} sets (null: removes)
 * rates — units of the currency one US dollar buys. */
#ifndef FC_MONEY_WAGES_H
#define FC_MONEY_WAGES_H

#include "store/store.h"
#include <jansson.h>

int fc_wages_get(fc_store *s, json_t **out, fc_err *err);
int fc_wages_put(fc_store *s, const json_t *body, json_t **out, fc_err *err);
int fc_rates_put(fc_store *s, const json_t *body, json_t **out, fc_err *err);

/* hourly minor units of `from` in minor units of `to`, rounded up; 0 when
 * a rate is missing. Inside a transaction. */
int64_t fc_wage_convert(fc_db *db, int64_t hourly, const char *from, const char *to);
/* The user's country minimum wage in `currency` minor units per hour; 0 when
 * none applies. Inside a transaction. */
int64_t fc_wage_of(fc_db *db, int64_t user, const char *currency);

#endif
