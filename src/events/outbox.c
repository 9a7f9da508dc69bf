/* The outbox: queue in the event's transaction, deliver outside it. */
#include "events/outbox.h"
#include "core/clock.h"
#include "core/log.h"
#include "events/jobs.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SINKS 8
#define MAX_SLOW 4
#define CLAIM_SECONDS 60       /* a claimed item is due again after this, should its drainer die */
#define CLAIM_SLOW_SECONDS 600 /* the same for slow work: an hour's decode can take a minute */
#define GIVE_UP_SECONDS 86400  /* retries stop a day after the event */

static struct {
	const char *sink;
	fc_outbox_deliver_fn fn;
} sinks[MAX_SINKS];
static int sink_count;
/* the sinks of slow work, drained by the media worker only; "" fills the
 * unused places of the claim's IN list */
static const char *slow[MAX_SLOW] = {"", "", "", ""};
static int slow_count;
static atomic_int stopping;
static _Atomic uint64_t n_delivered, n_retried, n_given_up; /* set by fc_outbox_stop: deliver nothing more */

int fc_outbox_sink(const char *sink, fc_outbox_deliver_fn fn)
{
	if (sink_count >= MAX_SINKS) { /* a wiring error: the sink's items would never leave */
		fprintf(stderr, "faircrowd: cannot register outbox sink '%s' (table full)\n", sink);
		abort();
	}
	sinks[sink_count].sink = sink;
	sinks[sink_count].fn = fn;
	sink_count++;
	return 0;
}

int fc_outbox_sink_slow(const char *sink, fc_outbox_deliver_fn fn)
{
	if (slow_count >= MAX_SLOW) {
		fprintf(stderr, "faircrowd: cannot register slow outbox sink '%s' (table full)\n", sink);
		abort();
	}
	slow[slow_count++] = sink;
	return fc_outbox_sink(sink, fn);
}

static fc_outbox_deliver_fn deliverer(const char *sink)
{
	for (int i = 0; i < sink_count; i++)
		if (!strcmp(sinks[i].sink, sink))
			return sinks[i].fn;
	return NULL;
}

int fc_outbox_put(fc_db *db, const char *sink, int64_t target, int64_t project, const char *action, const char *payload,
		  fc_err *err)
{
	int64_t now = fc_clock_now();
	return fc_db_exec(db, err,
			  "INSERT INTO outbox(sink,target,project_id,action,payload,created_at,next_at) "
			  "VALUES(?,?,nullif(?,0),?,?,?,?)",
			  "tIIttII", sink, target, project, action, payload, now, now);
}

int64_t fc_outbox_backoff(int attempts)
{
	int64_t wait = 10;
	for (int i = 1; i < attempts && wait < 3600; i++)
		wait *= 2;
	return wait < 3600 ? wait : 3600;
}

typedef struct claimed {
	fc_outbox_item item;
	char *sink, *action, *payload;
	int ok, status;
	char error[200];
} claimed;

static void claimed_free(claimed *c, int n)
{
	for (int i = 0; i < n; i++) {
		free(c[i].sink);
		free(c[i].action);
		free(c[i].payload);
	}
	free(c);
}

static char *dup_text(fc_stmt *st, int col)
{
	const char *t = fc_stmt_text(st, col);
	return strdup(t ? t : "");
}

/* Takes up to max due items, pushing their next_at ahead so nobody else
 * takes them while they are being delivered. */
