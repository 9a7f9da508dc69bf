#include "money/ledger.h"
#include "core/buf.h"
#include "core/clock.h"

#include <pthread.h>
#include <stdlib.h>

#include <stdio.h>
#include <string.h>

/* The most entries one posting may have (the money code posts up to 4). */
#define LEDGER_MAX 8

/* Escrow accounts are split over shard rows (every submit of a project
 * moves one) and carry no chain: their entries are found through the
 * partial index ledger_account_start, at the end of one range per project. */
static int sharded(const char *account) { return !strncmp(account, "escrow:", 7); }

static int shard_of(const char *account, int64_t txn) { return sharded(account) ? (int)(txn % LEDGER_SHARDS) : 0; }

typedef struct moved {
	const char *account;
	int64_t amount, last; /* last: the account's newest entry (its chain's head), 0 for none */
} moved;

/* The posting's accounts, each once (amounts merged), sorted by name. */
static int merge(const fc_entry *e, int n, moved *m)
{
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (!e[i].amount)
			continue;
		int j = 0;
		while (j < k && strcmp(m[j].account, e[i].account) < 0)
			j++;
		if (j < k && !strcmp(m[j].account, e[i].account)) {
			m[j].amount += e[i].amount;
			continue;
		}
		memmove(&m[j + 1], &m[j], (size_t)(k - j) * sizeof *m);
		m[j] = (moved){e[i].account, e[i].amount, 0};
		k++;
	}
	return k;
}

#define BALANCES "INSERT INTO ledger_balances(account,currency,shard,balance,last_txn,last_entry) VALUES"
#define BALANCES_TAIL \
	" ON CONFLICT(account,currency,shard) DO UPDATE SET balance=ledger_balances.balance+excluded.balance, " \
	"last_txn=excluded.last_txn, last_entry=excluded.last_entry"
/* an entry linked to its account's previous one, read from the balance row */
#define LINKED_ENTRY \
	"(?,?,?,?,?,CASE WHEN ?=1 THEN (SELECT last_entry FROM ledger_balances WHERE account=? AND currency=? AND " \
	"shard=0) END)"
/* a balance row pointing at the entry of this transaction */
#define LINKED_ROW \
	"(?,?,?,?,?,CASE WHEN ?=1 THEN (SELECT MAX(id) FROM ledger_entries WHERE txn_id=? AND account=?) END)"

/* The common move, two accounts: the entries in one statement, each linked
 * to its account's chain, then both balance rows in one statement, in
 * account order (so concurrent transactions on PostgreSQL take the row locks
 * in one order). The link is read before the row is locked: on PostgreSQL
 * the only postings that run side by side are submits, whose unsharded
 * account (pending:USER) is guarded by the contributor's lock. */
static int post_two(fc_db *db, const char *cur, const fc_entry *e, const moved *m, int64_t id, int64_t now, fc_err *err)
{
	int rc = fc_db_exec(db, err,
			    "INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at,prev_id) "
			    "VALUES" LINKED_ENTRY "," LINKED_ENTRY,
			    "ItItIittItItIitt", id, e[0].account, e[0].amount, cur, now, !sharded(e[0].account),
			    e[0].account, cur, id, e[1].account, e[1].amount, cur, now, !sharded(e[1].account),
			    e[1].account, cur);
	if (rc)
		return rc;
	return fc_db_exec(db, err, BALANCES LINKED_ROW "," LINKED_ROW BALANCES_TAIL, "ttiIIiItttiIIiIt", m[0].account,
			  cur, shard_of(m[0].account, id), m[0].amount, id, !sharded(m[0].account), id, m[0].account,
			  m[1].account, cur, shard_of(m[1].account, id), m[1].amount, id, !sharded(m[1].account), id,
			  m[1].account);
}

/* Any other posting: each account's chain head read, the entries inserted
 * one by one in the caller's order (two of one account chain to each
 * other), then the balance rows in account order. */
