/* stored.c — see stored.h. */
#include "access/stored.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "/api/v1/<kind>/<id>" exactly → id, else 0. */
static int64_t url_id(const char *url, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(url, prefix, n) || !url[n])
		return 0;
	char *end;
	long long id = strtoll(url + n, &end, 10);
	return *end || id <= 0 ? 0 : (int64_t)id;
}

int fc_stored_url(const char *url) { return url && (url_id(url, "/api/v1/media/") || url_id(url, "/api/v1/files/")); }

int fc_stored_url_blob(fc_db *db, int64_t project, const char *url, char sha[65], int64_t *bytes)
{
	int64_t id;
	fc_stmt *st;
	int rc;
	if (!url)
		return -1;
	if ((id = url_id(url, "/api/v1/media/")))
		rc = fc_db_query(db, &st, NULL,
				 "SELECT m.sha256, m.bytes FROM media m JOIN projects a ON a.id=m.project_id JOIN projects b "
				 "ON b.owner_id=a.owner_id WHERE m.id=? AND b.id=? AND m.erased_at IS NULL",
				 "II", id, project);
	else if ((id = url_id(url, "/api/v1/files/")))
		rc = fc_db_query(db, &st, NULL, "SELECT sha256, bytes FROM task_files WHERE id=? AND project_id=?",
				 "II", id, project);
	else
		return -1;
	if (rc)
		return -1;
	int found = fc_stmt_next(st) == 1;
	if (found) {
		snprintf(sha, 65, "%s", fc_stmt_text(st, 0));
		*bytes = fc_stmt_int(st, 1);
	}
	fc_stmt_done(st);
	return found ? 0 : -1;
}

int fc_stored_url_duration(fc_db *db, int64_t project, const char *url, double *seconds)
{
	int64_t id;
	fc_stmt *st;
	if (!url || !(id = url_id(url, "/api/v1/media/")))
		return -1;
	if (fc_db_query(db, &st, NULL,
			"SELECT m.probe FROM media m JOIN projects a ON a.id=m.project_id JOIN projects b "
			"ON b.owner_id=a.owner_id WHERE m.id=? AND b.id=? AND m.erased_at IS NULL",
			"II", id, project))
		return -1;
	json_t *probe = fc_stmt_next(st) == 1 ? fc_stmt_json(st, 0) : NULL;
	fc_stmt_done(st);
	const json_t *d = json_object_get(probe, "duration_seconds");
	int ok = json_is_number(d) && json_number_value(d) > 0;
	if (ok)
		*seconds = json_number_value(d);
	json_decref(probe);
	return ok ? 0 : -1;
}
