/* quality's subscriptions: project settings, pausing on gold evidence,
 * qualification attempts and gold scoring, inside the work's transactions. */
#include "quality/subscribe.h"
#include "events/events.h"
#include "quality/contributors.h"
#include "quality/qualtest.h"

static int on_check(fc_db *db, fc_event *ev, fc_err *err) { return fc_quality_settings_validate(ev->json, err); }

static int on_saved(fc_db *db, fc_event *ev, fc_err *err)
{
	return fc_quality_settings_write(db, ev->project, ev->json, err);
}

static int on_publishing(fc_db *db, fc_event *ev, fc_err *err)
{
	return fc_qualtest_publish_check(db, ev->project, err);
}

static int on_leasing(fc_db *db, fc_event *ev, fc_err *err)
{
	return fc_quality_pause_check(db, ev->project, ev->user, err);
}

static int on_picking(fc_db *db, fc_event *ev, fc_err *err)
{
	return fc_qualtest_lease(db, ev->project, ev->user, &ev->attempt, &ev->why, err);
}

/* A test whose pool ran dry is scored now. */
static int on_no_tasks(fc_db *db, fc_event *ev, fc_err *err)
{
	return ev->attempt ? fc_qualtest_score(db, ev->project, ev->user, ev->attempt, err) : 0;
}

static int on_submitted(fc_db *db, fc_event *ev, fc_err *err)
{
	return fc_quality_on_submit(db, ev->submission, ev->json, err);
}

void fc_quality_subscribe(void)
{
	fc_events_on(FC_EV_PROJECT_CHECK, "quality: settings valid", on_check);
	fc_events_on(FC_EV_PROJECT_SAVED, "quality: settings stored", on_saved);
	fc_events_on(FC_EV_PUBLISHING, "quality: test has enough questions", on_publishing);
	fc_events_on(FC_EV_LEASING, "quality: not paused", on_leasing);
	fc_events_on(FC_EV_PICKING, "quality: test attempt", on_picking);
	fc_events_on(FC_EV_NO_TASKS, "quality: dry test scored", on_no_tasks);
	fc_events_on(FC_EV_SUBMITTED, "quality: gold scored", on_submitted);
}