static int post_many(fc_db *db, const char *cur, const fc_entry *e, int n, moved *m, int k, int64_t id, int64_t now,
		     fc_err *err)
{
	int rc = 0;
	for (int j = 0; !rc && j < k; j++)
		if (!sharded(m[j].account)) {
			rc = fc_db_int(db, &m[j].last, err,
				       "SELECT COALESCE(last_entry,0) FROM ledger_balances WHERE account=? AND currency=? "
				       "AND shard=0",
				       "tt", m[j].account, cur);
			if (rc == FC_ENOTFOUND) {
				fc_err_clear(err);
				m[j].last = rc = 0;
			}
		}
	for (int i = 0; !rc && i < n; i++) {
		if (!e[i].amount)
			continue;
		moved *a = m;
		while (strcmp(a->account, e[i].account))
			a++;
		int64_t entry;
		rc = fc_db_int(db, &entry, err,
			       "INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at,prev_id) "
			       "VALUES(?,?,?,?,?,NULLIF(?,0)) RETURNING id",
			       "ItItII", id, e[i].account, e[i].amount, cur, now, a->last);
		if (!rc && !sharded(a->account))
			a->last = entry;
	}
	for (int j = 0; !rc && j < k; j++)
		rc = fc_db_exec(db, err, BALANCES "(?,?,?,?,?,NULLIF(?,0))" BALANCES_TAIL, "ttiIII", m[j].account, cur,
				shard_of(m[j].account, id), m[j].amount, id, m[j].last);
	return rc;
}

static int balanced(const fc_entry *e, int n, fc_err *err)
{
	int64_t sum = 0;
	for (int i = 0; i < n; i++)
		sum += e[i].amount;
	if (sum != 0 || n < 2 || n > LEDGER_MAX)
		return fc_err_set(err, FC_EINVAL, "unbalanced", NULL,
				  "A ledger transaction must have two to %d entries summing to zero.", LEDGER_MAX);
	return 0;
}

int fc_ledger_post(fc_db *db, const char *currency, const char *memo, const char *ref, const fc_entry *e, int n,
		   int64_t *txn, fc_err *err)
{
	int rc = balanced(e, n, err);
	if (rc)
		return rc;
	moved m[LEDGER_MAX];
	int k = merge(e, n, m);
	int64_t now = fc_clock_now(), id;
	rc = fc_db_int(db, &id, err, "INSERT INTO ledger_txns(currency,memo,ref,created_at) VALUES(?,?,?,?) RETURNING id",
		       "tttI", currency, memo, ref, now);
	if (!rc)
		rc = n == 2 && k == 2 ? post_two(db, currency, e, m, id, now, err)
				      : post_many(db, currency, e, n, m, k, id, now, err);
	if (!rc && txn)
		*txn = id;
	return rc;
}

int fc_ledger_balance(fc_db *db, const char *account, int64_t *out, fc_err *err)
{
	return fc_db_int(db, out, err, "SELECT COALESCE(SUM(balance),0) FROM ledger_balances WHERE account=?", "t",
			 account);
}

int fc_ledger_balance_cur(fc_db *db, const char *account, const char *currency, int64_t *out, fc_err *err)
{
	return fc_db_int(db, out, err,
			 "SELECT COALESCE(SUM(balance),0) FROM ledger_balances WHERE account=? AND currency=?", "tt",
			 account, currency);
}

int fc_ledger_on_submit(fc_db *db, int64_t project, int64_t user, int64_t submission, int64_t reward,
			const char *currency, fc_err *err)
{
	if (reward == 0)
		return 0;
	char escrow[48], pending[48], ref[48];
	snprintf(escrow, sizeof escrow, "escrow:%lld", (long long)project);
	snprintf(pending, sizeof pending, "pending:%lld", (long long)user);
	snprintf(ref, sizeof ref, "submission:%lld", (long long)submission);
	fc_entry e[] = {{escrow, -reward}, {pending, reward}};
	return fc_ledger_post(db, currency, "reward earned, pending approval", ref, e, 2, NULL, err);
}

int fc_ledger_escrow_needed(fc_db *db, int64_t project, int64_t *needed, fc_err *err)
{
	return fc_db_int(db, needed, err,
			 /* dynamic overlap may ask up to max_overlap judgments of a task */
			 "SELECT COALESCE(SUM(CASE WHEN need > 0 THEN need * reward ELSE 0 END),0) FROM "
			 "(SELECT CASE WHEN p.confidence_threshold IS NULL THEN p.overlap "
			 "ELSE COALESCE(p.max_overlap, p.overlap) END - t.submitted_count AS need, p.reward AS reward "
			 "FROM tasks t JOIN projects p ON p.id=t.project_id WHERE t.project_id=?) AS slots",
			 "I", project);
}

