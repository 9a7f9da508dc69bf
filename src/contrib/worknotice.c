/* Notices of new work: a project that goes live (or gets new tasks while
 * live) is announced to the contributors it is open to, once each, in the
 * app and by email with a rate limit. See contrib.h. */
#include "account/profile.h"
#include "contrib/contrib.h"
#include "core/clock.h"
#include "core/json.h"
#include "events/events.h"
#include "events/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 256 /* contributors looked at per write transaction */

static int on_new_work(fc_db *db, fc_event *ev, fc_err *err)
{
	if (ev->kind == FC_EV_TASKS_CREATED) { /* only a live project's new tasks are new work */
		int64_t live = 0;
		int rc = fc_db_int(db, &live, err, "SELECT COUNT(*) FROM projects WHERE id=? AND status='live'", "I",
				   ev->project);
		if (rc || !live)
			return rc;
	}
	return fc_db_exec(db, err,
			  "INSERT INTO new_work(project_id,since) VALUES(?,?) ON CONFLICT(project_id) DO UPDATE SET "
			  "since=excluded.since",
			  "II", ev->project, fc_clock_now());
}

typedef struct project_facts {
	int64_t id, owner, reward;
	char title[128], currency[8];
	json_t *eligibility;
} project_facts;

typedef struct candidate {
	int64_t id;
	char email[256], name[128];
} candidate;

/* The rate limit: whether user was emailed about new work in the last
 * FC_NEW_WORK_EMAIL_HOURS. */
static int emailed_lately(fc_db *db, int64_t user, int64_t now)
{
	int64_t n = 0;
	if (fc_db_int(db, &n, NULL, "SELECT COUNT(*) FROM work_notices WHERE user_id=? AND emailed=1 AND created_at>?",
		      "II", user, now - (int64_t)FC_NEW_WORK_EMAIL_HOURS * 3600))
		return 1; /* unreadable: do not risk a second mail */
	return n > 0;
}

static int notice_one(fc_db *db, const project_facts *p, const candidate *c, int64_t now, int *sent, fc_err *err)
{
	fc_err e2 = {0};
	if (fc_account_eligible(db, c->id, p->eligibility, &e2)) {
		if (e2.code != FC_EPERM) {
			*err = e2;
			return e2.code;
		}
		/* not eligible: told nothing, and marked (-1) so the job does not
		 * look at them again for this project every run for a week */
		return fc_db_exec(db, err,
				  "INSERT INTO work_notices(user_id,project_id,emailed,created_at) VALUES(?,?,-1,?) "
				  "ON CONFLICT DO NOTHING",
				  "III", c->id, p->id, now);
	}
	if (fc_prefs_quiet(db, c->id, now))
		return 0; /* their quiet hours: the next run after them sends it */
	int in_app = fc_prefs_wants(db, c->id, "in_app", "new_work");
	int email = fc_email_configured() && fc_prefs_wants(db, c->id, "email", "new_work") &&
		    !emailed_lately(db, c->id, now);
	int rc = fc_db_exec(db, err,
			    "INSERT INTO work_notices(user_id,project_id,emailed,created_at) VALUES(?,?,?,?) "
			    "ON CONFLICT DO NOTHING",
			    "IIiI", c->id, p->id, email, now);
	if (rc || !fc_db_changes(db))
		return rc; /* another server noticed them first */
	char title[200], link[64], body[1024];
	snprintf(title, sizeof title, "New work for you: \"%s\"", p->title);
	snprintf(link, sizeof link, "/work/%lld", (long long)p->id);
	snprintf(body, sizeof body, "%lld.%02lld %s per task.", (long long)(p->reward / 100),
		 (long long)(p->reward % 100), p->currency);
	if (in_app && (rc = fc_notify_put(db, c->id, "new_work", title, body, link, err)))
		return rc;
	if (email) {
		char mail[2048];
		snprintf(mail, sizeof mail,
			 "Hello %s,\n\nthe project \"%s\" is open to you: %s\nOpen it from \"Find work\" (%s).\n\n"
			 "You get at most one mail about new work every %d hours; the rest appear in the app.\n\n-- \n"
			 "faircrowd\nTurn these mails off in your profile (\"Limits and notifications\", new work).\n",
			 c->name, p->title, body, link, FC_NEW_WORK_EMAIL_HOURS);
		if ((rc = fc_email_queue(db, c->id, p->id, "new_work", c->email, title, mail, "new_work", err)))
			return rc;
	}
	*sent += 1;
	return 0;
}

