/* contrib.h — the contributor's side: their own limits (a daily time limit
 * and quiet hours, which the assignment engine respects) and their choice
 * of notifications, sent by email through an SMTP relay as the outbox sink
 * "email" (events/outbox.h).
 *
 * Preferences, GET/PUT /me/preferences:
 *   {"daily_limit_minutes": 1..1440 | null,
 *    "quiet_hours": {"from":"22:00", "to":"07:00", "tz":"+02:00"} | null,
 *    "notify": {"email":bool, "in_app":bool, "decisions":bool, "appeals":bool}}
 * tz is a fixed UTC offset ("+02:00", "-05:30", "Z", or minutes east of UTC
 * as a number), not an IANA zone: the contributor updates it when their
 * clocks change. The contributor's day (for the daily limit) starts at
 * midnight at that offset. A PUT changes the fields it names; null clears
 * the limit or the quiet hours.
 *
 * The limits refuse a lease (FC_EV_LEASING) with 409 quiet_hours inside the
 * window [from, to) (from > to spans midnight), or 409 daily_limit_reached
 * once today's measured time — active_seconds of the submissions made
 * today plus the time the leases held now have been open today — reaches
 * the limit.
 *
 * Email (FAIRCROWD_SMTP_URL smtp://host:port or smtps://…, FAIRCROWD_SMTP_FROM)
 * is queued on a reviewer's decision on the contributor's work (accepted,
 * or rejected with the reason code and message) and on an appeal's
 * outcome, when the contributor's notify.email and the category are on.
 * Without SMTP configuration nothing is queued at all. The outbox item's id
 * is the Message-ID, so a redelivery is recognisably the same message. */
#ifndef FC_CONTRIB_CONTRIB_H
#define FC_CONTRIB_CONTRIB_H

#include "account/account.h"
#include "store/store.h"
#include <jansson.h>

/* GET /me/preferences: *out = the object above (new reference). */
int fc_prefs_get(fc_store *s, const fc_user *user, json_t **out, fc_err *err);
/* PUT /me/preferences: partial update; 400 naming the field (e.g.
 * "quiet_hours.from") for a wrong type or a value out of range. */
int fc_prefs_put(fc_store *s, const fc_user *user, const json_t *body, json_t **out, fc_err *err);

/* Inside the lease's write transaction: 0, or FC_ECONFLICT with err's slug
 * quiet_hours / daily_limit_reached and a message saying when work can
 * resume. */
int fc_prefs_lease_check(fc_db *db, int64_t user, int64_t now, fc_err *err);

/* Whether user wants email about category ("decisions", "appeals"):
 * notify.email and notify.<category> both on (the default). */
int fc_prefs_wants_email(fc_db *db, int64_t user, const char *category);

/* Whether email notifications are configured (FAIRCROWD_SMTP_URL set and
 * valid); read once by fc_contrib_subscribe. */
int fc_email_configured(void);

/* Start-up wiring: the lease check, and — when SMTP is configured — the
 * email subscribers and the outbox sink "email". */
void fc_contrib_subscribe(void);

#endif
