/* store.c — store.h as a thin dispatch over the back end chosen at open
 * (backend.h), plus the helpers that are the same on every back end. */
#include "core/clock.h"
#include "store/backend.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int is_postgres_url(const char *url)
{
	return !strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13);
}

int fc_store_open_at(fc_store **out, const char *dir, const char *database, fc_err *err)
{
	if (!database || !*database)
		return fc_sqlite_open(out, dir, err);
	if (!is_postgres_url(database))
		return fc_err_set(err, FC_EINVAL, "database_url", "database",
				  "--database must be a postgres://user@host:port/dbname URI.");
	return fc_pg_open(out, database, err);
}

int fc_store_open(fc_store **out, const char *dir, fc_err *err)
{
	return fc_store_open_at(out, dir, getenv("FAIRCROWD_DATABASE"), err);
}

int fc_store_exists(const char *dir)
{
	const char *url = getenv("FAIRCROWD_DATABASE");
	if (url && *url)
		return 1;
	char path[1100];
	snprintf(path, sizeof path, "%s/faircrowd.db", dir);
	return access(path, R_OK) == 0;
}

const char *fc_store_backend(const fc_store *s) { return s->vt->name; }
int fc_store_serial_writes(const fc_store *s) { return !strcmp(s->vt->name, "sqlite"); }

/* A task's words on PostgreSQL: its data's string values (migration 0039;
 * the GIN index's expression, which a query must repeat to use it). */
#define PG_WORDS(t) "jsonb_to_tsvector('simple', " t ".data::jsonb, '[\"string\"]')"
#define PG_M PG_WORDS("m")
#define PG_X PG_WORDS("x")

/* The project's id range: a bound FTS5 takes itself (rowid BETWEEN), so that
 * other projects' runs of matching tasks are skipped, not visited. */
#define FTS_RANGE \
	"f.rowid BETWEEN (SELECT MIN(id) FROM tasks WHERE project_id=?) AND (SELECT MAX(id) FROM tasks WHERE " \
	"project_id=?)"

/* Matches up to RARE are read whole and sorted (about 2 us each); up to SOME
 * (SQLite) they are gathered into a temporary index that a walk in the
 * page's order looks up (about 0.3 us each to gather, as much to count);
 * beyond, each row of the walk asks the FTS5 doclist itself: 15-45 us a row
 * in an index merged into one segment (as a bulk import leaves it), up to
 * 0.7 ms in one of many segments, and a share above SOME / tasks means a
 * match in every few rows. Costs measured at 1M tasks (bench/README.md,
 * issue 16). */
#define RARE 10000
#define SOME 100000

fc_text_search fc_db_task_text_search(const fc_db *db, int by_id, int64_t matches)
{
	if (!strcmp(db->vt->name, "postgres")) {
		if (matches <= RARE) /* the match set first from the GIN index by its first word (the rarest:
					fc_db_task_text_count moved it there), the other words checked on those
					rows (27 us a row: not when there is one word), then the page from
					their ids */
			return (fc_text_search){"tasks t",
						"t.id = ANY(ARRAY(SELECT x.id FROM (SELECT m.id, m.data, w.w FROM (SELECT CAST(? AS TEXT) AS w) w "
						"CROSS JOIN tasks m WHERE " PG_M
						" @@ plainto_tsquery('simple', split_part(w.w, ' ', 1)) "
						"AND m.project_id=? OFFSET 0) x WHERE strpos(x.w, ' ') = 0 OR " PG_X
						" @@ plainto_tsquery('simple', x.w))) AND t.project_id=?",
						"t.id"};
		return (fc_text_search){"tasks t", PG_WORDS("t") " @@ plainto_tsquery('simple', ?) AND ?=?", "t.id"};
	}
	if (by_id || matches <= RARE)
		return (fc_text_search){"tasks_fts f CROSS JOIN tasks t ON t.id=f.rowid",
					"f.tasks_fts MATCH ? AND " FTS_RANGE, "f.rowid"};
	if (matches <= SOME)
		return (fc_text_search){"tasks t",
					"t.id IN (SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ?) AND ?=?", "t.id"};
	return (fc_text_search){"tasks t",
				"EXISTS (SELECT 1 FROM tasks_fts f WHERE f.tasks_fts MATCH ? AND f.rowid=t.id) AND ?=?",
				"t.id"};
}

