/* work's scheduled jobs (see events/jobs.h) and its subscriptions. Each
 * job runs in short batches so it never holds the write lock for long. */
#include "work/jobs.h"
#include "events/events.h"
#include "events/jobs.h"
#include "work/assign.h"
#include "work/uploads.h"

#include <stdio.h>

/* Unreviewed work is paid: pending submissions older than the project's
 * auto_approve_days become auto_accepted (never an owner's own); money/ makes their reward
 * available on the FC_EV_ACCEPTED it is told of. */
static int auto_approve(fc_store *s, int64_t now, fc_jobs_report *rep, fc_err *err)
{
	for (;;) {
		fc_db *db;
		int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
		if (rc)
			return rc;
		fc_stmt *st;
		int64_t ids[512], users[512], rewards[512], projects[512], tasks[512];
		char cur[512][8];
		int k = 0;
		rc = fc_db_query(
			db, &st, err,
			"SELECT s.id, s.user_id, s.reward, p.currency, s.project_id, s.task_id FROM submissions s JOIN projects p ON "
			"p.id=s.project_id WHERE s.status='pending' AND s.created_at + p.auto_approve_days*86400 <= ? "
			/* an owner's own work waits for a person's review */
			"AND s.user_id<>p.owner_id AND NOT EXISTS (SELECT 1 FROM project_members m WHERE "
			"m.project_id=s.project_id AND m.user_id=s.user_id AND m.role='owner') "
			"LIMIT 512",
			"I", now);
		if (!rc) {
			while (k < 512 && fc_stmt_next(st) == 1) {
				ids[k] = fc_stmt_int(st, 0);
				users[k] = fc_stmt_int(st, 1);
				rewards[k] = fc_stmt_int(st, 2);
				snprintf(cur[k], sizeof cur[k], "%s", fc_stmt_text(st, 3));
				projects[k] = fc_stmt_int(st, 4);
				tasks[k] = fc_stmt_int(st, 5);
				k++;
			}
			fc_stmt_done(st);
		}
		for (int i = 0; !rc && i < k; i++) {
			rc = fc_db_exec(db, err,
					"UPDATE submissions SET status='auto_accepted', reviewed_at=? WHERE id=?", "II",
					now, ids[i]);
			if (!rc) {
				fc_event ev = {.kind = FC_EV_ACCEPTED,
					       .project = projects[i],
					       .task = tasks[i],
					       .submission = ids[i],
					       .user = users[i],
					       .amount = rewards[i],
					       .currency = cur[i],
					       .automatic = 1};
				rc = fc_events_publish(db, &ev, err);
			}
		}
		if (fc_db_end(db, &rc, err))
			return rc;
		rep->auto_approved += k;
		if (k < 512)
			return 0;
	}
}

static int expire_leases(fc_store *s, int64_t now, fc_jobs_report *rep, fc_err *err)
{
	int64_t n = 0;
	int rc = fc_assign_expire_leases(s, now, &n, err);
	rep->leases_expired += n;
	return rc;
}

static int expire_uploads(fc_store *s, int64_t now, fc_jobs_report *rep, fc_err *err)
{
	return fc_upload_expire(s, now, &rep->uploads_expired, err);
}

void fc_work_subscribe(void)
{
	fc_jobs_register("lease expiry", expire_leases);
	fc_jobs_register("auto-approval", auto_approve);
	fc_jobs_register("upload expiry", expire_uploads);
}
