/* The contributor's work queue: the leases they hold now. See assign.h. */
#include "core/clock.h"
#include "work/assign.h"

#include <stdlib.h>

static json_t *held_row(fc_stmt *st)
{
	int64_t left = fc_stmt_int(st, 5) - fc_clock_now();
	return json_pack("{s:I,s:I,s:s,s:{s:I,s:o,s:o},s:o,s:o,s:I,s:I,s:s}", "id", (json_int_t)fc_stmt_int(st, 0),
			 "project_id", (json_int_t)fc_stmt_int(st, 1), "project_title", fc_stmt_text(st, 7), "task",
			 "id", (json_int_t)fc_stmt_int(st, 2), "data", fc_stmt_json(st, 3), "predictions",
			 fc_stmt_isnull(st, 4) ? json_array() : fc_stmt_json(st, 4), "leased_at", fc_stmt_time(st, 6),
			 "expires_at", fc_stmt_time(st, 5), "seconds_left", (json_int_t)(left > 0 ? left : 0), "reward",
			 (json_int_t)fc_stmt_int(st, 8), "currency", fc_stmt_text(st, 9));
}

int fc_assign_held(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	/* a lease past its expiry is not held, even before the expiry job
	 * has marked it: it can no longer be submitted */
	if (!(rc = fc_db_query(db, &st, err,
			       "SELECT a.id, a.project_id, a.task_id, t.data, t.predictions, a.expires_at, a.leased_at, "
			       "p.title, p.reward, p.currency, "
			       "(SELECT m.interactive FROM ml_backends m WHERE m.project_id=a.project_id) "
			       "FROM assignments a JOIN tasks t ON t.id=a.task_id "
			       "JOIN projects p ON p.id=a.project_id WHERE a.user_id=? AND a.status='leased' AND "
			       "a.expires_at>? AND (?=0 OR a.project_id=?) ORDER BY a.expires_at, a.id LIMIT 200",
			       "IIII", user->id, fc_clock_now(), project, project))) {
		json_t *items = json_array(), *tasks = json_array(), *ids = json_array();
		while (fc_stmt_next(st) == 1) {
			json_t *row = held_row(st), *task = json_object_get(row, "task");
			if (!fc_stmt_isnull(st, 10) && fc_stmt_int(st, 10)) /* as in a lease: the Smart tool */
				json_object_set_new(row, "ml_interactive", json_true());
			json_array_append(tasks, task);
			json_array_append_new(ids, json_integer(fc_stmt_int(st, 2)));
			json_array_append_new(items, row);
		}
		fc_stmt_done(st);
		/* the model's predictions for all of them in one query */
		char *text = json_dumps(ids, JSON_COMPACT);
		rc = text ? fc_assign_predictions_page(db, tasks, text, err)
			  : fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
		free(text);
		json_decref(ids);
		json_decref(tasks);
		if (!rc)
			*out = json_pack("{s:o}", "items", items);
		else
			json_decref(items);
	}
	fc_db_rollback(db);
	return rc;
}
