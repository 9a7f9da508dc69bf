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

/* ---- publish batches: the memos in a chained hash table ---- */

struct fc_event_batch {
	int64_t *subs;
	size_t n_subs;
	fc_memo **buckets;
	size_t n_buckets, n_memos;
	fc_memo *first, *last; /* in the order made */
};

fc_event_batch *fc_event_batch_new(const int64_t *subs, size_t n)
{
	fc_event_batch *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->n_buckets = 64;
	b->buckets = calloc(b->n_buckets, sizeof *b->buckets);
	b->subs = malloc((n ? n : 1) * sizeof *b->subs);
	if (!b->buckets || !b->subs) {
		free(b->buckets);
		free(b->subs);
		free(b);
		return NULL;
	}
	if (n)
		memcpy(b->subs, subs, n * sizeof *subs);
	b->n_subs = n;
	return b;
}

const int64_t *fc_event_batch_subs(const fc_event_batch *b, size_t *n)
{
	*n = b ? b->n_subs : 0;
	return b ? b->subs : NULL;
}

static size_t memo_hash(const void *tag, int64_t id, size_t n_buckets)
{
	uint64_t h = (uint64_t)(uintptr_t)tag * 0x9E3779B97F4A7C15u ^ (uint64_t)id * 0xC2B2AE3D27D4EB4Fu;
	return (size_t)((h ^ (h >> 29)) & (n_buckets - 1));
}

static void memo_grow(fc_event_batch *b)
{
	size_t nb = b->n_buckets * 2;
	fc_memo **bk = calloc(nb, sizeof *bk);
	if (!bk)
		return; /* longer chains, still correct */
	for (fc_memo *m = b->first; m; m = m->next_made) {
		size_t h = memo_hash(m->tag, m->id, nb);
		m->next_bucket = bk[h];
		bk[h] = m;
	}
	free(b->buckets);
	b->buckets = bk;
	b->n_buckets = nb;
}

fc_memo *fc_event_memo(const fc_event *ev, const void *tag, int64_t id, int *fresh)
{
	fc_event_batch *b = ev->batch;
	*fresh = 0;
	if (!b)
		return NULL;
	size_t h = memo_hash(tag, id, b->n_buckets);
	for (fc_memo *m = b->buckets[h]; m; m = m->next_bucket)
		if (m->tag == tag && m->id == id)
			return m;
	fc_memo *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->tag = tag;
	m->id = id;
	m->next_bucket = b->buckets[h];
	b->buckets[h] = m;
	if (b->last)
		b->last->next_made = m;
	else
		b->first = m;
	b->last = m;
	if (++b->n_memos > b->n_buckets * 2)
		memo_grow(b);
	*fresh = 1;
	return m;
}

int fc_event_batch_end(fc_db *db, fc_event_batch *b, int rc_so_far, fc_err *err)
{
	int rc = rc_so_far;
	if (!b)
		return rc;
	for (fc_memo *m = b->first, *next; m; m = next) {
		next = m->next_made;
		if (!rc && m->finish)
			rc = m->finish(db, m, err);
		if (m->p && m->free_p)
			m->free_p(m->p);
		free(m);
	}
	free(b->buckets);
	free(b->subs);
	free(b);
	return rc;
}
