/* events.h — domain events, published inside the write transaction that
 * caused them.
 *
 * work/ publishes what happened (a submission stored, a decision made, a
 * project published) with the open fc_db and the row ids; money/, quality/
 * and the outbox subscribe at start-up and run in the same transaction, in
 * the order they subscribed. The first handler that fails stops the chain
 * and its error becomes the publisher's: the publisher rolls back, so a
 * failing subscriber leaves nothing written — exactly as when the calls
 * were direct.
 *
 * Two kinds of event:
 *   facts   (FC_EV_SUBMITTED, FC_EV_ACCEPTED, …) — something was written;
 *           subscribers add their own writes (ledger lines, gold scores,
 *           outbox rows).
 *   checks  (FC_EV_PROJECT_CHECK, FC_EV_PUBLISHING, FC_EV_LEASING,
 *           FC_EV_PICKING, FC_EV_RESULT_CHECK) — the publisher asks before it acts; a
 *           subscriber refuses with an error or, for FC_EV_PICKING, answers
 *           through the event's out-fields (why there is no work, the
 *           qualification attempt).
 *
 * Subscribing happens once, before any thread publishes (fc_events_on is
 * not thread-safe); publishing is. */
#ifndef FC_EVENTS_EVENTS_H
#define FC_EVENTS_EVENTS_H

#include "store/store.h"
#include <jansson.h>
#include <stdint.h>

typedef enum fc_event_kind {
	/* checks */
	FC_EV_PROJECT_CHECK, /* json: a complete project object to validate (db NULL) */
	FC_EV_PUBLISHING,    /* project about to go live: refuse to keep it from going live */
	FC_EV_LEASING,       /* project, user: may refuse (paused for quality, …) */
	FC_EV_PICKING,       /* test project, user, attempt (in/out): may set why (no question to hand out) */
	FC_EV_RESULT_CHECK,  /* json: a result, text: the label config, data: the task's data (db NULL):
				refuse a result the config does not accept (a model's prediction) */
	/* facts */
	FC_EV_PROJECT_SAVED,     /* project, json: the complete object just written */
	FC_EV_PROJECT_PUBLISHED, /* project */
	FC_EV_PROJECT_CLOSED,    /* project */
	FC_EV_TASKS_CREATED,     /* project, count (live projects: new work to pay for) */
	FC_EV_NO_TASKS,          /* project, user, attempt: the pool ran dry for user */
	FC_EV_SUBMITTED,         /* project, task, submission, user, amount (reward), currency, json (the result) */
	FC_EV_ACCEPTED,          /* project, task, submission, user, actor (0: auto), amount, currency */
	FC_EV_REJECTED,          /* project, task, submission, user, actor, text (the reason code) */
	FC_EV_APPEAL_DECIDED,    /* project, submission, user, actor, upheld */
	FC_EV_VOTED,             /* project, submission, user (the voter): a paid validation vote */
	FC_EV_PROJECT_PAUSED,    /* project, actor */
	FC_EV_WITHDRAWN,         /* project, user (= actor), count (submissions erased): consent withdrawn */
	FC_EV_PAYOUT_CONFIRMED,  /* actor, ref (the payout batch), count (payouts), amount (their total) */
	FC_EV_PAY_TOPPED_UP,     /* project, count (submissions topped up), amount (their total) */
	FC_EV_EXPORT_DONE,       /* project, user (who asked), ref (the export job), count (rows), amount (bytes),
				    text (its SHA-256), json ({id, format, rows, bytes, sha256, download_url}) */
	FC_EV_MEMBER_CHANGED,    /* project, user (the member), actor, text (the new role, or NULL: removed) */
	FC_EV_COUNT
} fc_event_kind;

typedef struct fc_event_batch fc_event_batch;