/* PostgreSQL's own estimate of a word's matches (its plan's row count, no
 * execution): ANALYZE keeps the most common words of the GIN expression
 * index's column, so a frequent word is known as such and a word not among
 * them is estimated near nothing (1M tasks: "999999" 417, a word in 0.1% of
 * the tasks 833, in 5% 49,633, in every task 1,000,000). Counting instead
 * costs what the match set costs: 200 ms for a word in every task. */
static int pg_estimate(fc_db *db, int64_t project, const char *word, size_t len, int64_t *n, fc_err *err)
{
	char one[256];
	snprintf(one, sizeof one, "%.*s", (int)(len < sizeof one ? len : sizeof one - 1), word);
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "EXPLAIN SELECT m.id FROM tasks m WHERE " PG_M
			     " @@ plainto_tsquery('simple', ?) AND m.project_id=?",
			     "tI", one, project);
	if (rc)
		return rc;
	const char *line = fc_stmt_next(st) == 1 ? fc_stmt_text(st, 0) : NULL,
		   *rows = line ? strstr(line, " rows=") : NULL;
	*n = rows ? strtoll(rows + 6, NULL, 10) : INT64_MAX; /* no estimate: plan for many */
	fc_stmt_done(st);
	return 0;
}

/* The estimate of all the words (that of the rarest: every word is
 * required), and the rarest moved first, where the rare plan takes the GIN
 * index's word from: GIN ANDs a rare word with words in every task in 130-200
 * ms at 1M tasks (it reads their long posting lists), the rare word alone in
 * 0.2 ms, and the other words are checked on its few rows. */
static int pg_words(fc_db *db, int64_t project, char *words, int64_t *n, fc_err *err)
{
	char *best = NULL;
	size_t best_len = 0;
	*n = INT64_MAX;
	int looked = 0;
	for (char *w = words; *w && looked < 8; looked++) { /* a few plans at most: 0.3 ms each */
		size_t len = strcspn(w, " ");
		int64_t e;
		int rc = pg_estimate(db, project, w, len, &e, err);
		if (rc)
			return rc;
		if (e < *n)
			*n = e, best = w, best_len = len;
		w += len;
		w += *w == ' ';
	}
	char tmp[256];
	if (best && best != words && best_len < sizeof tmp) { /* rotate the words before it behind it */
		size_t before = (size_t)(best - words);       /* those words and their space */
		memcpy(tmp, best, best_len);
		memmove(words + best_len + 1, words, before - 1);
		memcpy(words, tmp, best_len);
		words[best_len] = ' ';
	}
	return 0;
}

int fc_db_task_text_count(fc_db *db, int64_t project, char *words, int by_id, int64_t *n, fc_err *err)
{
	*n = 0;
	if (!strcmp(db->vt->name, "postgres"))
		return pg_words(db, project, words, n, err);
	if (by_id) /* the doclist drives in rowid order whatever its length */
		return 0;
	return fc_db_int(db, n, err,
			 "SELECT count(*) FROM (SELECT 1 FROM tasks_fts f WHERE f.tasks_fts MATCH ? AND " FTS_RANGE
			 " LIMIT ?)",
			 "tIII", words, project, project, (int64_t)SOME + 1);
}

/* A task's text for the full-text index on SQLite: its data's string values
 * joined by one space (migration 0039's triggers say the same). */
#define TASK_TEXT "(SELECT group_concat(value, ' ') FROM json_tree(tasks.data) WHERE type = 'text')"

/* The AFTER INSERT triggers on tasks a bulk insert suspends (store.h), in
 * the order end does their work. */
static const char *const BULK_TRIGGER[FC_TASK_BULK_TRIGGERS] = {"tasks_qualification_target", "task_count_slots_insert",
								"tasks_fts_insert"};
