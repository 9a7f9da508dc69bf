/* webhooks.h — a project's webhooks: events delivered to the requester's
 * URL from the durable outbox (events/outbox.h), at least once, retried
 * with backoff for 24 hours, across restarts.
 *
 * Actions: TASKS_CREATED, ANNOTATION_CREATED (a submission),
 * SUBMISSION_ACCEPTED, SUBMISSION_REJECTED, PROJECT_PUBLISHED, EXPORT_DONE.
 * Body: {"action", "project":{"id"}, "task"?:{"id"}, "annotation"?:{…},
 * "tasks_created"?, "export"?:{id, format, rows, bytes, sha256, download_url},
 * "sent_at"}; headers X-Faircrowd-Event (the action),
 * X-Faircrowd-Delivery (the outbox id: the same on a redelivery, so a
 * receiver can drop duplicates) and X-Faircrowd-Signature:
 * sha256=<hex HMAC-SHA256 of the raw body keyed with the secret>. */
#ifndef FC_WEBHOOKS_WEBHOOKS_H
#define FC_WEBHOOKS_WEBHOOKS_H

#include "account/account.h"
#include "store/store.h"
#include <jansson.h>

/* POST /projects/{id}/webhooks {url, events:[…], secret} (owner) → the
 * webhook without its secret. 400 naming the field for a URL that is not
 * http(s), an unknown or repeated event, an empty secret. */
int fc_webhook_create(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err);
/* GET /projects/{id}/webhooks (owner): {items:[{id, url, events, created_at,
 * pending, delivered, failed, last_status, last_error, last_attempt_at}]}. */
int fc_webhook_list(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err);
/* DELETE /projects/{id}/webhooks/{wid} (owner): stops it; its undelivered
 * items are given up. */
int fc_webhook_delete(fc_store *s, const fc_user *user, int64_t project, int64_t webhook, fc_err *err);
/* GET /projects/{id}/webhooks/{wid}/deliveries (owner): the latest 50
 * deliveries {items:[{id, action, created_at, attempts, state, next_at,
 * delivered_at, last_status, last_error}]}. */
int fc_webhook_deliveries(fc_store *s, const fc_user *user, int64_t project, int64_t webhook, json_t **out, fc_err *err);

/* POST /projects/{id}/webhooks/{wid}/test (owner) → 202 {id, action:
 * "PING", state: "pending"}: queues a signed test event {"action":"PING",
 * "project":{id}, "webhook":{id}, "test":true, "sent_at"} through the same
 * outbox, so it shows in the delivery log like any other. */
int fc_webhook_test(fc_store *s, const fc_user *user, int64_t project, int64_t webhook, json_t **out, fc_err *err);

/* HMAC-SHA256 of body keyed with secret as "sha256=<64 hex>" into out
 * (at least 72 bytes). */
void fc_webhook_signature(const char *secret, const char *body, size_t len, char *out);

/* Start-up wiring: subscribes to the domain events (queueing outbox items
 * for the webhooks that asked) and registers the outbox deliverer. */
void fc_webhooks_subscribe(void);

#endif
