/* The order of subscription is the order handlers run in one transaction:
 * money refuses unfunded work before quality counts a test's pool, and the
 * outbox records an event only once every other handler accepted it; the
 * audit row (privacy) is written after the reactions it records. */
#include "wiring.h"
#include "account/account.h"
#include "contrib/contrib.h"
#include "events/outbox.h"
#include "ml/builtin.h"
#include "ml/ml.h"
#include "ml/transcribe.h"
#include "money/subscribe.h"
#include "privacy/audit.h"
#include "privacy/privacy.h"
#include "quality/subscribe.h"
#include "webhooks/webhooks.h"
#include "work/jobs.h"
#include "work/peaks.h"

void fc_wire(void)
{
	static int wired;
	if (wired)
		return;
	wired = 1;
	fc_work_subscribe();
	fc_peaks_subscribe();
	fc_money_subscribe();
	fc_quality_subscribe();
	fc_contrib_subscribe();
	fc_webhooks_subscribe();
	fc_ml_subscribe();
	fc_ml_builtin_subscribe();
	fc_ml_transcribe_subscribe();
	fc_privacy_subscribe();
	/* account/ is below events/: it is handed the recorder instead (account.h) */
	fc_account_set_audit(fc_audit_append);
	fc_outbox_subscribe();
}