/* ---- a publish batch's postings, written set-based ---- */

typedef struct lb_txn {
	size_t cur, memo, ref; /* offsets into the batch's text */
	int64_t at, id;
} lb_txn;

typedef struct lb_entry {
	size_t account, txn, row;
	int64_t amount, id, prev;
} lb_entry;

/* A balance row the batch moves: its key, the sum of the batch's amounts,
 * its newest transaction and, for an unsharded account, its chain's head
 * (read under the row lock, then moved along the batch's entries). */
typedef struct lb_row {
	const char *account, *cur;
	int shard, found;
	int64_t delta, last_txn, head;
} lb_row;

struct fc_ledger_batch {
	fc_buf text; /* the postings' strings, each NUL-terminated */
	lb_txn *t;
	lb_entry *e;
	size_t nt, ct, ne, ce;
};

fc_ledger_batch *fc_ledger_batch_new(void) { return calloc(1, sizeof(fc_ledger_batch)); }

size_t fc_ledger_batch_size(const fc_ledger_batch *b) { return b ? b->nt : 0; }

void fc_ledger_batch_free(fc_ledger_batch *b)
{
	if (!b)
		return;
	fc_buf_free(&b->text);
	free(b->t);
	free(b->e);
	free(b);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 64;
	while (c < need)
		c *= 2;
	void *np = realloc(*p, c * size);
	if (!np)
		return -1;
	*p = np;
	*cap = c;
	return 0;
}

static int text_add(fc_buf *b, const char *s, size_t *off)
{
	*off = b->len;
	return fc_buf_append(b, s, strlen(s) + 1);
}

int fc_ledger_batch_add(fc_ledger_batch *b, const char *currency, const char *memo, const char *ref, const fc_entry *e,
			int n, fc_err *err)
{
	int rc = balanced(e, n, err);
	if (rc)
		return rc;
	size_t text_len = b->text.len, ne = b->ne;
	lb_txn t = {.at = fc_clock_now()};
	int bad = grow((void **)&b->t, &b->ct, b->nt + 1, sizeof *b->t) ||
		  grow((void **)&b->e, &b->ce, b->ne + (size_t)n, sizeof *b->e) || text_add(&b->text, currency, &t.cur) ||
		  text_add(&b->text, memo, &t.memo) || text_add(&b->text, ref ? ref : "", &t.ref);
	/* the entries in the caller's order, as fc_ledger_post inserts them */
	for (int i = 0; !bad && i < n; i++)
		if (e[i].amount) {
			lb_entry *x = &b->e[b->ne++];
			*x = (lb_entry){.txn = b->nt, .amount = e[i].amount};
			bad = text_add(&b->text, e[i].account, &x->account);
		}
	if (bad) {
		b->text.len = text_len;
		b->ne = ne;
		return fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	}
	b->t[b->nt++] = t;
	return 0;
}

static int row_cmp(const void *a, const void *b)
{
	const lb_row *x = a, *y = b;
	int c = strcmp(x->account, y->account);
	if (!c)
		c = strcmp(x->cur, y->cur);
	return c ? c : (x->shard > y->shard) - (x->shard < y->shard);
}

/* Multi-row statements of 128, 64, …, 2 or 1 rows (at most 896 parameters:
 * fc_db_exec_values takes up to 1024), their texts made once. */
#define LB_CHUNK 128
#define LB_SIZES 8
enum { LB_TXNS, LB_ENTRIES, LB_ROWS, LB_KINDS };
static const int LB_PARAMS[LB_KINDS] = {5, 7, 6};
static char lb_sql[LB_KINDS][LB_SIZES][4096]; /* the longest: 3,418 bytes */
static pthread_once_t lb_once = PTHREAD_ONCE_INIT;

static void lb_sql_make(void)
{
	static const char *const head[LB_KINDS] =
		{"INSERT INTO ledger_txns(id,currency,memo,ref,created_at) VALUES",
		 "INSERT INTO ledger_entries(id,txn_id,account,amount,currency,created_at,prev_id) VALUES", BALANCES};
	static const char *const row[LB_KINDS] = {"(?,?,?,NULLIF(?,''),?)", "(?,?,?,?,?,?,NULLIF(?,0))",
						  "(?,?,?,?,?,NULLIF(?,0))"};
	for (int k = 0; k < LB_KINDS; k++)
		for (int s = 0; s < LB_SIZES; s++) {
			char *p = lb_sql[k][s], *end = p + sizeof lb_sql[k][s];
			p += snprintf(p, (size_t)(end - p), "%s", head[k]);
			for (int r = 0; r < LB_CHUNK >> s; r++)
				p += snprintf(p, (size_t)(end - p), "%s%s", r ? "," : "", row[k]);
			snprintf(p, (size_t)(end - p), "%s", k == LB_ROWS ? BALANCES_TAIL : "");
		}
}

