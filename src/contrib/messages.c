/* Messages between a contributor and a project's owner, pseudonymous both
 * ways: one thread per (contributor, project). See contrib.h. */
#include "contrib/contrib.h"
#include "core/clock.h"
#include "core/json.h"

#include <stdio.h>
#include <string.h>

/* A project the caller may write about: a live, paused or closed project
 * they hold work in (any assignment), or — for the owner — their own. 0 and
 * *owner, or 404 (the same answer for a project that does not exist). */
static int project_of(fc_db *db, int64_t project, int64_t *owner, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err, "SELECT owner_id FROM projects WHERE id=? AND status<>'draft'", "I", project);
	if (rc)
		return rc;
	*owner = 0;
	if (fc_stmt_next(st) == 1)
		*owner = fc_stmt_int(st, 0);
	fc_stmt_done(st);
	return *owner ? 0 : fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such project.");
}

static int check_body(const json_t *body, const char **text, int64_t *thread, fc_err *err)
{
	static const fc_field F[] = {{"body", FC_J_STRING | FC_J_REQUIRED}, {"thread_id", FC_J_INT}, {0}};
	int rc = fc_json_check(body, F, err);
	if (rc)
		return rc;
	*text = fc_json_str(body, "body", "");
	*thread = fc_json_int(body, "thread_id", 0);
	size_t n = strlen(*text), blank = strspn(*text, " \t\r\n");
	if (n == blank)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "body", "Write a message.");
	if (n > FC_MESSAGE_MAX)
		return fc_err_set(err, FC_EINVAL, "too_long", "body", "A message holds at most %d bytes.",
				  FC_MESSAGE_MAX);
	return 0;
}

static json_t *message_row(fc_stmt *st)
{
	return json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)fc_stmt_int(st, 0), "from",
			 fc_stmt_int(st, 1) ? "requester" : "contributor", "body", fc_stmt_text(st, 2), "created_at",
			 fc_stmt_time(st, 3));
}

/* The thread's messages, oldest first (at most FC_THREAD_MAX, the newest). */
static json_t *thread_messages(fc_db *db, int64_t thread)
{
	json_t *items = json_array();
	fc_stmt *st;
	if (fc_db_query(db, &st, NULL,
			"SELECT id, from_owner, body, created_at FROM (SELECT id, from_owner, body, created_at FROM "
			"messages WHERE thread_id=? ORDER BY id DESC LIMIT ?) m ORDER BY id",
			"Ii", thread, (int)FC_THREAD_MAX))
		return items;
	while (fc_stmt_next(st) == 1)
		json_array_append_new(items, message_row(st));
	fc_stmt_done(st);
	return items;
}

static void pseudonym(int64_t thread, char out[32]) { snprintf(out, 32, "Contributor %lld", (long long)thread); }

