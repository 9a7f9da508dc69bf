/* jobs.h — work's part of the start-up wiring: registers its scheduled
 * jobs (lease expiry, auto-approval; see events/jobs.h). */
#ifndef FC_WORK_JOBS_H
#define FC_WORK_JOBS_H

/* Call once at start-up, before money's and quality's subscriptions. */
void fc_work_subscribe(void);

#endif
