/* The privacy module's subscribers: audit rows for sensitive events, and
 * erasure of a withdrawn contributor's media through the outbox. */
#include "blob/blob.h"
#include "core/log.h"
#include "events/events.h"
#include "events/jobs.h"
#include "events/outbox.h"
#include "privacy/audit.h"
#include "privacy/privacy.h"
#include "privacy/trust.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t dir_mu = PTHREAD_MUTEX_INITIALIZER;
static char data_dir[1024];

void fc_privacy_set_data_dir(const char *dir)
{
	pthread_mutex_lock(&dir_mu);
	snprintf(data_dir, sizeof data_dir, "%s", dir);
	pthread_mutex_unlock(&dir_mu);
}

/* "project:7", "submission:12" */
static const char *target_of(char *buf, size_t n, const char *kind, int64_t id)
{
	snprintf(buf, n, "%s:%" PRId64, kind, id);
	return buf;
}

/* One audit row per sensitive fact, in the publisher's transaction: the
 * fact and its record commit together or not at all. */
static int audit_event(fc_db *db, fc_event *ev, fc_err *err)
{
	char target[64];
	json_t *details = NULL;
	const char *action = NULL;
	int rc;
	switch (ev->kind) {
	case FC_EV_REJECTED:
		action = "submission.reject";
		target_of(target, sizeof target, "submission", ev->submission);
		details = json_pack("{s:I,s:I,s:s?}", "project", (json_int_t)ev->project, "contributor",
				    (json_int_t)ev->user, "reason_code", ev->text);
		break;
	case FC_EV_APPEAL_DECIDED:
		action = "appeal.decide";
		target_of(target, sizeof target, "submission", ev->submission);
		details = json_pack("{s:I,s:I,s:b}", "project", (json_int_t)ev->project, "contributor",
				    (json_int_t)ev->user, "upheld", ev->upheld);
		break;
	case FC_EV_PROJECT_PUBLISHED:
	case FC_EV_PROJECT_PAUSED:
	case FC_EV_PROJECT_CLOSED:
		action = ev->kind == FC_EV_PROJECT_PUBLISHED ? "project.publish"
			 : ev->kind == FC_EV_PROJECT_PAUSED  ? "project.pause"
							     : "project.close";
		target_of(target, sizeof target, "project", ev->project);
		break;
	case FC_EV_WITHDRAWN:
		action = "consent.withdraw";
		target_of(target, sizeof target, "project", ev->project);
		details = json_pack("{s:I,s:I}", "contributor", (json_int_t)ev->user, "submissions_erased",
				    (json_int_t)ev->count);
		break;
	case FC_EV_PAYOUT_CONFIRMED:
		action = "payout.confirm";
		target_of(target, sizeof target, "payout_batch", ev->ref);
		details = json_pack("{s:I,s:I}", "payouts", (json_int_t)ev->count, "total", (json_int_t)ev->amount);
		break;
	case FC_EV_PAY_TOPPED_UP:
		action = "pay_floor.topup";
		target_of(target, sizeof target, "project", ev->project);
		details = json_pack("{s:I,s:I}", "submissions", (json_int_t)ev->count, "total", (json_int_t)ev->amount);
		break;
	case FC_EV_MEMBER_CHANGED:
		action = ev->text ? "member.role" : "member.remove";
		target_of(target, sizeof target, "project", ev->project);
		details = json_pack("{s:I,s:s?}", "member", (json_int_t)ev->user, "role", ev->text);
		break;
	default: return 0;
	}
	rc = fc_audit_append(db, ev->actor, action, target, details, err);
	json_decref(details);
	return rc;
}

/* A withdrawal: one outbox item per media file of the contributor in the
 * project, carrying the blob's name. The bytes go outside the transaction
 * (S3 may be slow or down); the rows were marked erased by work/ (marking
 * them again changes nothing). */
static int queue_erasure(fc_db *db, fc_event *ev, fc_err *err)
{
	int64_t n;
	int rc;
	do
		rc = fc_erase_media_where(db,
					  FC_ERASE_SELECT("m.user_id=? AND m.project_id=? AND NOT EXISTS(SELECT 1 FROM outbox o "
							  "WHERE o.sink='erasure' AND o.target=m.id)"),
					  ev->user, ev->project, &n, err);
	while (!rc && n == FC_ERASE_BATCH);
	return rc;
}

static int on_leasing(fc_db *db, fc_event *ev, fc_err *err) { return fc_block_refuse(db, ev->user, ev->project, err); }

/* The `erasure` sink: deletes one blob, unless a media row that was not
 * erased still names the same bytes (blobs are content-addressed: another
 * contributor may have uploaded an identical file, or the same person in a
 * project they did not leave). Deleting a blob that is already gone
 * succeeds, so a repeated delivery is harmless. */
static int deliver_erasure(fc_store *s, const fc_outbox_item *item, int *status, char *error, size_t error_len)
{
	*status = 0;
	char dir[1024];
	pthread_mutex_lock(&dir_mu);
	snprintf(dir, sizeof dir, "%s", data_dir);
	pthread_mutex_unlock(&dir_mu);
	if (!dir[0]) {
		snprintf(error, error_len, "the blob store is not configured yet");
		return -1;
	}
	fc_err err = {0};
	fc_db *db;
	int64_t still_used = 0;
	int rc = fc_db_begin(s, FC_DB_READ, &db, &err);
	if (!rc) {
		rc = fc_db_int(db, &still_used, &err, "SELECT COUNT(*) FROM media WHERE sha256=? AND erased_at IS NULL",
			       "t", item->payload);
		fc_db_rollback(db);
	}
	if (!rc && !still_used) {
		fc_blob *b;
		if (!(rc = fc_blob_open(&b, dir, &err))) {
			rc = fc_blob_remove(b, item->payload, &err);
			fc_blob_close(b);
		}
	}
	if (rc) {
		snprintf(error, error_len, "%s", err.msg[0] ? err.msg : "the blob could not be deleted");
		fc_err_clear(&err);
		return -1;
	}
	if (still_used)
		fc_log(FC_LOG_INFO, "erasure: media %" PRId64 " kept its bytes: other media still use them",
		       item->target);
	return 0;
}

void fc_privacy_subscribe(void)
{
	static const fc_event_kind audited[] = {FC_EV_REJECTED,         FC_EV_APPEAL_DECIDED, FC_EV_PROJECT_PUBLISHED,
						FC_EV_PROJECT_PAUSED,   FC_EV_PROJECT_CLOSED, FC_EV_WITHDRAWN,
						FC_EV_PAYOUT_CONFIRMED, FC_EV_PAY_TOPPED_UP,  FC_EV_MEMBER_CHANGED};
	for (size_t i = 0; i < sizeof audited / sizeof audited[0]; i++)
		fc_events_on(audited[i], "privacy.audit", audit_event);
	fc_events_on(FC_EV_WITHDRAWN, "privacy.erasure", queue_erasure);
	fc_outbox_sink("erasure", deliver_erasure);
	fc_events_on(FC_EV_LEASING, "privacy: not blocked", on_leasing);
	fc_events_on(FC_EV_PROJECT_CHECK, "privacy: retention valid", fc_retention_check);
	fc_events_on(FC_EV_PROJECT_SAVED, "privacy: retention stored", fc_retention_saved);
	fc_events_on(FC_EV_PROJECT_CLOSED, "privacy: closing time", fc_retention_closed);
	fc_jobs_register("retention", fc_retention_job);
}
