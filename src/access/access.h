/* access.h — who may do what with a project: the one read-only lookup that
 * work/, money/, quality/ and formats/ share. It sits below them all so
 * that none of them needs another's header for it. */
#ifndef FC_ACCESS_ACCESS_H
#define FC_ACCESS_ACCESS_H

#include "account/account.h"
#include "store/store.h"

/* What a user may do with a project. */
enum {
	FC_ACCESS_NONE = 0,        /* invisible: answer 404 */
	FC_ACCESS_CONTRIBUTOR = 1, /* a live project a contributor can see */
	FC_ACCESS_REVIEWER = 2,
	FC_ACCESS_OWNER = 3, /* owner, owner member or admin */
};

/* Resolves the user's access to project_id inside an open transaction.
 * FC_ENOTFOUND when the project does not exist or is invisible to user. */
int fc_project_access(fc_db *db, const fc_user *user, int64_t project_id, int *access, fc_err *err);

/* The same decision from a project row the caller read itself (owner_id,
 * status, and the user's project_members role or NULL): a transaction that
 * reads the project anyway saves a statement (work/assign.c's lease). */
int fc_project_access_of(const fc_user *user, int64_t owner_id, const char *status, const char *role);

/* fc_project_access, then FC_EPERM "forbidden" with `message` unless the
 * user's access is at least min_access. */
int fc_project_require(fc_db *db, const fc_user *user, int64_t project_id, int min_access, const char *message,
		       fc_err *err);

#endif
