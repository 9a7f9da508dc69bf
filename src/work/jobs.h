/* jobs.h — scheduled work driven by fc_clock_now(): lease expiry,
 * auto-approval of unreviewed submissions. Run periodically by the server
 * and at once by POST /admin/clock (test clock). */
#ifndef FC_WORK_JOBS_H
#define FC_WORK_JOBS_H

#include "store/store.h"

typedef struct fc_jobs_report {
	int64_t leases_expired;
	int64_t auto_approved;
	int64_t pay_floor_topups; /* submissions topped up to the pay floor */
} fc_jobs_report;

/* Runs every job that is due at fc_clock_now(); adds counts to *rep. */
int fc_jobs_run_due(fc_store *s, fc_jobs_report *rep, fc_err *err);

#endif