/* One page of contributors (ids after *after) for project p: returns the
 * number looked at (0: done). */
static int notice_page(fc_store *s, const project_facts *p, int64_t now, int64_t *after, int *looked, int *sent,
		       fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	candidate *c = calloc(PAGE, sizeof *c);
	int n = 0;
	fc_stmt *st;
	rc = c ? fc_db_query(db, &st, err,
			     "SELECT u.id, u.email, u.display_name FROM users u WHERE u.id>? AND (u.roles & 4)<>0 AND "
			     "u.disabled_at IS NULL AND u.id<>? AND NOT EXISTS (SELECT 1 FROM work_notices w WHERE "
			     "w.user_id=u.id AND w.project_id=?) AND NOT EXISTS (SELECT 1 FROM project_members m WHERE "
			     "m.project_id=? AND m.user_id=u.id) AND NOT EXISTS (SELECT 1 FROM contributor_pauses cp WHERE "
			     "cp.project_id=? AND cp.user_id=u.id AND cp.lifted_at IS NULL) ORDER BY u.id LIMIT ?",
			     "IIIIIi", *after, p->owner, p->id, p->id, p->id, (int)PAGE)
	       : fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	if (!rc) {
		while (n < PAGE && fc_stmt_next(st) == 1) {
			c[n].id = fc_stmt_int(st, 0);
			snprintf(c[n].email, sizeof c[n].email, "%s", fc_stmt_text(st, 1));
			snprintf(c[n].name, sizeof c[n].name, "%s", fc_stmt_text(st, 2));
			n++;
		}
		fc_stmt_done(st);
	}
	for (int i = 0; !rc && i < n; i++)
		rc = notice_one(db, p, &c[i], now, sent, err);
	if (n)
		*after = c[n - 1].id;
	*looked = n;
	free(c);
	return fc_db_end(db, &rc, err);
}

static int load_project(fc_store *s, int64_t after, int64_t now, project_facts *p, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	p->id = 0;
	if (!(rc = fc_db_query(db, &st, err,
			       "SELECT p.id, p.owner_id, p.reward, p.currency, p.title, p.eligibility FROM new_work n "
			       "JOIN projects p ON p.id=n.project_id WHERE n.project_id>? AND n.since>? AND "
			       "p.status='live' ORDER BY n.project_id LIMIT 1",
			       "II", after, now - (int64_t)FC_NEW_WORK_DAYS * 86400))) {
		if (fc_stmt_next(st) == 1) {
			p->id = fc_stmt_int(st, 0);
			p->owner = fc_stmt_int(st, 1);
			p->reward = fc_stmt_int(st, 2);
			snprintf(p->currency, sizeof p->currency, "%s", fc_stmt_text(st, 3));
			snprintf(p->title, sizeof p->title, "%.120s", fc_stmt_text(st, 4));
			for (char *q = p->title; *q; q++)
				if ((unsigned char)*q < ' ')
					*q = ' ';
			p->eligibility = fc_stmt_json(st, 5);
		}
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	return rc;
}

static int64_t next_run; /* the job's own cadence, in fc_clock_now() time */

static int notice_job(fc_store *s, int64_t now, fc_jobs_report *rep, fc_err *err)
{
	(void)rep;
	if (now < next_run && next_run - now <= FC_NEW_WORK_EVERY)
		return 0; /* (a test clock set backwards runs it at once) */
	next_run = now + FC_NEW_WORK_EVERY;
	int64_t last_project = 0;
	for (;;) {
		project_facts p = {0};
		int rc = load_project(s, last_project, now, &p, err);
		if (rc || !p.id)
			return rc;
		last_project = p.id;
		int64_t after = 0;
		int looked = 0, sent = 0;
		do
			rc = notice_page(s, &p, now, &after, &looked, &sent, err);
		while (!rc && looked == PAGE);
		json_decref(p.eligibility);
		if (rc)
			return rc;
	}
}

void fc_worknotice_subscribe(void)
{
	fc_events_on(FC_EV_PROJECT_PUBLISHED, "contrib: new work to announce", on_new_work);
	fc_events_on(FC_EV_TASKS_CREATED, "contrib: new work to announce", on_new_work);
	fc_jobs_register("new-work notices", notice_job);
}