typedef struct lb_write {
	fc_db *db;
	const fc_ledger_batch *b;
	lb_row *rows;
	size_t nrows;
	fc_err *err;
} lb_write;

static fc_value lb_text(const char *s) { return (fc_value){.text = s, .len = strlen(s)}; }
static fc_value lb_int(int64_t i) { return (fc_value){.i = i}; }

/* Row i of kind's statement as parameters. */
static void lb_fill(const lb_write *w, int kind, size_t i, fc_value *v)
{
	const char *tx = w->b->text.p;
	if (kind == LB_TXNS) {
		const lb_txn *t = &w->b->t[i];
		v[0] = lb_int(t->id), v[1] = lb_text(tx + t->cur), v[2] = lb_text(tx + t->memo);
		v[3] = lb_text(tx + t->ref), v[4] = lb_int(t->at);
	} else if (kind == LB_ENTRIES) {
		const lb_entry *x = &w->b->e[i];
		const lb_txn *t = &w->b->t[x->txn];
		v[0] = lb_int(x->id), v[1] = lb_int(t->id), v[2] = lb_text(tx + x->account), v[3] = lb_int(x->amount);
		v[4] = lb_text(tx + t->cur), v[5] = lb_int(t->at), v[6] = lb_int(x->prev);
	} else {
		const lb_row *r = &w->rows[i];
		v[0] = lb_text(r->account), v[1] = lb_text(r->cur), v[2] = lb_int(r->shard), v[3] = lb_int(r->delta);
		v[4] = lb_int(r->last_txn), v[5] = lb_int(r->shard ? 0 : r->head);
	}
}

static int lb_insert(const lb_write *w, int kind, size_t n)
{
	fc_value v[LB_CHUNK * 7];
	int rc = 0;
	for (size_t i = 0; !rc && i < n;) {
		int s = 0;
		while ((size_t)(LB_CHUNK >> s) > n - i)
			s++;
		size_t k = (size_t)(LB_CHUNK >> s);
		for (size_t r = 0; r < k; r++)
			lb_fill(w, kind, i + r, v + r * (size_t)LB_PARAMS[kind]);
		rc = fc_db_exec_values(w->db, w->err, lb_sql[kind][s], v, (int)k * LB_PARAMS[kind]);
		i += k;
	}
	return rc;
}

/* Locks the existing balance rows of the batch's accounts (every shard,
 * every currency) in account order and reads each chain's head; *missing:
 * unsharded rows that do not exist yet (an account's first posting). */
static int lb_lock(const lb_write *w, const char *accounts, size_t *missing)
{
	fc_stmt *st;
	int rc = fc_db_query(w->db, &st, w->err,
			     "SELECT account, currency, shard, COALESCE(last_entry,0) FROM ledger_balances "
			     "WHERE account IN (SELECT value FROM json_each(?)) ORDER BY account, currency, shard FOR UPDATE",
			     "t", accounts);
	if (rc)
		return rc;
	while (fc_stmt_next(st) == 1) {
		lb_row key = {.account = fc_stmt_text(st, 0),
			      .cur = fc_stmt_text(st, 1),
			      .shard = (int)fc_stmt_int(st, 2)};
		lb_row *r = key.account && key.cur ? bsearch(&key, w->rows, w->nrows, sizeof *r, row_cmp) : NULL;
		if (r) {
			r->found = 1;
			r->head = fc_stmt_int(st, 3);
		}
	}
	fc_stmt_done(st);
	*missing = 0;
	for (size_t i = 0; i < w->nrows; i++)
		*missing += !w->rows[i].found && !w->rows[i].shard && !sharded(w->rows[i].account);
	return 0;
}