static const char *const BULK_DROP[FC_TASK_BULK_TRIGGERS] = {"DROP TRIGGER tasks_qualification_target",
							     "DROP TRIGGER task_count_slots_insert",
							     "DROP TRIGGER tasks_fts_insert"};
static const char *const BULK_WORK[FC_TASK_BULK_TRIGGERS] =
	{"UPDATE tasks SET target_overlap = 1000000000, open = 1 WHERE id > ? AND target_overlap IS NULL",
	 "INSERT INTO task_count_slots(project_id, slot, total, open, gold, with_results) "
	 "SELECT project_id, id % 16, COUNT(*), COUNT(*), SUM(CASE WHEN is_gold = 1 THEN 1 ELSE 0 END), 0 "
	 "FROM tasks WHERE id > ? GROUP BY project_id, id % 16 "
	 "ON CONFLICT(project_id, slot) DO UPDATE SET total = total + excluded.total, open = open + excluded.open, "
	 "gold = gold + excluded.gold",
	 "INSERT INTO tasks_fts(rowid, text) SELECT id, " TASK_TEXT " FROM tasks WHERE id > ?"};

int fc_db_task_text_bulk_begin(fc_db *db, int64_t project_id, fc_text_bulk *b, fc_err *err)
{
	if (strcmp(db->vt->name, "sqlite") || b->on)
		return 0;
	b->on = 1;
	b->project_id = project_id;
	int rc = fc_db_int(db, &b->after, err, "SELECT COALESCE(MAX(id),0) FROM tasks", "");
	b->indexed = b->after;
	b->ntext = 0;
	fc_buf_reset(&b->text);
	if (!rc && fc_buf_append(&b->text, "[", 1))
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	/* the update trigger adds its changes to slots that must exist */
	if (!rc)
		rc = fc_db_exec(db, err,
				"WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 15) "
				"INSERT INTO task_count_slots(project_id, slot) SELECT ?, n FROM s WHERE true "
				"ON CONFLICT(project_id, slot) DO NOTHING",
				"I", project_id);
	for (int i = 0; i < FC_TASK_BULK_TRIGGERS && !rc; i++) {
		fc_stmt *st;
		if ((rc = fc_db_query(db, &st, err, "SELECT sql FROM sqlite_master WHERE type='trigger' AND name=?",
				      "t", BULK_TRIGGER[i])))
			break;
		if (fc_stmt_next(st) == 1 && !fc_stmt_isnull(st, 0) && !(b->trigger[i] = strdup(fc_stmt_text(st, 0))))
			rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		fc_stmt_done(st);
		if (!rc && b->trigger[i])
			rc = fc_db_exec(db, err, BULK_DROP[i], "");
	}
	/* FTS5 merges its segments as it writes them, four of a level at a time
	 * (automerge): for the one INSERT … SELECT of end, leaving it to the
	 * crisis merge at 16 took 1,000,000 tasks from 2.8 to 2.0 s of CPU.
	 * end puts the default back. */
	if (!rc && b->trigger[2])
		rc = fc_db_exec(db, err, "INSERT INTO tasks_fts(tasks_fts, rank) VALUES('automerge', 0)", "");
	return rc;
}

/* The insert trigger's counts for the bulk's rows without a GROUP BY over
 * them (a sort of every row): their ids are after+1 … last when none is
 * missing, so each slot's share is arithmetic and only the gold tasks are
 * read (the tasks_gold index). Else the statement of BULK_WORK. */
static int bulk_counts(fc_db *db, fc_text_bulk *b, fc_err *err)
{
	fc_stmt *st;
	int64_t n = 0, last = 0, gold[16] = {0};
	int rc = fc_db_query(db, &st, err, "SELECT COUNT(*), COALESCE(MAX(id),0) FROM tasks WHERE id > ?", "I", b->after);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1) {
		n = fc_stmt_int(st, 0);
		last = fc_stmt_int(st, 1);
	}
	fc_stmt_done(st);
	if (n != last - b->after)
		return fc_db_exec(db, err, BULK_WORK[1], "I", b->after);
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT id % 16, COUNT(*) FROM tasks WHERE project_id = ? AND is_gold = 1 AND id > ? "
			      "GROUP BY id % 16",
			      "II", b->project_id, b->after)))
		return rc;
	while (fc_stmt_next(st) == 1)
		gold[fc_stmt_int(st, 0) & 15] = fc_stmt_int(st, 1);
	fc_stmt_done(st);
	for (int64_t slot = 0; slot < 16 && !rc; slot++) {
		/* ids in (after, last] with id % 16 == slot */
		int64_t k = (last - slot + 16) / 16 - (b->after - slot + 16) / 16;
		if (k || gold[slot])
			rc = fc_db_exec(db, err,
					"UPDATE task_count_slots SET total = total + ?, open = open + ?, gold = gold + ? "
					"WHERE project_id = ? AND slot = ?",
					"IIIII", k, k, gold[slot], b->project_id, slot);
	}
	return rc;
}

