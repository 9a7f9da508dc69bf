/* wiring.h — connects the domain modules at start-up: work's jobs, then
 * money's, quality's and the outbox's subscriptions to the domain events
 * (events/events.h). Only the layers above the domain (main, cli, api,
 * tests, benchmarks) call it: below it no module knows another's reaction. */
#ifndef FC_WIRING_H
#define FC_WIRING_H

/* Once per process, before any thread publishes; later calls do nothing. */
void fc_wire(void);

#endif
