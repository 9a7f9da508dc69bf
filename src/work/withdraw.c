/* Withdrawal of consent. See withdraw.h. */
#include "work/withdraw.h"
#include "access/access.h"
#include "core/clock.h"
#include "events/events.h"

int fc_withdrawn_refuse(fc_db *db, int64_t user_id, int64_t project_id, const char *code, const char *message, fc_err *err)
{
	int64_t one;
	if (fc_db_int(db, &one, NULL, "SELECT 1 FROM withdrawals WHERE user_id=? AND project_id=?", "II", user_id,
		      project_id))
		return 0;
	return fc_err_set(err, FC_ECONFLICT, code, NULL, "%s", message);
}

int fc_consent_withdraw(fc_store *s, const fc_user *user, int64_t project_id, json_t **out, fc_err *err)
{
	fc_db *db;
	int access, rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	int64_t involved = 0;
	if ((rc = fc_db_int(db, &involved, err,
			    "SELECT EXISTS(SELECT 1 FROM consents WHERE user_id=? AND project_id=?) OR "
			    "EXISTS(SELECT 1 FROM assignments WHERE user_id=? AND project_id=?)",
			    "IIII", user->id, project_id, user->id, project_id)))
		goto out;
	/* a contributor may leave a project they can no longer see (closed):
	 * having taken part is enough; anyone else learns no more than a 404 */
	if (!involved && (rc = fc_project_access(db, user, project_id, &access, err)))
		goto out;
	if ((rc = fc_withdrawn_refuse(db, user->id, project_id, "already_withdrawn",
				      "You already withdrew your consent for this project; your data was erased then.",
				      err)))
		goto out;
	if (!involved) {
		rc = fc_err_set(err, FC_ECONFLICT, "nothing_to_withdraw", NULL,
				"You have not consented to or worked on this project: there is nothing to withdraw.");
		goto out;
	}
	int64_t now = fc_clock_now(), released, subs, media;
	/* a lease given back keeps the task's counters exact, as a release does */
	if ((rc = fc_db_exec(db, err,
			     "UPDATE tasks SET leased_count=leased_count-1, open=CASE WHEN leased_count-1+submitted_count<"
			     "COALESCE(target_overlap,(SELECT overlap FROM projects WHERE id=?)) THEN 1 ELSE 0 END WHERE id IN "
			     "(SELECT task_id FROM assignments WHERE user_id=? AND project_id=? AND status='leased')",
			     "III", project_id, user->id, project_id)) ||
	    (rc = fc_db_exec(db, err,
			     "UPDATE assignments SET status='released' WHERE user_id=? AND project_id=? AND status='leased'",
			     "II", user->id, project_id)))
		goto out;
	released = fc_db_changes(db);
	if ((rc = fc_db_exec(db, err, "INSERT INTO withdrawals(user_id,project_id,at) VALUES(?,?,?)", "III", user->id,
			     project_id, now)) ||
	    (rc = fc_db_exec(db, err,
			     "UPDATE consents SET withdrawn_at=? WHERE user_id=? AND project_id=? AND withdrawn_at IS NULL",
			     "III", now, user->id, project_id)) ||
	    (rc = fc_db_exec(db, err, "UPDATE submissions SET erased_at=? WHERE user_id=? AND project_id=?", "III", now,
			     user->id, project_id)))
		goto out;
	subs = fc_db_changes(db);
	if ((rc = fc_db_exec(db, err, "UPDATE media SET erased_at=? WHERE user_id=? AND project_id=?", "III", now,
			     user->id, project_id)))
		goto out;
	media = fc_db_changes(db);
	if ((rc = fc_db_exec(db, err,
			     "DELETE FROM media_peaks WHERE media_id IN (SELECT id FROM media WHERE user_id=? AND "
			     "project_id=?)",
			     "II", user->id, project_id)))
		goto out;
	fc_event ev = {.kind = FC_EV_WITHDRAWN, .project = project_id, .user = user->id, .actor = user->id, .count = subs};
	if ((rc = fc_events_publish(db, &ev, err)))
		goto out;
	char ts[32];
	if (!(*out = json_pack("{s:I,s:s,s:I,s:I,s:I}", "project_id", (json_int_t)project_id, "withdrawn_at",
			       fc_clock_format(now, ts, sizeof ts), "submissions_erased", (json_int_t)subs,
			       "media_erased", (json_int_t)media, "leases_released", (json_int_t)released)))
		rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
out:
	return fc_db_end(db, &rc, err);
}
