/* work's scheduled jobs (see events/jobs.h) and its subscriptions. Each
 * job runs in short batches so it never holds the write lock for long. */
#include "work/jobs.h"
#include "events/events.h"
#include "events/jobs.h"
#include "work/assign.h"
#include "work/uploads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FC_STR_(x) #x
#define FC_STR(x) FC_STR_(x)

/* Unreviewed work is paid: pending submissions older than the project's
 * auto_approve_days become auto_accepted (never an owner's own: that waits
 * for a person's review); money/ makes their reward
 * available on the FC_EV_ACCEPTED it is told of.
 *
 * Project by project, oldest first, through the partial index
 * submissions_due (project_id, created_at, id) WHERE status='pending': each
 * batch is one range seek that reads only due rows, and the rows it
 * approves leave the index, so the next batch starts where this one ended.
 * The cost is linear in the submissions approved, however much pending
 * work is not due yet. */
#define BATCH 512

typedef struct due_project {
	int64_t id, cutoff, owner;
	char currency[8];
} due_project;

static int approve_batch(fc_store *s, const due_project *p, int64_t now, int *done, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	int64_t ids[BATCH], users[BATCH], rewards[BATCH], tasks[BATCH];
	int k = 0;
	rc = fc_db_query(db, &st, err,
			 "SELECT id, user_id, reward, task_id FROM submissions WHERE project_id=? AND status='pending' "
			 "AND created_at<=? AND user_id<>? AND user_id NOT IN (SELECT user_id FROM project_members "
			 "WHERE project_id=? AND role='owner') ORDER BY created_at, id LIMIT " FC_STR(BATCH),
			 "IIII", p->id, p->cutoff, p->owner, p->id);
	if (!rc) {
		while (k < BATCH && fc_stmt_next(st) == 1) {
			ids[k] = fc_stmt_int(st, 0);
			users[k] = fc_stmt_int(st, 1);
			rewards[k] = fc_stmt_int(st, 2);
			tasks[k] = fc_stmt_int(st, 3);
			k++;
		}
		fc_stmt_done(st);
	}
	/* the batch's rows in one UPDATE (ids as a JSON array for json_each) */
	char list[BATCH * 21 + 3], *at = list;
	*at++ = '[';
	for (int i = 0; i < k; i++)
		at += sprintf(at, "%s%lld", i ? "," : "", (long long)ids[i]);
	strcpy(at, "]");
	if (!rc && k &&
	    !(rc = fc_db_exec(db, err,
			      "UPDATE submissions SET status='auto_accepted', reviewed_at=? WHERE status='pending' AND id IN "
			      "(SELECT CAST(value AS BIGINT) FROM json_each(?))",
			      "It", now, list)) &&
	    fc_db_changes(db) != k) /* cannot happen inside the write transaction */
		rc = fc_err_set(err, FC_EIO, "internal", NULL, "The batch changed while it was approved.");
	fc_event_batch *batch = rc || !k ? NULL : fc_event_batch_new(ids, (size_t)k);
	for (int i = 0; !rc && i < k; i++) {
		fc_event ev = {.kind = FC_EV_ACCEPTED,
			       .batch = batch,
			       .project = p->id,
			       .task = tasks[i],
			       .submission = ids[i],
			       .user = users[i],
			       .amount = rewards[i],
			       .currency = p->currency,
			       .automatic = 1};
		rc = fc_events_publish(db, &ev, err);
	}
	rc = fc_event_batch_end(db, batch, rc, err);
	*done = k;
	return fc_db_end(db, &rc, err);
}

static int auto_approve(fc_store *s, int64_t now, fc_jobs_report *rep, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	due_project *ps = NULL;
	size_t n = 0, cap = 0;
	fc_stmt *st;
	if (!(rc = fc_db_query(db, &st, err,
			       "SELECT id, currency, auto_approve_days, owner_id FROM projects ORDER BY id", ""))) {
		while (fc_stmt_next(st) == 1) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				due_project *np = realloc(ps, cap * sizeof *ps);
				if (!np) {
					rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
					break;
				}
				ps = np;
			}
			ps[n].id = fc_stmt_int(st, 0);
			snprintf(ps[n].currency, sizeof ps[n].currency, "%s", fc_stmt_text(st, 1));
			ps[n].cutoff = now - fc_stmt_int(st, 2) * 86400;
			ps[n].owner = fc_stmt_int(st, 3);
			n++;
		}
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	for (size_t i = 0; !rc && i < n; i++) {
		int k;
		do {
			k = 0;
			rc = approve_batch(s, &ps[i], now, &k, err);
			rep->auto_approved += k;
		} while (!rc && k == BATCH);
	}
	free(ps);
	return rc;
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
	fc_events_on(FC_EV_RESULT_CHECK, "work: the result fits the config", fc_assign_check_result);
}