static int claim(fc_store *s, int64_t now, int max, int lane, claimed **out, int *n, fc_err *err)
{
	*out = NULL;
	*n = 0;
	claimed *c = calloc((size_t)max, sizeof *c);
	if (!c)
		return fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	/* rows locked as they are taken, others' skipped: servers claim
	 * disjoint items without the global write lock (store.h); a claim that
	 * fails is tried again next tick */
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE_ROWS, &db, err);
	if (rc) {
		free(c);
		return rc;
	}
	fc_stmt *st;
	int k = 0;
	if (!(rc = fc_db_query(db, &st, err,
			       "SELECT id, sink, target, project_id, action, payload, created_at, attempts FROM outbox "
			       "WHERE delivered_at IS NULL AND failed_at IS NULL AND next_at <= ? AND "
			       "CASE WHEN sink IN (?,?,?,?) THEN 1 ELSE 0 END = ? ORDER BY next_at, id LIMIT ? "
			       "FOR UPDATE SKIP LOCKED",
			       "Ittttii", now, slow[0], slow[1], slow[2], slow[3], lane == FC_OUTBOX_SLOW, max))) {
		while (k < max && fc_stmt_next(st) == 1) {
			claimed *x = &c[k++];
			x->item.id = fc_stmt_int(st, 0);
			x->sink = dup_text(st, 1);
			x->item.target = fc_stmt_int(st, 2);
			x->item.project = fc_stmt_int(st, 3);
			x->action = dup_text(st, 4);
			x->payload = dup_text(st, 5);
			x->item.created_at = fc_stmt_int(st, 6);
			x->item.attempts = (int)fc_stmt_int(st, 7) + 1;
			if (!x->sink || !x->action || !x->payload) {
				rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
				break;
			}
			x->item.sink = x->sink;
			x->item.action = x->action;
			x->item.payload = x->payload;
		}
		fc_stmt_done(st);
	}
	for (int i = 0; !rc && i < k; i++)
		rc = fc_db_exec(db, err, "UPDATE outbox SET next_at=?, attempts=attempts+1 WHERE id=?", "II",
				now + (lane == FC_OUTBOX_SLOW ? CLAIM_SLOW_SECONDS : CLAIM_SECONDS), c[i].item.id);
	if (fc_db_end(db, &rc, err)) {
		claimed_free(c, k);
		return rc;
	}
	*out = c;
	*n = k;
	return 0;
}

static int settle(fc_store *s, claimed *c, int n, int64_t *delivered, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	int64_t now = fc_clock_now();
	for (int i = 0; !rc && i < n; i++) {
		claimed *x = &c[i];
		if (x->ok) {
			rc = fc_db_exec(db, err,
					"UPDATE outbox SET delivered_at=?, last_status=?, last_error=NULL WHERE id=?",
					"IiI", now, x->status, x->item.id);
			(*delivered)++;
			atomic_fetch_add(&n_delivered, 1);
		} else if (now - x->item.created_at >= GIVE_UP_SECONDS) {
			rc = fc_db_exec(db, err, "UPDATE outbox SET failed_at=?, last_status=?, last_error=? WHERE id=?",
					"IitI", now, x->status, x->error, x->item.id);
			atomic_fetch_add(&n_given_up, 1);
			fc_log(FC_LOG_WARN, "outbox: gave up on item %lld (%s) after %d attempts: %s",
			       (long long)x->item.id, x->item.action, x->item.attempts, x->error);
		} else {
			atomic_fetch_add(&n_retried, 1);
			rc = fc_db_exec(db, err, "UPDATE outbox SET next_at=?, last_status=?, last_error=? WHERE id=?",
					"IitI", now + fc_outbox_backoff(x->item.attempts), x->status, x->error,
					x->item.id);
		}
	}
	return fc_db_end(db, &rc, err);
}

int fc_outbox_drain(fc_store *s, int64_t now, int max, int lane, int64_t *delivered, fc_err *err)
{
	claimed *c;
	int n, rc = claim(s, now, max, lane, &c, &n, err);
	if (rc || !n) {
		free(c);
		return rc;
	}
	for (int i = 0; i < n; i++) {
		fc_outbox_deliver_fn fn = deliverer(c[i].item.sink);
		if (!fn) {
			snprintf(c[i].error, sizeof c[i].error, "no deliverer for sink '%s'", c[i].item.sink);
			continue;
		}
		if (atomic_load(&stopping)) { /* due again in CLAIM_SECONDS */
			snprintf(c[i].error, sizeof c[i].error, "not attempted: the server was stopping");
			continue;
		}
		c[i].ok = fn(s, &c[i].item, &c[i].status, c[i].error, sizeof c[i].error) == 0;
	}
	rc = settle(s, c, n, delivered, err);
	claimed_free(c, n);
	return rc;
}

