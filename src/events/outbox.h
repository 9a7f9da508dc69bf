/* outbox.h — the durable outbox: the one way faircrowd tells the outside
 * world (webhooks today; email notifications and S3 erasure next).
 *
 * A subscriber calls fc_outbox_put inside the event's write transaction,
 * so an item exists exactly when the event's writes do (rolled back with
 * them, surviving kill -9 with them). The outbox job (fc_outbox_drain)
 * hands due items to the deliverer registered for their sink, outside any
 * transaction, and then marks them delivered or schedules a retry:
 * 10 s, 20 s, 40 s, … capped at one hour, for 24 hours, then gives up.
 * Delivery is at least once: an item delivered just before a crash, or
 * whose answer was lost, is delivered again. Items are claimed before
 * delivery by pushing next_at ahead, so two drainers (threads or servers)
 * do not deliver the same item at the same time. */
#ifndef FC_EVENTS_OUTBOX_H
#define FC_EVENTS_OUTBOX_H

#include "store/store.h"

typedef struct fc_outbox_item {
	int64_t id, target, project, created_at;
	int attempts; /* including this one */
	const char *sink, *action, *payload;
} fc_outbox_item;

/* Delivers one item (s: to read what the item refers to). Returns 0 when
 * the receiver took it; otherwise fills error (a short reason for the
 * requester to read). *status receives a sink-specific status (the HTTP
 * status; 0 when there was none). */
typedef int (*fc_outbox_deliver_fn)(fc_store *s, const fc_outbox_item *item, int *status, char *error, size_t error_len);

/* Registers the deliverer of sink (at start-up). Returns 0; a full table
 * aborts at start-up. */
int fc_outbox_sink(const char *sink, fc_outbox_deliver_fn fn);

/* The same for a sink of slow work (decoding media, running models): its
 * items are drained by the media worker, a thread of their own, and never
 * by the delivery thread or the jobs tick, so an hour's decode does not
 * delay a webhook. They are claimed like every item (FOR UPDATE SKIP
 * LOCKED, next_at pushed ahead), so with many servers on one database one
 * server runs a given job, but for 10 minutes rather than 60 s: a claim
 * must outlast the longest decode. At most 4 such sinks. */
int fc_outbox_sink_slow(const char *sink, fc_outbox_deliver_fn fn);

/* Inside a write transaction: queues payload for delivery to (sink,
 * target) now; project 0 for an item of no project (a password reset). */
int fc_outbox_put(fc_db *db, const char *sink, int64_t target, int64_t project, const char *action, const char *payload,
		  fc_err *err);

/* The two lanes of the outbox: deliveries and slow work. */
enum { FC_OUTBOX_FAST = 0, FC_OUTBOX_SLOW = 1 };

/* Delivers up to max due items (next_at <= now) of lane; *delivered +=
 * those taken. The fast lane runs as a job (events/jobs.h) and in
 * fc_outbox_start's delivery thread; the slow lane in its media worker
 * (and in the job only while that worker is not running). */
int fc_outbox_drain(fc_store *s, int64_t now, int max, int lane, int64_t *delivered, fc_err *err);

/* The seconds to wait after the attempts-th failed attempt. */
int64_t fc_outbox_backoff(int attempts);

/* Drains every second in two threads of their own, the delivery thread
 * and the media worker (one per lane), so a slow receiver never delays the
 * other jobs and slow work never delays a delivery; fc_outbox_stop joins
 * them (after the job each is running). */
int fc_outbox_start(fc_store *s);
void fc_outbox_stop(void);

/* Since start: items delivered, attempts that failed (to be retried) and
 * items given up on (for /metrics). */
void fc_outbox_counts(uint64_t *delivered, uint64_t *retried, uint64_t *given_up);

/* Registers the outbox job (call from the start-up wiring). */
void fc_outbox_subscribe(void);

#endif
