/* contrib.h — the contributor's side: their own limits (a daily time limit
 * and quiet hours, which the assignment engine respects) and their choice
 * of notifications, sent by email through an SMTP relay as the outbox sink
 * "email" (events/outbox.h).
 *
 * Preferences, GET/PUT /me/preferences:
 *   {"daily_limit_minutes": 1..1440 | null,
 *    "quiet_hours": {"from":"22:00", "to":"07:00", "tz":"+02:00"} | null,
 *    "notify": {"email":bool, "in_app":bool, "decisions":bool, "appeals":bool,
 *               "new_work":bool, "payouts":bool}}
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

/* Whether user wants notifications on channel ("email", "in_app") about
 * category ("decisions", "appeals"; NULL: any): notify.<channel> and
 * notify.<category> both on (the default). */
int fc_prefs_wants(fc_db *db, int64_t user, const char *channel, const char *category);

/* Whether email notifications are configured (FAIRCROWD_SMTP_URL set and
 * valid); read once by fc_contrib_subscribe. */
int fc_email_configured(void);

/* ---- signed work history (history.c) ----
 * GET /me/history: {"history": {...}, "signature", "public_key",
 * "algorithm": "Ed25519"}. The signature is Ed25519 (libsodium) over the
 * RFC 8785 canonical JSON of "history": keys sorted, no whitespace. The
 * record holds only strings and integers (acceptance as per mille, time
 * in seconds, times as Unix seconds), so its canonical form is the same
 * in every implementation; control characters in titles and names are
 * replaced by spaces. The key pair is made by the first server that
 * needs it and kept in the database (signing_keys), shared by all
 * servers; GET /signing-key publishes the public half. */
int fc_history_get(fc_store *s, const fc_user *user, json_t **out, fc_err *err);
int fc_signing_key(fc_store *s, json_t **out, fc_err *err);

/* ---- in-app notifications (notify.c) ----
 * Written in the deciding transaction on a reviewer's decision (accepted
 * or rejected with its reason), an appeal's outcome and a confirmed
 * payout, when notify.in_app (and the category) are on; at most 500 are
 * kept per contributor. List newest first (?unread=1, ?before=ID cursor);
 * POST /me/notifications/read {"ids":[…]} or {"all":true}. */
void fc_notify_subscribe(void);
int fc_notifications_list(fc_store *s, const fc_user *user, int unread_only, int limit, int64_t before, json_t **out,
			  fc_err *err);
int fc_notifications_read(fc_store *s, const fc_user *user, const json_t *body, json_t **out, fc_err *err);

/* Inside a write transaction: queues a plain-text mail to `to` as an
 * outbox item of the sink "email" (action names it in the outbox); nothing
 * when email is not configured. */
int fc_email_queue(fc_db *db, int64_t user, int64_t project, const char *action, const char *to, const char *subject,
		   const char *body, const char *category, fc_err *err);
/* An in-app notification for user (kept to the newest 500). */
int fc_notify_put(fc_db *db, int64_t user, const char *kind, const char *title, const char *body, const char *link,
		  fc_err *err);
/* Whether now falls in user's quiet hours. */
int fc_prefs_quiet(fc_db *db, int64_t user, int64_t now);

/* ---- notices of new work (worknotice.c) ----
 * A project that goes live, or gets new tasks while live, is announced for
 * FC_NEW_WORK_DAYS to every contributor it is open to (contributor role,
 * account not disabled, not paused on it, eligible by country, languages
 * and qualifications, not its owner or a member): once per contributor and
 * project, ever (work_notices), in the app and — at most once per
 * FC_NEW_WORK_EMAIL_HOURS per contributor — by email, when notify.new_work
 * and the channel are on. Inside a contributor's quiet hours nothing is
 * sent; the notice waits for the next run after them. A contributor not
 * eligible when the job looks is marked and not looked at again for that
 * project (so the job's work per project is bounded by the contributors,
 * not by its runs). The job runs every FC_NEW_WORK_EVERY seconds. */
#define FC_NEW_WORK_DAYS 7
#define FC_NEW_WORK_EMAIL_HOURS 24
#define FC_NEW_WORK_EVERY 60
void fc_worknotice_subscribe(void);

/* ---- messages (messages.c) ----
 * POST /projects/{id}/messages {body[, thread_id]}: a contributor who
 * worked on the project (else 404) writes in their one thread with it; the
 * owner answers with thread_id. Pseudonymous both ways: the contributor
 * sees the project's name, the owner "Contributor <thread id>"; neither
 * sees an email. body: 1..FC_MESSAGE_MAX bytes; at most FC_MESSAGES_PER_DAY
 * messages per thread in 24 hours (409 rate_limited). Each message is an
 * in-app notification for the other side. GET /me/messages (project 0):
 * the caller's threads; GET /projects/{id}/messages: the owner's (404 for
 * anyone else). Threads newest first, at most 100, each with its last
 * FC_THREAD_MAX messages oldest first. */
#define FC_MESSAGE_MAX 4000
#define FC_MESSAGES_PER_DAY 50
#define FC_THREAD_MAX 200
int fc_message_send(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err);
int fc_messages_list(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err);

/* ---- password reset mail (resetmail.c) ----
 * POST /auth/password-reset {email}: when SMTP is configured and the email
 * names an active account, queues a mail with a one-time code (and a link
 * when FAIRCROWD_PUBLIC_URL is set). The caller answers 202 whatever
 * happened, so the answer tells nobody which emails have accounts. */
int fc_contrib_password_reset(fc_store *s, const char *email, fc_err *err);

/* ---- voice (voice.c) ----
 * POST /tasks/{id}/reports {reason: broken|harmful|unclear|other, message}:
 * by a contributor who was given the task (else 404); one per task and
 * contributor (409 already_reported); *leased is the caller's live lease on
 * the task (0: none), which the caller releases so the task is skipped
 * without penalty. The owner and reviewers list the reports, without the
 * reporter's identity. */
int fc_report_create(fc_store *s, const fc_user *user, int64_t task, const json_t *body, int64_t *leased, json_t **out,
		     fc_err *err);
int fc_reports_list(fc_store *s, const fc_user *user, int64_t project, int limit, int64_t after, json_t **out,
		    fc_err *err);

/* GET /projects/{id}/transparency (anyone who can see the project):
 * median_hourly (minor units per hour: the reward over measured time,
 * bonuses left out; null below FC_TRANSPARENCY_MIN measured submissions),
 * rejection_rate (of decided submissions), median_hours_to_payment (from
 * submission to acceptance, when the reward can be withdrawn), appeals,
 * appeals_upheld, auto_approved_share (of accepted), contributors. */
#define FC_TRANSPARENCY_MIN 10
int fc_transparency(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err);

/* Start-up wiring: the lease check, and — when SMTP is configured — the
 * email subscribers and the outbox sink "email". */
void fc_contrib_subscribe(void);

#endif