void fc_outbox_counts(uint64_t *delivered, uint64_t *retried, uint64_t *given_up)
{
	*delivered = atomic_load(&n_delivered);
	*retried = atomic_load(&n_retried);
	*given_up = atomic_load(&n_given_up);
}

/* Everything due in a lane, in batches. */
static int drain_lane(fc_store *s, int64_t now, int lane, int64_t *delivered, fc_err *err)
{
	int64_t before;
	int rc;
	do
		before = *delivered;
	while (!(rc = fc_outbox_drain(s, now, 100, lane, delivered, err)) && *delivered - before == 100);
	return rc;
}

static atomic_int worker_up; /* the media worker runs: the job leaves slow work to it */

static int drain_job(fc_store *s, int64_t now, fc_jobs_report *rep, fc_err *err)
{
	int rc = drain_lane(s, now, FC_OUTBOX_FAST, &rep->outbox_delivered, err);
	if (!rc && !atomic_load(&worker_up))
		rc = drain_lane(s, now, FC_OUTBOX_SLOW, &rep->outbox_delivered, err);
	return rc;
}

void fc_outbox_subscribe(void) { fc_jobs_register("outbox", drain_job); }

/* ---- the drain thread and the media worker ---- */

/* One thread per lane, each draining it every second (items queued by
 * other servers, retries) until fc_outbox_stop. */
static struct lane_thread {
	pthread_t t;
	int lane, running;
	fc_store *s;
} threads[2] = {{.lane = FC_OUTBOX_FAST}, {.lane = FC_OUTBOX_SLOW}};
static pthread_mutex_t drain_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t drain_wake = PTHREAD_COND_INITIALIZER;

static void *drain_loop(void *arg)
{
	struct lane_thread *lt = arg;
	pthread_mutex_lock(&drain_lock);
	while (!atomic_load(&stopping)) {
		pthread_mutex_unlock(&drain_lock);
		fc_err err = {0};
		int64_t delivered = 0;
		if (drain_lane(lt->s, fc_clock_now(), lt->lane, &delivered, &err))
			fc_log(FC_LOG_ERROR, "outbox%s: %s", lt->lane == FC_OUTBOX_SLOW ? " (media worker)" : "",
			       err.msg);
		fc_err_clear(&err);
		pthread_mutex_lock(&drain_lock);
		struct timespec at;
		clock_gettime(CLOCK_REALTIME, &at);
		at.tv_sec += 1;
		if (!atomic_load(&stopping))
			pthread_cond_timedwait(&drain_wake, &drain_lock, &at);
	}
	pthread_mutex_unlock(&drain_lock);
	return NULL;
}

int fc_outbox_start(fc_store *s)
{
	atomic_store(&stopping, 0);
	int rc = 0;
	for (int i = 0; i < 2; i++) {
		threads[i].s = s;
		if (pthread_create(&threads[i].t, NULL, drain_loop, &threads[i]))
			rc = -1;
		else
			threads[i].running = 1;
	}
	atomic_store(&worker_up, threads[1].running);
	return rc;
}

void fc_outbox_stop(void)
{
	if (!threads[0].running && !threads[1].running)
		return;
	pthread_mutex_lock(&drain_lock);
	atomic_store(&stopping, 1);
	pthread_cond_broadcast(&drain_wake);
	pthread_mutex_unlock(&drain_lock);
	/* a job in flight finishes first (an hour's decode: seconds); one
	 * stopped by a crash instead is claimed again after CLAIM_SLOW_SECONDS */
	for (int i = 0; i < 2; i++)
		if (threads[i].running) {
			pthread_join(threads[i].t, NULL);
			threads[i].running = 0;
		}
	atomic_store(&worker_up, 0);
}
