/* privacy.h — the privacy module's start-up and its reactions to the domain
 * events: every sensitive event becomes an audit row (audit.h), and a
 * withdrawal of consent queues the erasure of the contributor's media bytes
 * as outbox items of the sink `erasure`, so the deletion survives a crash
 * and is retried while the blob store (S3) is unreachable. */
#ifndef FC_PRIVACY_PRIVACY_H
#define FC_PRIVACY_PRIVACY_H

#include "account/account.h"
#include "store/store.h"
#include <sys/types.h>

/* Subscribes the audit and erasure handlers and registers the `erasure`
 * outbox sink (wiring.c, once, before any thread publishes). */
void fc_privacy_subscribe(void);

/* The data folder whose blob store the erasure sink deletes from (the
 * server and the CLI set it once they know it; until then erasure items
 * wait and are retried). Copied. */
void fc_privacy_set_data_dir(const char *dir);

/* GET /me/data: a zip of everything held about user — profile.json,
 * consents.json, trust.json (identity documents' status, blocks and
 * appeals), submissions.jsonl (erased ones too, marked: the rows are
 * kept for the ledger), ledger.jsonl (the lines of the user's own accounts)
 * and media/ID.EXT (their files not yet erased) — and nobody else's.
 * Streamed: one read snapshot, rows and file bytes written as the reader
 * asks, so memory does not grow with the user's history. */
typedef struct fc_mydata fc_mydata;
int fc_mydata_open(fc_store *s, const char *data_dir, const fc_user *user, fc_mydata **out, fc_err *err);
/* Bytes into buf, 0 at the end, -1 on failure (the response is cut short). */
ssize_t fc_mydata_read(fc_mydata *x, char *buf, size_t max);
void fc_mydata_close(fc_mydata *x);

#endif
