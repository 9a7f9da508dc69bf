/* Scheduled jobs. Each runs in short batches so it never holds the write
 * lock for long. */
#include "work/jobs.h"
#include "core/clock.h"
#include "money/ledger.h"
#include "money/money.h"
#include "work/assign.h"

#include <stdio.h>

/* Unreviewed work is paid: pending submissions older than the project's
 * auto_approve_days become auto_accepted and their reward available. */
static int auto_approve(fc_store *s, int64_t now, int64_t *n, fc_err *err)
{
	*n = 0;
	for (;;) {
		fc_db *db;
		int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
		if (rc)
			return rc;
		fc_stmt *st;
		int64_t ids[512], users[512], rewards[512];
		char cur[512][8];
		int k = 0;
		rc = fc_db_query(db, &st, err,
				 "SELECT s.id, s.user_id, s.reward, p.currency FROM submissions s JOIN projects p ON "
				 "p.id=s.project_id WHERE s.status='pending' AND s.created_at + p.auto_approve_days*86400 <= ? "
				 "LIMIT 512",
				 "I", now);
		if (!rc) {
			while (k < 512 && fc_stmt_next(st) == 1) {
				ids[k] = fc_stmt_int(st, 0);
				users[k] = fc_stmt_int(st, 1);
				rewards[k] = fc_stmt_int(st, 2);
				snprintf(cur[k], sizeof cur[k], "%s", fc_stmt_text(st, 3));
				k++;
			}
			fc_stmt_done(st);
		}
		for (int i = 0; !rc && i < k; i++) {
			rc = fc_db_exec(db, err, "UPDATE submissions SET status='auto_accepted', reviewed_at=? WHERE id=?", "II",
					now, ids[i]);
			if (!rc && rewards[i] > 0) {
				char pending[48], avail[48], ref[48];
				snprintf(pending, sizeof pending, "pending:%lld", (long long)users[i]);
				snprintf(avail, sizeof avail, "available:%lld", (long long)users[i]);
				snprintf(ref, sizeof ref, "submission:%lld", (long long)ids[i]);
				fc_entry e[] = {{pending, -rewards[i]}, {avail, rewards[i]}};
				rc = fc_ledger_post(db, cur[i], "auto-approved: not reviewed in time", ref, e, 2, NULL, err);
			}
		}
		if (fc_db_end(db, &rc, err))
			return rc;
		*n += k;
		if (k < 512)
			return 0;
	}
}

int fc_jobs_run_due(fc_store *s, fc_jobs_report *rep, fc_err *err)
{
	int64_t now = fc_clock_now(), n = 0;
	int rc = fc_assign_expire_leases(s, now, &n, err);
	if (rc)
		return rc;
	rep->leases_expired += n;
	if ((rc = auto_approve(s, now, &n, err)))
		return rc;
	rep->auto_approved += n;
	n = 0;
	if ((rc = fc_money_pay_floor(s, now, &n, err)))
		return rc;
	rep->pay_floor_topups += n;
	return 0;
}