int fc_db_task_text_add(fc_text_bulk *b, const char *values, size_t len, fc_err *err)
{
	if (!b->on || !b->trigger[2])
		return 0;
	if (fc_buf_append(&b->text, "\"", 1) || fc_buf_append(&b->text, values, len) || fc_buf_append(&b->text, "\",", 2))
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	b->ntext++;
	return 0;
}

/* What text_flush lets wait: 16,384 tasks or 2 MB of text, whichever first.
 * FTS5 writes a segment whenever its 1 MB of pending terms fill (and at the
 * next statement's savepoint), so a longer wait saves nothing: 65,536 tasks
 * and 8 MB took the same CPU and 25 MB more peak RSS at 1M tasks. */
#define TEXT_ROWS 16384
#define TEXT_BYTES (2u << 20)

int fc_db_task_text_flush(fc_db *db, fc_text_bulk *b, int force, fc_err *err)
{
	if (!b->on || !b->trigger[2] || !b->ntext || (!force && b->ntext < TEXT_ROWS && b->text.len < TEXT_BYTES))
		return 0;
	int64_t last = 0;
	int rc = fc_db_int(db, &last, err, "SELECT COALESCE(MAX(id),0) FROM tasks", "");
	if (!rc && last == b->indexed + b->ntext) { /* the added tasks are the ids after indexed, in order */
		b->text.p[b->text.len - 1] = ']';
		fc_value v[2] = {{.i = b->indexed + 1}, {.text = b->text.p, .len = b->text.len}};
		rc = fc_db_exec_values(db, err,
				       "INSERT INTO tasks_fts(rowid, text) SELECT ? + key, value FROM json_each(?)", v,
				       2);
	} else if (!rc) { /* out of step: from the data itself */
		rc = fc_db_exec(db, err, BULK_WORK[2], "I", b->indexed);
	}
	b->indexed = last;
	b->ntext = 0;
	b->text.len = 1; /* "[" */
	b->text.p[1] = 0;
	return rc;
}

int fc_db_task_text_bulk_end(fc_db *db, fc_text_bulk *b, fc_err *err)
{
	int rc = fc_db_task_text_flush(db, b, 1, err);
	int64_t qualification = 0;
	if (b->trigger[0])
		fc_db_int(db, &qualification, NULL,
			  "SELECT CASE WHEN qualification IS NULL THEN 0 ELSE 1 END FROM projects WHERE id = ?", "I",
			  b->project_id);
	for (int i = 0; i < FC_TASK_BULK_TRIGGERS && !rc; i++)
		if (b->trigger[i] && (i != 0 || qualification))
			rc = i == 1 ? bulk_counts(db, b, err)
				    : fc_db_exec(db, err, BULK_WORK[i], "I", i == 2 ? b->indexed : b->after);
	if (!rc && b->trigger[2])
		rc = fc_db_exec(db, err, "INSERT INTO tasks_fts(tasks_fts, rank) VALUES('automerge', 4)", "");
	/* the index at least doubled: merge its segments into one (5 s at 1M tasks), which makes
	 * the probe of a row 10-50 times cheaper (fc_db_task_text_search's "many" plan); doubling
	 * bounds the merges' work over the index's life to twice its size */
	int64_t last = 0;
	if (!rc && b->trigger[2] && !(rc = fc_db_int(db, &last, err, "SELECT COALESCE(MAX(id),0) FROM tasks", "")) &&
	    last >= 2 * b->after)
		rc = fc_db_exec(db, err, "INSERT INTO tasks_fts(tasks_fts) VALUES('optimize')", "");
	for (int i = 0; i < FC_TASK_BULK_TRIGGERS && !rc; i++)
		if (b->trigger[i])
			rc = fc_db_exec_text(db, b->trigger[i], err);
	fc_text_bulk_free(b);
	return rc;
}

