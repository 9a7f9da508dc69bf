/* profile.h — a contributor's optional, self-reported demographics.
 *
 * Stored in users.demographics {age_band, gender, accent}, users.languages
 * and users.country (which project eligibility reads). Every field is
 * optional; null removes it. Used for quotas and the Common Voice export. */
#ifndef FC_ACCOUNT_PROFILE_H
#define FC_ACCOUNT_PROFILE_H

#include "account/account.h"

/* *out = {age_band, gender, accent, languages, country} (new reference). */
int fc_profile_get(fc_store *s, const fc_user *user, json_t **out, fc_err *err);
/* Partial update; 400 naming the field for a value outside the lists. */
int fc_profile_update(fc_store *s, const fc_user *user, const json_t *body, json_t **out, fc_err *err);

/* Whether user_id meets a project's eligibility {countries, languages,
 * qualifications} (each an array; empty or missing: anyone): 0, or FC_EPERM
 * not_eligible naming the unmet field. Read by work (leases, the board) and
 * contrib (notices of new work). */
int fc_account_eligible(fc_db *db, int64_t user_id, const json_t *eligibility, fc_err *err);

#endif
