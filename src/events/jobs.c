/* The job table: filled at start-up, run by the server's timer. */
#include "events/jobs.h"
#include "core/clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_JOBS 16

static struct {
	const char *name;
	fc_job_fn fn;
} jobs[MAX_JOBS];
static int job_count;
static _Atomic uint64_t ticks_run;
static _Atomic int64_t last_tick = -1;

int fc_jobs_register(const char *name, fc_job_fn fn)
{
	if (job_count >= MAX_JOBS) { /* a wiring error: a dropped job would never run */
		fprintf(stderr, "faircrowd: cannot register job '%s' (table full)\n", name);
		abort();
	}
	jobs[job_count].name = name;
	jobs[job_count].fn = fn;
	job_count++;
	return 0;
}

void fc_jobs_reset(void) { job_count = 0; }

int fc_jobs_run_due(fc_store *s, fc_jobs_report *rep, fc_err *err)
{
	int64_t now = fc_clock_now();
	for (int i = 0; i < job_count; i++) {
		int rc = jobs[i].fn(s, now, rep, err);
		if (rc)
			return rc;
	}
	return 0;
}

int fc_jobs_tick(fc_store *s, fc_jobs_report *rep, fc_err *err)
{
	int64_t tick = fc_clock_now() / FC_JOBS_TICK;
	if (atomic_exchange(&last_tick, tick) == tick)
		return 0; /* this server saw the tick already: no round trip */
	int claimed = fc_store_claim_tick(s, "jobs", tick, err);
	if (claimed < 0)
		atomic_store(&last_tick, -1); /* the database did not answer: try again */
	if (claimed <= 0)
		return claimed;
	atomic_fetch_add(&ticks_run, 1);
	int rc = fc_jobs_run_due(s, rep, err);
	return rc ? rc : 1;
}

uint64_t fc_jobs_ticks_run(void) { return atomic_load(&ticks_run); }
