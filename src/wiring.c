/* The order of subscription is the order handlers run in one transaction:
 * money refuses unfunded work before quality counts a test's pool, and the
 * outbox records an event only once every other handler accepted it. */
#include "wiring.h"
#include "contrib/contrib.h"
#include "events/outbox.h"
#include "money/subscribe.h"
#include "quality/subscribe.h"
#include "webhooks/webhooks.h"
#include "work/jobs.h"

void fc_wire(void)
{
	static int wired;
	if (wired)
		return;
	wired = 1;
	fc_work_subscribe();
	fc_money_subscribe();
	fc_quality_subscribe();
	fc_contrib_subscribe();
	fc_webhooks_subscribe();
	fc_outbox_subscribe();
}
