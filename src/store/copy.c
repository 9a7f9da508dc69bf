/* copy.c — an SQLite installation copied into an empty PostgreSQL database
 * (`faircrowd copy-db`), for a team that outgrows one machine.
 *
 * Both stores are open (so both are at the latest schema version, and the
 * tables and columns match by name). Every table is read in one snapshot of
 * the source and written in ONE transaction of the target, in creation
 * order (a table only references tables created before it), with ids kept;
 * then the identity sequences move past the copied ids and the row counts
 * are compared. Either everything is copied or nothing is. */
#include "store/copy.h"
#include "core/buf.h"
#include "store/backend.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_ROWS 500

typedef struct column {
	char name[64];
	int real; /* REAL: written with every digit, not SQLite's 15 */
	int blob; /* BLOB: written as bytea's hex form, '\x0a1b…' (text would stop at a zero byte) */
} column;

static int putc_buf(fc_buf *b, char c) { return fc_buf_append(b, &c, 1); }

static int valid_name(const char *s)
{
	if (!s || !*s || strlen(s) >= 64)
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

static int columns_of(fc_db *src, const char *table, column **out, int *n, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(src, &st, err, "SELECT name, type FROM pragma_table_info(?) ORDER BY cid", "t", table);
	if (rc)
		return rc;
	int cap = 0;
	*out = NULL;
	*n = 0;
	while (fc_stmt_next(st) == 1) {
		const char *name = fc_stmt_text(st, 0), *type = fc_stmt_text(st, 1);
		if (!valid_name(name)) {
			rc = fc_err_set(err, FC_EINVAL, "copy_failed", NULL, "Unexpected column name in table %s.",
					table);
			break;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			column *c = realloc(*out, (size_t)cap * sizeof *c);
			if (!c) {
				rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
				break;
			}
			*out = c;
		}
		snprintf((*out)[*n].name, sizeof(*out)[*n].name, "%s", name);
		(*out)[*n].real = type && !strcmp(type, "REAL");
		(*out)[*n].blob = type && !strcmp(type, "BLOB");
		(*n)++;
	}
	fc_stmt_done(st);
	return rc;
}

/* One value as an SQL literal: NULL, or a quoted string the target column
 * converts (PostgreSQL reads '12' into a bigint). */
static int literal(fc_buf *b, fc_stmt *st, int col, const column *c)
{
	if (fc_stmt_isnull(st, col))
		return fc_buf_puts(b, "NULL");
	if (c->real)
		return fc_buf_printf(b, "'%.17g'", fc_stmt_double(st, col));
	if (c->blob) {
		size_t len = 0;
		const unsigned char *p = fc_stmt_blob(st, col, &len);
		int rc = fc_buf_puts(b, "'\\x");
		for (size_t i = 0; !rc && i < len; i++)
			rc = fc_buf_printf(b, "%02x", p[i]);
		return rc ? rc : putc_buf(b, '\'');
	}
	const char *t = fc_stmt_text(st, col);
	int rc = putc_buf(b, '\'');
	for (; !rc && *t; t++)
		rc = *t == '\'' ? fc_buf_puts(b, "''") : putc_buf(b, *t);
	return rc ? rc : putc_buf(b, '\'');
}

static int copy_table(fc_db *src, fc_db *dst, const char *table, int64_t *rows, fc_err *err)
{
	column *cols = NULL;
	int ncols = 0;
	fc_buf head = {0}, sel = {0}, batch = {0};
	fc_stmt *st = NULL;
	int rc = columns_of(src, table, &cols, &ncols, err);
	if (rc)
		goto out;
	rc = fc_buf_printf(&head, "INSERT INTO %s(", table) || fc_buf_printf(&sel, "SELECT ");
	for (int i = 0; !rc && i < ncols; i++)
		rc = fc_buf_printf(&head, "%s\"%s\"", i ? "," : "", cols[i].name) ||
		     fc_buf_printf(&sel, "%s\"%s\"", i ? "," : "", cols[i].name);
	if (rc || fc_buf_puts(&head, ") VALUES ") || fc_buf_printf(&sel, " FROM %s", table)) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		goto out;
	}
	/* rows the target's migrations seeded (platform settings) give way to the source's */
	char del[128];
	snprintf(del, sizeof del, "DELETE FROM %s", table);
	if ((rc = fc_db_exec_text(dst, del, err)) || (rc = fc_db_query_text(src, &st, sel.p, err)))
		goto out;
	int in_batch = 0, r;
	*rows = 0;
	while ((r = fc_stmt_next(st)) == 1) {
		int bad = in_batch ? putc_buf(&batch, ',') : fc_buf_puts(&batch, head.p);
		bad = bad || putc_buf(&batch, '(');
		for (int i = 0; !bad && i < ncols; i++)
			bad = (i && putc_buf(&batch, ',')) || literal(&batch, st, i, &cols[i]);
		if (bad || putc_buf(&batch, ')')) {
			rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
			goto out;
		}
		(*rows)++;
		if (++in_batch == BATCH_ROWS) {
			if ((rc = fc_db_exec_text(dst, batch.p, err)))
				goto out;
			fc_buf_reset(&batch);
			in_batch = 0;
		}
	}
	if (r < 0) {
		rc = fc_err_set(err, FC_EDB, "copy_failed", NULL, "Reading table %s failed.", table);
		goto out;
	}
	if (in_batch)
		rc = fc_db_exec_text(dst, batch.p, err);
out:
	fc_stmt_done(st);
	free(cols);
	fc_buf_free(&head);
	fc_buf_free(&sel);
	fc_buf_free(&batch);
	if (rc && err && !strcmp(err->slug, "database_error"))
		snprintf(err->msg, sizeof err->msg, "Copying table %s failed; nothing was copied.", table);
	return rc;
}

