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
	int64_t retention_erased; /* media erased past its project's retention_days */
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

/* The server's timer: jobs run in ticks of FC_JOBS_TICK seconds of
 * fc_clock_now() (the test clock when one is set). With several servers on
 * one database only the server that claims a tick (fc_store_claim_tick, a
 * row in job_ticks) runs it. Returns 1 when this server ran the tick, 0 when
 * another server had it (or the tick is not new), an error otherwise. */
#define FC_JOBS_TICK 5
int fc_jobs_tick(fc_store *s, fc_jobs_report *rep, fc_err *err);
/* Ticks this process claimed and ran (faircrowd_job_ticks_total). */
uint64_t fc_jobs_ticks_run(void);

#endif
