/* The hash-chained audit log. See audit.h. */
#include "privacy/audit.h"
#include "core/clock.h"
#include "core/crypto.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char GENESIS[] = "0000000000000000000000000000000000000000000000000000000000000000";

static void put_field(fc_sha256 *h, const char *s)
{
	/* a length prefix keeps "a|b" + "c" apart from "a" + "b|c" */
	char len[32];
	int n = snprintf(len, sizeof len, "%zu:", strlen(s));
	fc_sha256_update(h, len, (size_t)n);
	fc_sha256_update(h, s, strlen(s));
	fc_sha256_update(h, "\n", 1);
}

/* SHA-256(prev || canonical row) as 64 hex digits. actor < 0 stands for
 * NULL (the platform). 0, or FC_ENOMEM. */
static int row_hash(const char *prev, int64_t id, int64_t actor, const char *action, const char *target,
		    const char *details, int64_t at, char out[65])
{
	fc_sha256 *h = fc_sha256_new();
	if (!h)
		return FC_ENOMEM;
	char num[96];
	fc_sha256_update(h, prev, strlen(prev));
	snprintf(num, sizeof num, "\n%" PRId64 "\n", id);
	fc_sha256_update(h, num, strlen(num));
	if (actor < 0)
		snprintf(num, sizeof num, "null");
	else
		snprintf(num, sizeof num, "%" PRId64, actor);
	put_field(h, num);
	put_field(h, action);
	put_field(h, target);
	put_field(h, details);
	snprintf(num, sizeof num, "%" PRId64, at);
	put_field(h, num);
	fc_sha256_final_hex(h, out);
	return 0;
}

int fc_audit_append(fc_db *db, int64_t actor, const char *action, const char *target, const json_t *details, fc_err *err)
{
	char prev[65], hash[65];
	int64_t last_id = 0;
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", "");
	if (rc)
		return rc;
	snprintf(prev, sizeof prev, "%s", GENESIS);
	if (fc_stmt_next(st) == 1) {
		last_id = fc_stmt_int(st, 0);
		snprintf(prev, sizeof prev, "%s", fc_stmt_text(st, 1));
	}
	fc_stmt_done(st);
	/* sorted keys, no whitespace: the stored text is what was hashed */
	char *text = details ? json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
	if (!text)
		return fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	int64_t id = last_id + 1, at = fc_clock_now();
	if (!target)
		target = "";
	if (row_hash(prev, id, actor > 0 ? actor : -1, action, target, text, at, hash))
		rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	else
		rc = fc_db_exec(db, err,
				"INSERT INTO audit_log(id,actor,action,target,details,at,prev_hash,hash) "
				"VALUES(?,NULLIF(?,0),?,?,?,?,?,?)",
				"IItttItt", id, actor > 0 ? actor : 0, action, target, text, at, prev, hash);
	free(text);
	return rc;
}

int fc_audit_record(fc_store *s, int64_t actor, const char *action, const char *target, const json_t *details, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	rc = fc_audit_append(db, actor, action, target, details, err);
	return fc_db_end(db, &rc, err);
}

int fc_audit_verify(fc_store *s, int64_t *rows, int64_t *bad_id, char *why, size_t why_len, fc_err *err)
{
	*rows = *bad_id = 0;
	if (why_len)
		why[0] = 0;
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT id, actor, action, target, details, at, prev_hash, hash FROM audit_log ORDER BY id",
			      "")))
		goto out;
	char prev[65], want[65];
	snprintf(prev, sizeof prev, "%s", GENESIS);
	int64_t expect_id = 0;
	int r;
	while ((r = fc_stmt_next(st)) == 1) {
		int64_t id = fc_stmt_int(st, 0);
		const char *stored_prev = fc_stmt_text(st, 6), *stored = fc_stmt_text(st, 7);
		(*rows)++;
		/* ids are assigned as last + 1: a gap is a deleted row, even when
		 * the rows after it were re-hashed to hide it */
		if (expect_id && id != expect_id + 1)
			snprintf(why, why_len, "row %" PRId64 " follows row %" PRId64 ": a row is missing", id,
				 expect_id);
		else if (strcmp(stored_prev ? stored_prev : "", prev))
			snprintf(why, why_len,
				 "row %" PRId64 ": prev_hash does not match the hash of the row before it", id);
		else if (row_hash(prev, id, fc_stmt_isnull(st, 1) ? -1 : fc_stmt_int(st, 1), fc_stmt_text(st, 2),
				  fc_stmt_text(st, 3), fc_stmt_text(st, 4), fc_stmt_int(st, 5), want)) {
			rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
			break;
		} else if (strcmp(stored ? stored : "", want))
			snprintf(why, why_len, "row %" PRId64 ": its contents do not match its hash (edited)", id);
		if (why_len && why[0]) {
			*bad_id = id;
			break;
		}
		snprintf(prev, sizeof prev, "%s", stored);
		expect_id = id;
	}
	fc_stmt_done(st);
	if (!rc && r < 0)
		rc = fc_err_set(err, FC_EDB, "database_error", NULL, "The audit log could not be read.");