typedef struct fc_event {
	fc_event_kind kind;
	fc_event_batch *batch; /* NULL, or the publish batch this event belongs to (see below) */
	int64_t project, task, submission, user;
	int64_t actor;   /* who acted; 0 for the platform (auto-approval, jobs) */
	int64_t count;   /* FC_EV_TASKS_CREATED */
	int64_t amount;  /* minor units: the reward at stake */
	int64_t attempt; /* qualification attempt (FC_EV_PICKING: in/out; FC_EV_NO_TASKS: 0 unless a test) */
	int64_t ref;     /* a row none of the fields above names (FC_EV_PAYOUT_CONFIRMED: the batch) */
	int upheld;      /* FC_EV_APPEAL_DECIDED */
	int automatic;   /* FC_EV_ACCEPTED by auto-approval */
	const char *currency;
	const char *text;   /* FC_EV_REJECTED: reason code */
	const json_t *json; /* FC_EV_PROJECT_CHECK / FC_EV_PROJECT_SAVED / FC_EV_EXPORT_DONE / FC_EV_RESULT_CHECK /
			     * FC_EV_SUBMITTED (the result as stored) */
	const json_t *data; /* FC_EV_RESULT_CHECK: the task's data */
	const char *why;    /* FC_EV_PICKING (out): a no-work reason, e.g. "test_finished" */
} fc_event;

/* Runs inside the publisher's transaction (db is NULL for
 * FC_EV_PROJECT_CHECK). Return 0, or a negative FC_E* with err filled to
 * make the publisher roll back. */
typedef int (*fc_event_fn)(fc_db *db, fc_event *ev, fc_err *err);

/* Adds fn to the handlers of kind (after those already there). name
 * appears in logs and metrics. Returns 0; a full table is a wiring error
 * and aborts the process at start-up. */
int fc_events_on(fc_event_kind kind, const char *name, fc_event_fn fn);
/* Removes every handler (tests). */
void fc_events_reset(void);

/* Runs the handlers of ev->kind in order; stops at the first failure and
 * returns its code (err names the failure). */
int fc_events_publish(fc_db *db, fc_event *ev, fc_err *err);

/* ---- publish batches ----
 *
 * A publisher that publishes many events of one kind in one transaction
 * (a bulk accept of 10,000 submissions, an auto-approval batch) opens a
 * batch, sets ev->batch on each event and ends the batch before it
 * commits. Subscribers then keep facts that are the same for every event
 * of the batch (does this project have webhooks, its title, a
 * contributor's preferences, the batch's pending money read in one
 * statement) in memos instead of asking the database per event, and may
 * leave set-based work to the batch's end (trim each contributor's
 * notifications once). What is written is the same as without a batch;
 * only the round trips are fewer. With ev->batch NULL every memo call
 * answers NULL and subscribers work event by event. */

typedef struct fc_memo fc_memo;
/* Run at fc_event_batch_end in the order the memos were made, inside the
 * publisher's transaction; an error makes the publisher roll back. */
typedef int (*fc_memo_finish_fn)(fc_db *db, fc_memo *m, fc_err *err);

struct fc_memo {
	const void *tag; /* the subscriber's key: the address of something of its own */
	int64_t id;      /* and an id under it (a project, a user, 0) */
	int64_t n;       /* the subscriber's: a number … */
	void *p;         /* … and a pointer, freed with free_p (may be NULL) when the batch ends */
	void (*free_p)(void *);
	fc_memo_finish_fn finish; /* or NULL */
	fc_memo *next_made, *next_bucket;
};

/* A batch over the submissions subs[0..n) the publisher is about to publish
 * events for (copied; n may be 0). NULL when out of memory — then publish
 * without a batch. */
fc_event_batch *fc_event_batch_new(const int64_t *subs, size_t n);
/* The submissions the batch was made with (the ids in the publisher's
 * order). */
const int64_t *fc_event_batch_subs(const fc_event_batch *b, size_t *n);
/* Runs the memos' finishers (unless rc_so_far is non-zero) and frees the
 * batch. Returns rc_so_far, or the first finisher's failure. b may be
 * NULL. */
int fc_event_batch_end(fc_db *db, fc_event_batch *b, int rc_so_far, fc_err *err);
/* The memo (tag, id) of ev's batch, made (zeroed, *fresh = 1) when it was
 * not there. NULL when ev has no batch or memory ran out: the subscriber
 * then does its work for this event alone. */
fc_memo *fc_event_memo(const fc_event *ev, const void *tag, int64_t id, int *fresh);

/* Lower-case name of kind ("submitted", "tasks_created", …). */
const char *fc_event_name(fc_event_kind kind);
/* The kind named name (as fc_event_name gives it), or -1. */
int fc_event_kind_named(const char *name);
/* Events published since start, per kind (for /metrics). */
uint64_t fc_events_published(fc_event_kind kind);

#endif
