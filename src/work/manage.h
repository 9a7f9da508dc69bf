/* manage.h — the requester's workbench: the data manager's task query
 * (filters, sorts, keyset pages, kept counters), deleting tasks nobody
 * worked on, the submissions list, bulk review and project members. */
#ifndef FC_WORK_MANAGE_H
#define FC_WORK_MANAGE_H

#include "account/account.h"
#include "store/store.h"

/* The data manager's query, as the request's raw strings (NULL = unset);
 * fc_task_query checks each and answers 400 naming the bad one. */
typedef struct fc_task_filter {
	const char *state;           /* open | done */
	const char *has_results;     /* true | false */
	const char *gold;            /* true | false */
	const char *agreement_below; /* a number in (0,1]: tasks whose agreement is lower */
	const char *contributor;     /* a user id: tasks they submitted */
	const char *q;               /* words the task's data holds (full-text, store.h) */
	const char *sort;            /* id (default) | -id | priority | -priority | results | -results */
	const char *after;           /* the cursor of the previous page */
	const char *limit;           /* 1..1000, default 50 */
	const char *results;         /* false: leave each task's results out */
} fc_task_filter;

/* A page {items:[task + results:[…]], next, counts (first page only)}.
 * Cost is the page's, not the project's: every filter walks an index in
 * the sort's order and stops after limit rows; counts are one kept row. */
int fc_task_query(fc_store *s, const fc_user *user, int64_t project, const fc_task_filter *f, json_t **out, fc_err *err);
/* Deletes a task nobody submitted to (owner): 409 has_submissions or
 * task_leased otherwise. */
int fc_task_delete(fc_store *s, const fc_user *user, int64_t task, fc_err *err);
/* body {action:"delete"|"priority", ids:[…], priority?} → {done:N,
 * failed:[{id, code, message}]}: each task on its own, in one transaction. */
int fc_task_bulk(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err);

/* GET /projects/{id}/submissions: status, contributor, task filters
 * (raw strings, NULL = unset), keyset by id. */
int fc_submission_query(fc_store *s, const fc_user *user, int64_t project, const char *status, const char *contributor,
			const char *task, int limit, int64_t after, json_t **out, fc_err *err);
/* body {ids:[…]} (at most FC_BULK_MAX): accepts every pending one in one
 * transaction → {accepted:N, unchanged:M, failed:[{id, code, message}]}.
 * Accepting an accepted submission changes nothing (unchanged). */
#define FC_BULK_MAX 10000
int fc_submission_bulk_accept(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out,
			      fc_err *err);
/* body {items:[{id, reason_code, message}]}: each rejected on its own
 * → {rejected:N, failed:[{id, code, message}]}. */
int fc_submission_bulk_reject(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out,
			      fc_err *err);

/* Members: list (team), add by user_id or email (owner), remove (owner;
 * never the project's creator). */
int fc_members_list(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err);
int fc_members_add(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err);
int fc_members_remove(fc_store *s, const fc_user *user, int64_t project, int64_t member, fc_err *err);

/* Shared by the bulk actions: checks ids (a non-empty list of at most
 * FC_BULK_MAX positive ints); renders one failed item {id, code, message}
 * and clears e. */
int fc_manage_ids(const json_t *ids, fc_err *err);
json_t *fc_manage_failure(int64_t id, fc_err *e);
/* Runs fn on each of ids in one write transaction after checking the
 * user's access: fn returns 0 (counts[0]++), 1 (counts[1]++: nothing to
 * do), FC_ENOTFOUND/FC_ECONFLICT/FC_EPERM (that id goes into *failed, a
 * new array), or another error, which rolls the whole batch back. */
typedef int (*fc_manage_fn)(fc_db *db, const fc_user *user, int64_t project, int64_t id, void *ctx, fc_err *e);
int fc_manage_each(fc_store *s, const fc_user *user, int64_t project, int min_access, const char *refusal,
		   const json_t *ids, fc_manage_fn fn, void *ctx, int64_t counts[2], json_t **failed, fc_err *err);

#endif