void fc_text_bulk_free(fc_text_bulk *b)
{
	for (int i = 0; i < FC_TASK_BULK_TRIGGERS; i++) {
		free(b->trigger[i]);
		b->trigger[i] = NULL;
	}
	fc_buf_free(&b->text);
	b->ntext = 0;
	b->on = 0;
}

int fc_db_text_query(const fc_db *db, const char *typed, char *out, size_t n)
{
	/* a word: letters, digits and every non-ASCII byte (UTF-8 letters) */
	int quote = strcmp(db->vt->name, "postgres") != 0, words = 0;
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)typed;
	while (*p) {
		if (!(isalnum(*p) || *p >= 0x80)) {
			p++;
			continue;
		}
		const unsigned char *w = p;
		while (*p && (isalnum(*p) || *p >= 0x80))
			p++;
		int k = snprintf(out + o, n - o, "%s%s%.*s%s", words ? " " : "", quote ? "\"" : "", (int)(p - w),
				 (const char *)w, quote ? "\"" : "");
		if (k < 0 || (size_t)k >= n - o)
			return -1;
		o += (size_t)k;
		words++;
	}
	if (n)
		out[o] = 0;
	return words;
}

void fc_store_close(fc_store *s)
{
	if (s)
		s->vt->close(s);
}

int fc_store_migrations_applied(const fc_store *s) { return s->applied; }

/* Runs a statement to its end, ignoring the rows it returns. */
static int vexec(fc_db *db, fc_err *err, const char *sql, const char *fmt, va_list ap)
{
	fc_stmt *s;
	int rc = db->vt->query(db, &s, err, sql, fmt, ap);
	if (rc)
		return rc;
	int r;
	while ((r = s->vt->step(s, err)) == 1)
		;
	s->vt->done(s);
	return r < 0 ? r : 0;
}

int fc_store_write(fc_store *s, int64_t *changes, fc_err *err, const char *sql, const char *fmt, ...)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	va_list ap;
	va_start(ap, fmt);
	rc = vexec(db, err, sql, fmt, ap);
	va_end(ap);
	if (changes)
		*changes = rc ? 0 : fc_db_changes(db);
	return fc_db_end(db, &rc, err);
}

int fc_store_claim(fc_store *s, const char *name, fc_err *err) { return s->vt->claim(s, name, err); }
void fc_store_unclaim(fc_store *s, const char *name) { s->vt->unclaim(s, name); }

int fc_store_claim_tick(fc_store *s, const char *name, int64_t tick, fc_err *err)
{
	/* one upsert whose WHERE is re-checked under the row's lock: it needs
	 * no global lock (FC_DB_WRITE_ROWS) */
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE_ROWS, &db, err);
	if (rc)
		return rc;
	rc = fc_db_exec(db, err,
			"INSERT INTO job_ticks(name,tick) VALUES(?,?) ON CONFLICT(name) DO UPDATE SET "
			"tick=excluded.tick WHERE job_ticks.tick < excluded.tick",
			"tI", name, tick);
	int64_t claimed = rc ? 0 : fc_db_changes(db);
	return fc_db_end(db, &rc, err) ? rc : claimed == 1;
}
int fc_store_schema_version(fc_store *s) { return s->vt->schema_version(s); }
int fc_store_backup(fc_store *s, const char *file, fc_err *err) { return s->vt->backup(s, file, err); }
int64_t fc_store_size_bytes(fc_store *s) { return s->vt->size_bytes(s); }

void fc_store_stats(fc_store *s, uint64_t *writes, uint64_t *commits, double *commit_seconds, double *hold_seconds)
{
	s->vt->stats(s, writes, commits, commit_seconds, hold_seconds);
}

