/* subscribe.h — money's part of the start-up wiring: its event handlers
 * (see events/events.h) and the pay floor job. */
#ifndef FC_MONEY_SUBSCRIBE_H
#define FC_MONEY_SUBSCRIBE_H

/* Call once at start-up, after fc_work_subscribe. */
void fc_money_subscribe(void);

#endif