/* The rows the batch touches, sorted and unique; each entry's row set. */
static size_t lb_rows(fc_ledger_batch *b, lb_row *rows)
{
	const char *tx = b->text.p;
	for (size_t i = 0; i < b->ne; i++) {
		const lb_entry *x = &b->e[i];
		rows[i] = (lb_row){.account = tx + x->account,
				   .cur = tx + b->t[x->txn].cur,
				   .shard = shard_of(tx + x->account, b->t[x->txn].id)};
	}
	qsort(rows, b->ne, sizeof *rows, row_cmp);
	size_t k = 0;
	for (size_t i = 0; i < b->ne; i++)
		if (!k || row_cmp(&rows[k - 1], &rows[i]))
			rows[k++] = rows[i];
	for (size_t i = 0; i < b->ne; i++) {
		lb_entry *x = &b->e[i];
		lb_row key = {.account = tx + x->account,
			      .cur = tx + b->t[x->txn].cur,
			      .shard = shard_of(tx + x->account, b->t[x->txn].id)};
		x->row = (size_t)((lb_row *)bsearch(&key, rows, k, sizeof *rows, row_cmp) - rows);
	}
	return k;
}

/* The chain: each unsharded entry links to its account's previous one. */
static void lb_chain(fc_ledger_batch *b, lb_row *rows, const int64_t *ids)
{
	for (size_t i = 0; i < b->ne; i++) {
		lb_entry *x = &b->e[i];
		lb_row *r = &rows[x->row];
		int64_t txn = b->t[x->txn].id;
		x->id = ids[i];
		x->prev = sharded(r->account) ? 0 : r->head;
		if (!sharded(r->account))
			r->head = x->id;
		r->delta += x->amount;
		if (txn > r->last_txn)
			r->last_txn = txn;
	}
}

int fc_ledger_batch_write(fc_db *db, fc_ledger_batch *b, fc_err *err)
{
	if (!b || !b->nt)
		return 0;
	pthread_once(&lb_once, lb_sql_make);
	size_t most = b->nt > b->ne ? b->nt : b->ne;
	int64_t *ids = malloc(most * sizeof *ids);
	lb_row *rows = malloc((b->ne ? b->ne : 1) * sizeof *rows);
	fc_buf accounts = {0};
	lb_write w = {db, b, rows, 0, err};
	int rc = ids && rows ? 0 : fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	if (!rc && !(rc = fc_db_reserve_ids(db, "ledger_txns", (int64_t)b->nt, ids, err)))
		for (size_t i = 0; i < b->nt; i++)
			b->t[i].id = ids[i];
	if (!rc)
		w.nrows = lb_rows(b, rows);
	/* the accounts once each, in order: a JSON array for json_each */
	int bad = fc_buf_puts(&accounts, "[");
	for (size_t i = 0; !rc && i < w.nrows; i++)
		if (!i || strcmp(rows[i - 1].account, rows[i].account))
			bad |= (i && fc_buf_puts(&accounts, ",")) || fc_buf_json_str(&accounts, rows[i].account);
	if (!rc && (bad || fc_buf_puts(&accounts, "]")))
		rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	size_t missing = 0;
	if (!rc && w.nrows)
		rc = lb_lock(&w, accounts.p, &missing);
	/* an account's first row: made (or waited for, when another
	 * transaction is making it) before its chain head is read under the lock */
	for (size_t i = 0; !rc && missing && i < w.nrows; i++)
		if (!rows[i].found && !rows[i].shard && !sharded(rows[i].account))
			rc = fc_db_exec(db, err,
					"INSERT INTO ledger_balances(account,currency,shard,balance,last_txn) "
					"VALUES(?,?,0,0,0) ON CONFLICT(account,currency,shard) DO NOTHING",
					"tt", rows[i].account, rows[i].cur);
	if (!rc && missing)
		rc = lb_lock(&w, accounts.p, &missing);
	if (!rc && b->ne && !(rc = fc_db_reserve_ids(db, "ledger_entries", (int64_t)b->ne, ids, err)))
		lb_chain(b, rows, ids);
	if (!rc)
		rc = lb_insert(&w, LB_TXNS, b->nt);
	if (!rc)
		rc = lb_insert(&w, LB_ENTRIES, b->ne);
	if (!rc)
		rc = lb_insert(&w, LB_ROWS, w.nrows);
	fc_buf_free(&accounts);
	free(ids);
	free(rows);
	b->nt = b->ne = 0;
	fc_buf_reset(&b->text);
	return rc;
}