int fc_db_begin(fc_store *s, int mode, fc_db **out, fc_err *err) { return s->vt->begin(s, mode, out, err); }
int fc_db_commit(fc_db *db, fc_err *err) { return db->vt->commit(db, err); }
void fc_db_rollback(fc_db *db) { db->vt->rollback(db); }

int fc_db_lock(fc_db *db, int space, int64_t id, fc_err *err)
{
	/* the space in the top bits, far below the store's own lock keys
	 * (postgres.c: ~2^52), which live in the same bigint key space */
	int64_t key = ((int64_t)space << 40) | (id & (((int64_t)1 << 40) - 1));
	return db->vt->lock ? db->vt->lock(db, key, err) : 0;
}

int fc_store_tx(fc_store *s, int mode, fc_tx_fn fn, void *arg, fc_err *err)
{
	for (int attempt = 1;; attempt++) {
		fc_db *db;
		int rc = fc_db_begin(s, mode, &db, err);
		if (rc)
			return rc;
		rc = fn(db, arg, err);
		fc_db_end(db, &rc, err);
		if (!rc || attempt >= FC_STORE_TX_TRIES || !err || strcmp(err->slug, "retry_transaction"))
			return rc;
		fc_err_clear(err);
	}
}

int fc_db_end(fc_db *db, int *rc, fc_err *err)
{
	if (*rc == 0)
		*rc = fc_db_commit(db, err);
	else
		fc_db_rollback(db);
	return *rc;
}

int fc_db_exec(fc_db *db, fc_err *err, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vexec(db, err, sql, fmt, ap);
	va_end(ap);
	return rc;
}

int fc_db_exec_values(fc_db *db, fc_err *err, const char *sql, const fc_value *v, int n)
{
	return db->vt->exec_values(db, err, sql, v, n);
}

static int id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int fc_db_reserve_ids(fc_db *db, const char *table, int64_t n, int64_t *ids, fc_err *err)
{
	size_t len = strspn(table, "abcdefghijklmnopqrstuvwxyz_");
	if (n < 1 || !len || len > 64 || table[len])
		return fc_err_set(err, FC_EINVAL, "internal", NULL, "Cannot reserve %lld ids of '%s'.", (long long)n,
				  table);
	int pg = !strcmp(db->vt->name, "postgres");
	char sql[192];
	if (pg)
		snprintf(sql, sizeof sql,
			 "SELECT nextval(q.s) FROM (SELECT pg_get_serial_sequence('%s','id')::regclass AS s) q, "
			 "generate_series(1,%lld)",
			 table, (long long)n);
	else
		snprintf(sql, sizeof sql, "SELECT COALESCE(MAX(id),0) FROM %s", table);
	fc_stmt *st;
	int rc = fc_db_query_text(db, &st, sql, err);
	if (rc)
		return rc;
	int64_t got = 0;
	while (got < (pg ? n : 1) && st->vt->step(st, err) == 1)
		ids[got++] = fc_stmt_int(st, 0);
	fc_stmt_done(st);
	if (got != (pg ? n : 1))
		return fc_err_set(err, FC_EIO, "internal", NULL, "Reserved %lld of %lld ids.", (long long)got,
				  (long long)n);
	if (pg)
		qsort(ids, (size_t)n, sizeof *ids, id_cmp);
	else
		for (int64_t i = n - 1; i >= 0; i--)
			ids[i] = ids[0] + 1 + i;
	return 0;
}

int fc_db_exec_ids(fc_db *db, fc_err *err, const char *sql, const int64_t *pre, int npre, const int64_t *ids, size_t n)
{
	fc_value v[8 + FC_IDS_MAX] = {{0}};
	if (npre < 0 || npre > 8 || n < 1 || n > FC_IDS_MAX)
		return fc_err_set(err, FC_EINVAL, "internal", NULL, "fc_db_exec_ids: %d parameters and %zu ids.", npre,
				  n);
	for (int i = 0; i < npre; i++)
		v[i].i = pre[i];
	for (size_t i = 0; i < FC_IDS_MAX; i++)
		v[npre + (int)i].i = ids[i < n ? i : n - 1];
	return fc_db_exec_values(db, err, sql, v, npre + FC_IDS_MAX);
}

