/* money's subscriptions: the reward follows the work's events inside the
 * same transaction (escrow → pending on submit, pending → available on
 * acceptance, back to escrow on a reasoned rejection, …). */
#include "money/subscribe.h"
#include "events/events.h"
#include "events/jobs.h"
#include "money/ledger.h"
#include "money/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int on_publishing(fc_db *db, fc_event *ev, fc_err *err) { return fc_money_check_escrow(db, ev->project, err); }

static int on_closed(fc_db *db, fc_event *ev, fc_err *err) { return fc_money_on_close(db, ev->project, err); }

/* New work in a live project must be paid for before anyone can take it. */
static int on_tasks_created(fc_db *db, fc_event *ev, fc_err *err)
{
	int64_t live = 0;
	int rc = fc_db_int(db, &live, err, "SELECT CASE WHEN status='live' THEN 1 ELSE 0 END FROM projects WHERE id=?",
			   "I", ev->project);
	if (rc)
		return rc;
	return live ? fc_money_check_escrow(db, ev->project, err) : 0;
}

static int on_submitted(fc_db *db, fc_event *ev, fc_err *err)
{
	return fc_ledger_on_submit(db, ev->project, ev->user, ev->submission, ev->amount, ev->currency, err);
}

/* In a publish batch the postings wait in a memo and are written together
 * when the batch ends (fc_ledger_batch_write: a few multi-row statements
 * instead of three per posting); out of one, or out of memory, each is
 * posted at once. Nothing in the batch reads a balance it moves. */
static const char POST_TAG;

static int post_at_end(fc_db *db, fc_memo *m, fc_err *err) { return fc_ledger_batch_write(db, m->p, err); }

static void post_free(void *p) { fc_ledger_batch_free(p); }

static int post(fc_db *db, const fc_event *ev, const char *cur, const char *memo, const char *ref, const fc_entry *e,
		int n, fc_err *err)
{
	int fresh;
	fc_memo *m = fc_event_memo(ev, &POST_TAG, 0, &fresh);
	if (m && fresh) {
		m->p = fc_ledger_batch_new();
		m->free_p = post_free;
		m->finish = post_at_end;
	}
	if (!m || !m->p)
		return fc_ledger_post(db, cur, memo, ref, e, n, NULL, err);
	return fc_ledger_batch_add(m->p, cur, memo, ref, e, n, err);
}

/* A submission's reward from its contributor's pending money to their
 * available money. */
static int to_available(fc_db *db, const fc_event *ev, int64_t sub, int64_t user, int64_t amount, const char *cur,
			const char *memo, fc_err *err)
{
	char pending[48], avail[48], ref[48];
	snprintf(pending, sizeof pending, "pending:%lld", (long long)user);
	snprintf(avail, sizeof avail, "available:%lld", (long long)user);
	snprintf(ref, sizeof ref, "submission:%lld", (long long)sub);
	fc_entry e[] = {{pending, -amount}, {avail, amount}};
	return post(db, ev, cur, memo, ref, e, 2, err);
}

/* A publish batch of accepts reads what each submission holds in pending
 * once, in one statement, instead of two reads per submission. */
typedef struct held_row {
	int64_t id, user, held;
	char cur[8];
} held_row;

typedef struct held_set {
	size_t n;
	held_row rows[];
} held_set;

static const char HELD_TAG;

static int held_cmp(const void *a, const void *b)
{
	int64_t x = ((const held_row *)a)->id, y = ((const held_row *)b)->id;
	return (x > y) - (x < y);
}

static int held_load(fc_db *db, const fc_event_batch *b, held_set **out, fc_err *err)
{
	size_t n;
	const int64_t *subs = fc_event_batch_subs(b, &n);
	char *ids = malloc(n * 21 + 3), *p = ids;
	held_set *hs = malloc(sizeof *hs + (n ? n : 1) * sizeof hs->rows[0]);
	if (!ids || !hs) {
		free(ids);
		free(hs);
		return fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	}
	*p++ = '[';
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%lld", i ? "," : "", (long long)subs[i]);
	strcpy(p, "]");
	fc_stmt *st;
	/* what the submission's reference put into its contributor's pending
	 * account (money.c's ref_sum for each: its few lines first) */
	int rc = fc_db_query(db, &st, err,
			     "SELECT s.id, s.user_id, p.currency, (SELECT COALESCE(SUM(e.amount),0) FROM ledger_txns t "
			     "CROSS JOIN ledger_entries e WHERE e.txn_id=t.id AND t.ref='submission:'||CAST(s.id AS TEXT) "
			     "AND e.account='pending:'||CAST(s.user_id AS TEXT)) FROM submissions s "
			     "JOIN projects p ON p.id=s.project_id "
			     "WHERE s.id IN (SELECT CAST(value AS BIGINT) FROM json_each(?))",
			     "t", ids);
	free(ids);
	if (rc) {
		free(hs);
		return rc;
	}
	hs->n = 0;
	while (hs->n < n && fc_stmt_next(st) == 1) {
		held_row *r = &hs->rows[hs->n++];
		r->id = fc_stmt_int(st, 0);
		r->user = fc_stmt_int(st, 1);
		snprintf(r->cur, sizeof r->cur, "%s", fc_stmt_text(st, 2));
		r->held = fc_stmt_int(st, 3);
	}
	fc_stmt_done(st);
	qsort(hs->rows, hs->n, sizeof hs->rows[0], held_cmp);
	*out = hs;
	return 0;
}

/* What fc_money_on_accept does, from the batch's read. */
static int on_accepted_in_batch(fc_db *db, fc_event *ev, fc_err *err)
{
	int fresh;
	fc_memo *m = fc_event_memo(ev, &HELD_TAG, 0, &fresh);
	if (!m)
		return fc_money_on_accept(db, ev->submission, err);
	if (fresh) {
		held_set *loaded = NULL;
		int rc = held_load(db, ev->batch, &loaded, err);
		if (rc) {
			m->tag = NULL; /* forget the memo: the next event reads again */
			return rc;
		}
		m->p = loaded;
		m->free_p = free;
	}
	held_set *hs = m->p;
	held_row key = {.id = ev->submission};
	const held_row *r = bsearch(&key, hs->rows, hs->n, sizeof hs->rows[0], held_cmp);
	if (!r) /* not one the batch was made with */
		return fc_money_on_accept(db, ev->submission, err);
	if (r->held <= 0)
		return 0;
	return to_available(db, ev, r->id, r->user, r->held, r->cur, "accepted by a reviewer", err);
}

static int on_accepted(fc_db *db, fc_event *ev, fc_err *err)
{
	if (!ev->automatic)
		return ev->batch ? on_accepted_in_batch(db, ev, err) : fc_money_on_accept(db, ev->submission, err);
	/* auto-approval runs in batches of hundreds: the reward is known, so
	 * post it without reading the submission's ledger lines back */
	if (ev->amount <= 0)
		return 0;
	return to_available(db, ev, ev->submission, ev->user, ev->amount, ev->currency,
			    "auto-approved: not reviewed in time", err);
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