/* Identity columns continue after the copied ids. */
static int move_sequences(fc_db *dst, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(dst, &st, err,
			     "SELECT table_name FROM information_schema.columns WHERE table_schema=current_schema() "
			     "AND column_name='id' AND is_identity='YES' ORDER BY table_name",
			     "");
	if (rc)
		return rc;
	char tables[64][64]; /* this schema has about 30 */
	int n = 0;
	while (n < 64 && fc_stmt_next(st) == 1)
		snprintf(tables[n++], sizeof tables[0], "%s", fc_stmt_text(st, 0));
	fc_stmt_done(st);
	for (int i = 0; !rc && i < n; i++) {
		if (!valid_name(tables[i]))
			continue;
		char sql[300];
		snprintf(sql, sizeof sql,
			 "SELECT setval(pg_get_serial_sequence('%s','id'), COALESCE(MAX(id),0)+1, false) FROM %s",
			 tables[i], tables[i]);
		rc = fc_db_exec_text(dst, sql, err);
	}
	return rc;
}

int fc_store_copy(fc_store *from, fc_store *to, FILE *report, fc_err *err)
{
	if (strcmp(fc_store_backend(from), "sqlite") || strcmp(fc_store_backend(to), "postgres"))
		return fc_err_set(err, FC_EINVAL, "copy_db", NULL,
				  "copy-db copies an SQLite data folder into PostgreSQL.");
	if (fc_store_schema_version(from) != fc_store_schema_version(to))
		return fc_err_set(err, FC_EINVAL, "copy_db", NULL, "The two databases are at different schema versions.");
	fc_db *src = NULL, *dst = NULL;
	fc_stmt *st = NULL;
	char(*tables)[64] = NULL;
	int64_t *counts = NULL;
	int n = 0, rc;
	if ((rc = fc_db_begin(from, FC_DB_READ, &src, err)) || (rc = fc_db_begin(to, FC_DB_WRITE, &dst, err)))
		goto out;
	int64_t users = 0;
	if ((rc = fc_db_int(dst, &users, err, "SELECT COUNT(*) FROM users", "")))
		goto out;
	if (users) {
		rc = fc_err_set(err, FC_ECONFLICT, "not_empty", NULL,
				"The PostgreSQL database already holds an installation (%lld users); copy into an empty one.",
				(long long)users);
		goto out;
	}
	/* creation order: every foreign key points at an earlier table */
	if ((rc = fc_db_query(src, &st, err,
			      "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
			      "AND name<>'schema_migrations' AND name NOT LIKE 'tasks_fts%' ORDER BY rowid",
			      "")))
		goto out;
	tables = calloc(256, sizeof *tables);
	counts = calloc(256, sizeof *counts);
	if (!tables || !counts) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		goto out;
	}
	while (n < 256 && fc_stmt_next(st) == 1)
		if (valid_name(fc_stmt_text(st, 0)))
			snprintf(tables[n++], sizeof tables[0], "%s", fc_stmt_text(st, 0));
	fc_stmt_done(st);
	st = NULL;
	for (int i = 0; !rc && i < n; i++) {
		rc = copy_table(src, dst, tables[i], &counts[i], err);
		if (!rc && report)
			fprintf(report, "copied %-24s %lld rows\n", tables[i], (long long)counts[i]);
	}
	if (rc || (rc = move_sequences(dst, err)))
		goto out;
	/* the counts seen by the target's own transaction must be the source's */
	for (int i = 0; !rc && i < n; i++) {
		char sql[128];
		int64_t got = -1;
		snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", tables[i]);
		fc_stmt *c;
		if ((rc = fc_db_query_text(dst, &c, sql, err)))
			break;
		if (fc_stmt_next(c) == 1)
			got = fc_stmt_int(c, 0);
		fc_stmt_done(c);
		if (got != counts[i])
			rc = fc_err_set(err, FC_EDB, "copy_failed", NULL,
					"Table %s has %lld rows after the copy, not %lld.", tables[i], (long long)got,
					(long long)counts[i]);
	}
out:
	fc_stmt_done(st);
	free(tables);
	free(counts);
	if (src)
		fc_db_rollback(src);
	if (dst)
		fc_db_end(dst, &rc, err);
	return rc;
}
