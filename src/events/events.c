/* Domain events: a fixed table of handlers per kind, filled at start-up. */
#include "events/events.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HANDLERS 8

static struct {
	const char *name;
	fc_event_fn fn;
} handlers[FC_EV_COUNT][MAX_HANDLERS];
static int handler_count[FC_EV_COUNT];
static _Atomic uint64_t published[FC_EV_COUNT];

static const char *const NAMES[FC_EV_COUNT] = {
	[FC_EV_PROJECT_CHECK] = "project_check",
	[FC_EV_PUBLISHING] = "publishing",
	[FC_EV_LEASING] = "leasing",
	[FC_EV_PICKING] = "picking",
	[FC_EV_RESULT_CHECK] = "result_check",
	[FC_EV_PROJECT_SAVED] = "project_saved",
	[FC_EV_PROJECT_PUBLISHED] = "project_published",
	[FC_EV_PROJECT_CLOSED] = "project_closed",
	[FC_EV_TASKS_CREATED] = "tasks_created",
	[FC_EV_NO_TASKS] = "no_tasks",
	[FC_EV_SUBMITTED] = "submitted",
	[FC_EV_ACCEPTED] = "accepted",
	[FC_EV_REJECTED] = "rejected",
	[FC_EV_APPEAL_DECIDED] = "appeal_decided",
	[FC_EV_VOTED] = "voted",
	[FC_EV_PROJECT_PAUSED] = "project_paused",
	[FC_EV_WITHDRAWN] = "withdrawn",
	[FC_EV_PAYOUT_CONFIRMED] = "payout_confirmed",
	[FC_EV_PAY_TOPPED_UP] = "pay_topped_up",
	[FC_EV_EXPORT_DONE] = "export_done",
	[FC_EV_MEMBER_CHANGED] = "member_changed",
};

int fc_events_on(fc_event_kind kind, const char *name, fc_event_fn fn)
{
	if ((unsigned)kind >= FC_EV_COUNT || handler_count[kind] >= MAX_HANDLERS) {
		/* a start-up wiring error: a dropped handler would silently skip its
		 * module's reaction (money not moved), so stop here instead */
		fprintf(stderr, "faircrowd: cannot subscribe '%s' to event kind %d (table full)\n", name, (int)kind);
		abort();
	}
	handlers[kind][handler_count[kind]].name = name;
	handlers[kind][handler_count[kind]].fn = fn;
	handler_count[kind]++;
	return 0;
}

void fc_events_reset(void)
{
	for (int k = 0; k < FC_EV_COUNT; k++)
		handler_count[k] = 0;
}

int fc_events_publish(fc_db *db, fc_event *ev, fc_err *err)
{
	if ((unsigned)ev->kind >= FC_EV_COUNT)
		return fc_err_set(err, FC_EIO, "internal", NULL, "Unknown event kind %d.", (int)ev->kind);
	atomic_fetch_add_explicit(&published[ev->kind], 1, memory_order_relaxed);
	for (int i = 0; i < handler_count[ev->kind]; i++) {
		int rc = handlers[ev->kind][i].fn(db, ev, err);
		if (rc)
			return rc;
	}
	return 0;
}

const char *fc_event_name(fc_event_kind kind) { return (unsigned)kind < FC_EV_COUNT ? NAMES[kind] : "unknown"; }

uint64_t fc_events_published(fc_event_kind kind)
{
	return (unsigned)kind < FC_EV_COUNT ? atomic_load_explicit(&published[kind], memory_order_relaxed) : 0;
}

int fc_event_kind_named(const char *name)
{
	for (int k = 0; k < FC_EV_COUNT; k++)
		if (!strcmp(NAMES[k], name))
			return k;
	return -1;
}