out:
	fc_db_rollback(db);
	return rc;
}

static json_t *row_json(fc_stmt *st)
{
	char ts[32];
	json_t *details = fc_stmt_json(st, 4);
	return json_pack("{s:I,s:o,s:s,s:s,s:o,s:s,s:s,s:s}", "id", (json_int_t)fc_stmt_int(st, 0), "actor",
			 fc_stmt_isnull(st, 1) ? json_null() : json_integer(fc_stmt_int(st, 1)), "action",
			 fc_stmt_text(st, 2), "target", fc_stmt_text(st, 3), "details",
			 details ? details : json_object(), "at", fc_clock_format(fc_stmt_int(st, 5), ts, sizeof ts),
			 "prev_hash", fc_stmt_text(st, 6), "hash", fc_stmt_text(st, 7));
}

int fc_audit_list(fc_store *s, const fc_user *admin, int limit, int64_t after, json_t **out, fc_err *err)
{
	(void)admin; /* the route lets admins only in; kept for the listing shape of the API */
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	json_t *items = json_array();
	fc_stmt *st;
	int64_t last = 0;
	int n = 0, r = 0;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT id, actor, action, target, details, at, prev_hash, hash FROM audit_log WHERE id>? "
			      "ORDER BY id LIMIT ?",
			      "Ii", after, limit)))
		goto out;
	while ((r = fc_stmt_next(st)) == 1) {
		json_t *row = row_json(st);
		if (!row || json_array_append_new(items, row)) {
			rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
			break;
		}
		last = fc_stmt_int(st, 0);
		n++;
	}
	fc_stmt_done(st);
	if (!rc && r < 0)
		rc = fc_err_set(err, FC_EDB, "database_error", NULL, "The audit log could not be read.");
	if (!rc && !(*out = json_pack("{s:O,s:o}", "items", items, "next", n == limit ? json_integer(last) : json_null())))
		rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
out:
	json_decref(items);
	fc_db_rollback(db);
	return rc;
}

int fc_audit_cli(int argc, char **argv)
{
	const char *dir = getenv("FAIRCROWD_DATA");
	if (!dir || !*dir)
		dir = "./data";
	static const struct option opts[] = {{"data", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0}};
	static const char HELP[] = "usage: faircrowd audit verify [--data DIR]\n"
				   "Walks the hash chain of the audit log; exits 1 naming the first row that does not "
				   "match.\n";
	if (argc < 2 || strcmp(argv[1], "verify")) {
		fputs(HELP, argc >= 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
		return argc >= 2 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	int c;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		if (c == 'd')
			dir = optarg;
		else {
			fputs(HELP, c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind < argc - 1) {
		fputs(HELP, stderr);
		return 2;
	}
	fc_store *s = NULL;
	fc_err err = {0};
	int64_t rows, bad;
	char why[200];
	if (fc_store_open(&s, dir, &err) || fc_audit_verify(s, &rows, &bad, why, sizeof why, &err)) {
		fprintf(stderr, "faircrowd audit: %s\n", err.msg);
		fc_err_clear(&err);
		if (s)
			fc_store_close(s);
		return 1;
	}
	fc_store_close(s);
	if (bad) {
		printf("BROKEN at row %" PRId64 ": %s\n", bad, why);
		return 1;
	}
	printf("audit log intact: %" PRId64 " rows\n", rows);
	return 0;
}