int fc_message_send(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err)
{
	const char *text;
	int64_t thread = 0, owner;
	int rc = check_body(body, &text, &thread, err);
	if (rc)
		return rc;
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	int64_t now = fc_clock_now();
	if ((rc = project_of(db, project, &owner, err)))
		goto out;
	int from_owner = owner == user->id;
	char title[160];
	if (from_owner) { /* a reply: to a thread of this project */
		int64_t to = 0;
		if (!thread)
			rc = fc_err_set(err, FC_EINVAL, "missing_field", "thread_id",
					"Say which conversation you answer (thread_id).");
		else if (!(rc = fc_db_int(db, &to, err,
					  "SELECT COALESCE(MAX(user_id), 0) FROM message_threads WHERE id=? AND project_id=?",
					  "II", thread, project)) &&
			 !to)
			rc = fc_err_set(err, FC_ENOTFOUND, "not_found", "thread_id", "No such conversation.");
		if (!rc) {
			snprintf(title, sizeof title, "The requester of project %lld answered you", (long long)project);
			char link[64];
			snprintf(link, sizeof link, "/me/messages");
			rc = fc_notify_put(db, to, "message", title, "", link, err);
		}
	} else {
		if (thread)
			rc = fc_err_set(err, FC_EINVAL, "unknown_field", "thread_id",
					"A contributor has one conversation per project; leave out thread_id.");
		int64_t worked = 0;
		if (!rc &&
		    !(rc = fc_db_int(db, &worked, err, "SELECT COUNT(*) FROM assignments WHERE project_id=? AND user_id=?",
				     "II", project, user->id)) &&
		    !worked) /* only people who worked on it: no messages from strangers */
			rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such project.");
		if (!rc)
			rc = fc_db_exec(db, err,
					"INSERT INTO message_threads(project_id,user_id,created_at,updated_at) VALUES(?,?,?,?) "
					"ON CONFLICT(project_id,user_id) DO NOTHING",
					"IIII", project, user->id, now, now);
		if (!rc)
			rc = fc_db_int(db, &thread, err,
				       "SELECT id FROM message_threads WHERE project_id=? AND user_id=?", "II", project,
				       user->id);
		if (!rc) {
			char who[32], link[64];
			pseudonym(thread, who);
			snprintf(title, sizeof title, "%s wrote about project %lld", who, (long long)project);
			snprintf(link, sizeof link, "/projects/%lld/messages", (long long)project);
			rc = fc_notify_put(db, owner, "message", title, "", link, err);
		}
	}
	int64_t count = 0;
	if (!rc &&
	    !(rc = fc_db_int(db, &count, err, "SELECT COUNT(*) FROM messages WHERE thread_id=? AND created_at>?", "II",
			     thread, now - 86400)) &&
	    count >= FC_MESSAGES_PER_DAY)
		rc = fc_err_set(err, FC_ECONFLICT, "rate_limited", NULL,
				"This conversation holds %d messages from the last 24 hours; write again later.",
				FC_MESSAGES_PER_DAY);
	if (!rc)
		rc = fc_db_exec(db, err, "INSERT INTO messages(thread_id,from_owner,body,created_at) VALUES(?,?,?,?)",
				"IitI", thread, from_owner, text, now);
	if (!rc)
		rc = fc_db_exec(db, err, "UPDATE message_threads SET updated_at=? WHERE id=?", "II", now, thread);
	if (!rc)
		*out = json_pack("{s:I,s:I,s:o}", "thread_id", (json_int_t)thread, "project_id", (json_int_t)project,
				 "messages", thread_messages(db, thread));
out:
	return fc_db_end(db, &rc, err);
}

int fc_messages_list(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	int64_t owner = 0;
	if (project && !(rc = project_of(db, project, &owner, err)) && owner != user->id)
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such project.");
	/* the owner's view (project given) names contributors by pseudonym;
	 * the contributor's view holds only their own threads */
	if (!rc &&
	    !(rc = fc_db_query(db, &st, err,
			       "SELECT t.id, t.project_id, p.title, t.updated_at FROM message_threads t JOIN projects p "
			       "ON p.id=t.project_id WHERE (?=0 AND t.user_id=?) OR (?<>0 AND t.project_id=?) "
			       "ORDER BY t.updated_at DESC, t.id DESC LIMIT 100",
			       "IIII", project, user->id, project, project))) {
		json_t *items = json_array();
		while (fc_stmt_next(st) == 1) {
			int64_t id = fc_stmt_int(st, 0);
			json_t *t = json_pack("{s:I,s:I,s:s,s:o}", "id", (json_int_t)id, "project_id",
					      (json_int_t)fc_stmt_int(st, 1), "project_title", fc_stmt_text(st, 2),
					      "updated_at", fc_stmt_time(st, 3));
			if (project) {
				char who[32];
				pseudonym(id, who);
				json_object_set_new(t, "contributor", json_string(who));
			}
			json_array_append_new(items, t);
		}
		fc_stmt_done(st);
		/* each thread's messages, once the list's statement is done */
		size_t i;
		json_t *t;
		json_array_foreach(items, i, t)
			json_object_set_new(t, "messages", thread_messages(db, fc_json_int(t, "id", 0)));
		*out = json_pack("{s:o}", "items", items);
	}
	fc_db_rollback(db);
	return rc;
}
