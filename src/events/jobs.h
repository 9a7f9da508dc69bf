/* jobs.h — scheduled work driven by fc_clock_now(). Domain modules register
 * their jobs at start-up (work: lease expiry and auto-approval; money: the
 * pay floor; the outbox: delivery); the server runs them every few seconds
 * and POST /admin/clock (test clock) at once, in registration order. Each
 * job runs in short batches so it never holds the write lock for long. */
#ifndef FC_EVENTS_JOBS_H
#define FC_EVENTS_JOBS_H

#include "store/store.h"

typedef struct fc_jobs_report {
	int64_t leases_expired;
	int64_t auto_approved;
	int64_t pay_floor_topups; /* submissions topped up to the pay floor */
	int64_t outbox_delivered; /* outbox items delivered */
	int64_t uploads_expired;  /* abandoned resumable uploads removed */
} fc_jobs_report;

/* A job: does what is due at now, adds its counts to *rep. */
typedef int (*fc_job_fn)(fc_store *s, int64_t now, fc_jobs_report *rep, fc_err *err);

/* Registers a job (before the server starts). Returns 0; a full table
 * aborts at start-up. */
int fc_jobs_register(const char *name, fc_job_fn fn);
/* Removes every job (tests). */
void fc_jobs_reset(void);

/* Runs every job that is due at fc_clock_now(); adds counts to *rep. Stops
 * at the first job that fails (err names it). */
int fc_jobs_run_due(fc_store *s, fc_jobs_report *rep, fc_err *err);

#endif
