/* Project access: owner, member roles, visibility. See access.h. */
#include "access/access.h"

#include <string.h>

int fc_project_access_of(const fc_user *user, int64_t owner_id, const char *status, const char *role)
{
	if (owner_id == user->id || (user->roles & FC_ROLE_ADMIN) || (role && !strcmp(role, "owner")))
		return FC_ACCESS_OWNER;
	if (role && !strcmp(role, "reviewer"))
		return FC_ACCESS_REVIEWER;
	if (!strcmp(status, "live") || !strcmp(status, "paused"))
		return FC_ACCESS_CONTRIBUTOR;
	return FC_ACCESS_NONE;
}

int fc_project_access(fc_db *db, const fc_user *user, int64_t id, int *access, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT p.owner_id, p.status, m.role FROM projects p LEFT JOIN project_members m "
			     "ON m.project_id=p.id AND m.user_id=? WHERE p.id=?",
			     "II", user->id, id);
	if (rc)
		return rc;
	*access = FC_ACCESS_NONE;
	if (fc_stmt_next(st) == 1)
		*access = fc_project_access_of(user, fc_stmt_int(st, 0), fc_stmt_text(st, 1), fc_stmt_text(st, 2));
	fc_stmt_done(st);
	if (*access == FC_ACCESS_NONE)
		return fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such project.");
	return 0;
}

int fc_project_require(fc_db *db, const fc_user *user, int64_t id, int min_access, const char *message, fc_err *err)
{
	int access;
	int rc = fc_project_access(db, user, id, &access, err);
	if (!rc && access < min_access)
		rc = fc_err_set(err, FC_EPERM, "forbidden", NULL, "%s", message);
	return rc;
}
