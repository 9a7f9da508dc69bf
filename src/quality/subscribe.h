/* subscribe.h — quality's part of the start-up wiring (see
 * events/events.h). */
#ifndef FC_QUALITY_SUBSCRIBE_H
#define FC_QUALITY_SUBSCRIBE_H

/* Call once at start-up, after fc_money_subscribe (a project that cannot
 * be paid for is refused before its test pool is counted). */
void fc_quality_subscribe(void);

#endif
