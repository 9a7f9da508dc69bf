/* audit.h — the audit log of sensitive actions: append-only and
 * hash-chained (table audit_log, migration 0011).
 *
 * Row n stores hash = SHA-256(prev_hash || canonical(row n)), where
 * prev_hash is row n-1's hash (64 zeros for the first row) and canonical()
 * is the row's id, actor, action, target, details and time written with
 * length prefixes (audit.c, row_hash), so no two rows share one encoding.
 * Editing a row, or removing or inserting one before the last, breaks the
 * chain from that row on; triggers refuse UPDATE and DELETE besides.
 * Truncating the tail is not detectable from the chain alone: the newest
 * hash is what to keep elsewhere (a backup, a log line) to detect that. */
#ifndef FC_PRIVACY_AUDIT_H
#define FC_PRIVACY_AUDIT_H

#include "account/account.h"
#include "store/store.h"
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* Inside a write transaction: appends one row. actor 0 is the platform
 * (jobs); target names what was acted on ("project:7"); details may be
 * NULL. Writers are serialised by the store, so the row read as the chain's
 * end is still its end when this one is inserted. */
int fc_audit_append(fc_db *db, int64_t actor, const char *action, const char *target, const json_t *details, fc_err *err);
/* The same in a write transaction of its own (for actions that write
 * nothing else, such as an export). */
int fc_audit_record(fc_store *s, int64_t actor, const char *action, const char *target, const json_t *details,
		    fc_err *err);

/* Walks the chain in one read snapshot. *rows receives the rows checked;
 * *bad_id the first row whose stored hash or prev_hash does not match (0
 * when the chain holds) and why (a sentence) a description of the
 * mismatch. */
int fc_audit_verify(fc_store *s, int64_t *rows, int64_t *bad_id, char *why, size_t why_len, fc_err *err);

/* {items:[{id,actor,action,target,details,at,prev_hash,hash}], next} by id
 * after `after` (for admins: the route checks the role). *out is a new
 * reference. */
int fc_audit_list(fc_store *s, const fc_user *admin, int limit, int64_t after, json_t **out, fc_err *err);

/* `faircrowd audit verify [--data DIR]`: 0 the chain holds, 1 it does not
 * (naming the first broken row) or cannot be read, 2 usage. */
int fc_audit_cli(int argc, char **argv);

#endif
