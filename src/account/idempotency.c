#include "account/idempotency.h"
#include "core/clock.h"

#include <stdlib.h>
#include <string.h>

int fc_idem_lookup(fc_store *s, int64_t user_id, const char *key, const char *request_hash, int *status, char **body,
		   fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	rc = fc_db_query(db, &st, err, "SELECT request_hash,status,body FROM idempotency WHERE user_id=? AND key=?",
			 "It", user_id, key);
	if (rc)
		goto out;
	if (fc_stmt_next(st) != 1) {
		rc = FC_ENOTFOUND;
	} else if (strcmp(fc_stmt_text(st, 0), request_hash)) {
		rc = fc_err_set(err, FC_ERULE, "idempotency_key_reused", "Idempotency-Key",
				"This Idempotency-Key was already used for a different request.");
	} else {
		*status = (int)fc_stmt_int(st, 1);
		*body = strdup(fc_stmt_text(st, 2));
		if (!*body)
			rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	}
	fc_stmt_done(st);
out:
	fc_db_rollback(db);
	return rc;
}

int fc_idem_save(fc_store *s, int64_t user_id, const char *key, const char *route, const char *request_hash, int status,
		 const char *body, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	rc = fc_db_exec(db, err,
			"INSERT INTO idempotency(user_id,key,route,request_hash,status,body,created_at) "
			"VALUES(?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
			"ItttitI", user_id, key, route, request_hash, status, body, fc_clock_now());
	return fc_db_end(db, &rc, err);
}

static _Thread_local struct {
	int armed;
	int64_t user;
	const char *key, *route, *hash;
} ctx;

void fc_idem_arm(int64_t user_id, const char *key, const char *route, const char *request_hash)
{
	ctx.armed = 1;
	ctx.user = user_id;
	ctx.key = key;
	ctx.route = route;
	ctx.hash = request_hash;
}

void fc_idem_disarm(void) { ctx.armed = 0; }

int fc_idem_record(fc_db *db, int status, const json_t *body, fc_err *err)
{
	if (!ctx.armed)
		return 0;
	char *txt = json_dumps(body, JSON_COMPACT);
	if (!txt)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	int rc = fc_db_exec(db, err,
			    "INSERT INTO idempotency(user_id,key,route,request_hash,status,body,created_at) "
			    "VALUES(?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
			    "ItttitI", ctx.user, ctx.key, ctx.route, ctx.hash, status, txt, fc_clock_now());
	free(txt);
	return rc;
}
