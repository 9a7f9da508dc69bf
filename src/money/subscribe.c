/* money's subscriptions: the reward follows the work's events inside the
 * same transaction (escrow → pending on submit, pending → available on
 * acceptance, back to escrow on a reasoned rejection, …). */
#include "money/subscribe.h"
#include "events/events.h"
#include "events/jobs.h"
#include "money/ledger.h"
#include "money/money.h"

#include <stdio.h>

static int on_publishing(fc_db *db, fc_event *ev, fc_err *err) { return fc_money_check_escrow(db, ev->project, err); }

static int on_closed(fc_db *db, fc_event *ev, fc_err *err) { return fc_money_on_close(db, ev->project, err); }

/* New work in a live project must be paid for before anyone can take it. */
static int on_tasks_created(fc_db *db, fc_event *ev, fc_err *err)
{
	int64_t live = 0;
	int rc = fc_db_int(db, &live, err, "SELECT status='live' FROM projects WHERE id=?", "I", ev->project);
	if (rc)
		return rc;
	return live ? fc_money_check_escrow(db, ev->project, err) : 0;
}

static int on_submitted(fc_db *db, fc_event *ev, fc_err *err)
{
	return fc_ledger_on_submit(db, ev->project, ev->user, ev->submission, ev->amount, ev->currency, err);
}

static int on_accepted(fc_db *db, fc_event *ev, fc_err *err)
{
	if (!ev->automatic)
		return fc_money_on_accept(db, ev->submission, err);
	/* auto-approval runs in batches of hundreds: the reward is known, so
	 * post it without reading the submission's ledger lines back */
	if (ev->amount <= 0)
		return 0;
	char pending[48], avail[48], ref[48];
	snprintf(pending, sizeof pending, "pending:%lld", (long long)ev->user);
	snprintf(avail, sizeof avail, "available:%lld", (long long)ev->user);
	snprintf(ref, sizeof ref, "submission:%lld", (long long)ev->submission);
	fc_entry e[] = {{pending, -ev->amount}, {avail, ev->amount}};
	return fc_ledger_post(db, ev->currency, "auto-approved: not reviewed in time", ref, e, 2, NULL, err);
}

static int on_rejected(fc_db *db, fc_event *ev, fc_err *err) { return fc_money_on_reject(db, ev->submission, err); }

static int on_appeal(fc_db *db, fc_event *ev, fc_err *err)
{
	return ev->upheld ? fc_money_on_appeal_upheld(db, ev->submission, err) : 0;
}

/* A paid validation vote: escrow → the voter's available money at once. */
static int on_voted(fc_db *db, fc_event *ev, fc_err *err)
{
	char escrow[48], avail[48], ref[64];
	snprintf(escrow, sizeof escrow, "escrow:%lld", (long long)ev->project);
	snprintf(avail, sizeof avail, "available:%lld", (long long)ev->user);
	snprintf(ref, sizeof ref, "vote:%lld:%lld", (long long)ev->submission, (long long)ev->user);
	int64_t balance = 0;
	int rc = fc_ledger_balance(db, escrow, &balance, err);
	if (rc)
		return rc;
	if (balance < ev->amount)
		return fc_err_set(err, FC_ECONFLICT, "insufficient_funds", NULL,
				  "This project cannot pay for validation votes right now; try again later.");
	fc_entry e[] = {{escrow, -ev->amount}, {avail, ev->amount}};
	return fc_ledger_post(db, ev->currency, "validation vote", ref, e, 2, NULL, err);
}

static int pay_floor(fc_store *s, int64_t now, fc_jobs_report *rep, fc_err *err)
{
	return fc_money_pay_floor(s, now, &rep->pay_floor_topups, err);
}

void fc_money_subscribe(void)
{
	fc_events_on(FC_EV_PUBLISHING, "money: escrow covers the work", on_publishing);
	fc_events_on(FC_EV_PROJECT_CLOSED, "money: escrow returned", on_closed);
	fc_events_on(FC_EV_TASKS_CREATED, "money: escrow covers new work", on_tasks_created);
	fc_events_on(FC_EV_SUBMITTED, "money: escrow to pending", on_submitted);
	fc_events_on(FC_EV_ACCEPTED, "money: pending to available", on_accepted);
	fc_events_on(FC_EV_REJECTED, "money: pending to escrow", on_rejected);
	fc_events_on(FC_EV_APPEAL_DECIDED, "money: upheld appeal paid", on_appeal);
	fc_events_on(FC_EV_VOTED, "money: vote paid", on_voted);
	fc_jobs_register("pay floor", pay_floor);
}