int fc_db_query(fc_db *db, fc_stmt **out, fc_err *err, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = db->vt->query(db, out, err, sql, fmt, ap);
	va_end(ap);
	return rc;
}

/* Runs sql and steps once: 1 with *out on the first row (caller calls
 * fc_stmt_done), FC_ENOTFOUND when there is none, or an error. */
static int vfirst(fc_db *db, fc_stmt **out, fc_err *err, const char *sql, const char *fmt, va_list ap)
{
	int rc = db->vt->query(db, out, err, sql, fmt, ap);
	if (rc)
		return rc;
	int r = (*out)->vt->step(*out, err);
	if (r != 1)
		(*out)->vt->done(*out);
	return r == 1 ? 1 : r < 0 ? r : FC_ENOTFOUND;
}

int fc_db_row_json(fc_db *db, json_t **out, fc_err *err, fc_row_fn render, const char *what, const char *sql,
		   const char *fmt, ...)
{
	fc_stmt *s;
	va_list ap;
	va_start(ap, fmt);
	int r = vfirst(db, &s, err, sql, fmt, ap);
	va_end(ap);
	if (r == FC_ENOTFOUND)
		return fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such %s.", what);
	if (r != 1)
		return r;
	*out = render(s);
	fc_stmt_done(s);
	return 0;
}

int fc_db_int(fc_db *db, int64_t *out, fc_err *err, const char *sql, const char *fmt, ...)
{
	fc_stmt *s;
	va_list ap;
	va_start(ap, fmt);
	int r = vfirst(db, &s, err, sql, fmt, ap);
	va_end(ap);
	if (r != 1)
		return r;
	*out = s->vt->col_int(s, 0);
	fc_stmt_done(s);
	return 0;
}

int64_t fc_db_changes(fc_db *db) { return db->vt->changes(db); }
int fc_db_exec_text(fc_db *db, const char *sql, fc_err *err) { return db->vt->exec_text(db, sql, err); }
int fc_db_query_text(fc_db *db, fc_stmt **out, const char *sql, fc_err *err)
{
	return db->vt->query_text(db, out, sql, err);
}

int fc_stmt_next(fc_stmt *st) { return st->vt->step(st, NULL); }
int64_t fc_stmt_int(fc_stmt *st, int col) { return st->vt->col_int(st, col); }
double fc_stmt_double(fc_stmt *st, int col) { return st->vt->col_double(st, col); }
const char *fc_stmt_text(fc_stmt *st, int col) { return st->vt->col_text(st, col); }
const void *fc_stmt_blob(fc_stmt *st, int col, size_t *len) { return st->vt->col_blob(st, col, len); }
int fc_stmt_isnull(fc_stmt *st, int col) { return st->vt->col_isnull(st, col); }

json_t *fc_stmt_json(fc_stmt *st, int col)
{
	const char *t = fc_stmt_text(st, col);
	if (!t)
		return json_null();
	json_t *j = json_loads(t, JSON_DECODE_ANY, NULL);
	return j ? j : json_null();
}

void fc_stmt_done(fc_stmt *st)
{
	if (st)
		st->vt->done(st);
}

json_t *fc_stmt_page(fc_stmt *st, int limit, fc_row_fn render)
{
	json_t *items = json_array();
	int64_t last = 0;
	int more = 0;
	while (fc_stmt_next(st) == 1) {
		if ((int)json_array_size(items) == limit) {
			more = 1;
			break;
		}
		last = fc_stmt_int(st, 0);
		json_array_append_new(items, render(st));
	}
	char cur[32];
	snprintf(cur, sizeof cur, "%lld", (long long)last);
	return json_pack("{s:o,s:o}", "items", items, "next", more ? json_string(cur) : json_null());
}

json_t *fc_stmt_time(fc_stmt *st, int col)
{
	char ts[32];
	return fc_stmt_isnull(st, col) ? json_null() : json_string(fc_clock_format(fc_stmt_int(st, col), ts, sizeof ts));
}
