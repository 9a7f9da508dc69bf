/* The ledger check: the invariants the money code promises, verified from
 * the stored entries alone. Safe while the server runs (a read transaction
 * under WAL sees one consistent snapshot).
 *
 * One pass over the entries in id order, in pages of PAGE rows (keyset on
 * the id, so neither back end holds more than a page), each joined to its
 * transaction. Per entry it checks the currency and the transaction's
 * existence, and adds the amount to two running sums:
 *  - per transaction: a ledger transaction's entries are written together,
 *    so they are almost always adjacent; a run of adjacent entries of one
 *    transaction that does not sum to zero is kept in a small table, and
 *    what that table holds at the end, still non-zero, is unbalanced;
 *  - per (account, currency): an open-addressing table, one slot per
 *    account, which then gives the negative balances, the payout_pending
 *    comparison and the summary by currency and kind.
 * Then the stored balances (ledger_balances, one row per account, currency
 * and shard, which the balance readers use) are added to the same table and
 * every account whose rows differ from its entries' sum is reported.
 * The statement chains are checked on the way: an entry's link (prev_id)
 * must name the account's previous entry, an account's entries, once
 * linked, stay linked (escrow's never are), and a balance row's last_entry
 * must be the account's newest entry — so a statement (the chain from the
 * row, and the unlinked entries) holds every entry once.
 * Memory is the account table (~60 bytes an account), never the entries:
 * the GROUP BY queries this replaces sorted millions of rows in temporary
 * b-trees (23 s and 308 MB over 2.3 M transactions). */
#include "money/money.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 65536
#define SHOWN 20

typedef struct slot {
	uint32_t hash; /* 0: empty */
	uint32_t key;  /* offset of "account\0currency\0" in the key arena; flags in the top bits */
	int64_t sum;   /* of the entries; at the end, minus the account's balance rows */
	int64_t last;  /* the account's newest entry so far (the scan is in id order) */
} slot;

#define SEEN 0x80000000u   /* matched by an open payout */
#define LINKED 0x40000000u /* an entry of the account has had a link (prev_id) */
#define KEY(t, s) ((t)->keys + ((s)->key & ~(SEEN | LINKED)))

typedef struct table {
	slot *s;
	size_t cap, n; /* cap: a power of two */
	char *keys;
	size_t klen, kcap;
} table;

/* up to SHOWN lines of one kind of violation, and how many there were */
typedef struct finding {
	const char *what;
	char lines[SHOWN][200];
	int64_t n;
} finding;

static void found(finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void found(finding *f, const char *fmt, ...)
{
	if (f->n < SHOWN) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(f->lines[f->n], sizeof f->lines[f->n], fmt, ap);
		va_end(ap);
	}
	f->n++;
}

static void report(FILE *out, const finding *f, int64_t *v)
{
	for (int64_t i = 0; i < f->n && i < SHOWN; i++)
		fprintf(out, "VIOLATION %s: %s\n", f->what, f->lines[i]);
	if (f->n > SHOWN)
		fprintf(out, "VIOLATION %s: … and %lld more\n", f->what, (long long)(f->n - SHOWN));
	*v += f->n;
}

static uint32_t hash2(const char *a, const char *b)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (; *b; b++)
		h = (h ^ (unsigned char)*b) * 16777619u;
	return h ? h : 1;
}

static int grow(table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 4096;
	slot *s = calloc(cap, sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->s[i].hash)
			continue;
		size_t j = t->s[i].hash & (cap - 1);
		while (s[j].hash)
			j = (j + 1) & (cap - 1);
		s[j] = t->s[i];
	}
	free(t->s);
	t->s = s;
	t->cap = cap;
	return 0;
}

/* The slot of (account, currency), created at 0; NULL when out of memory. */
static slot *lookup(table *t, const char *account, const char *currency)
{
	if ((t->n + 1) * 4 > t->cap * 3 && grow(t))
		return NULL;
	uint32_t h = hash2(account, currency);
	size_t j = h & (t->cap - 1);
	for (; t->s[j].hash; j = (j + 1) & (t->cap - 1)) {
		const char *k = KEY(t, &t->s[j]);
		if (t->s[j].hash == h && !strcmp(k, account) && !strcmp(k + strlen(k) + 1, currency))
			return &t->s[j];
	}
	size_t la = strlen(account) + 1, lc = strlen(currency) + 1;
	if (t->klen + la + lc >= LINKED)
		return NULL; /* 1 GiB of account names */
	if (t->klen + la + lc > t->kcap) {
		size_t cap = t->kcap ? t->kcap * 2 : 1 << 16;
		while (cap < t->klen + la + lc)
			cap *= 2;
		char *k = realloc(t->keys, cap);
		if (!k)
			return NULL;
		t->keys = k;
		t->kcap = cap;
	}
	memcpy(t->keys + t->klen, account, la);
	memcpy(t->keys + t->klen + la, currency, lc);
	t->s[j] = (slot){.hash = h, .key = (uint32_t)t->klen};
	t->klen += la + lc;
	t->n++;
	return &t->s[j];
}

/* Transactions whose entries seen so far do not sum to zero: id → sum, in
 * linear probing with backward-shift deletion, so a transaction leaves the
 * table as soon as its entries balance. Entries written by the server are
 * adjacent per transaction and never get here while they balance. */
typedef struct txn_sum {
	int64_t id, sum; /* id 0: empty */
} txn_sum;

typedef struct open_txns {
	txn_sum *e;
	size_t n, cap;
} open_txns;

static size_t home(int64_t id, size_t mask) { return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ULL) >> 20) & mask; }

static int open_grow(open_txns *o)
{
	size_t cap = o->cap ? o->cap * 2 : 1024;
	txn_sum *e = calloc(cap, sizeof *e), *old = o->e;
	if (!e)
		return -1;
	for (size_t i = 0; i < o->cap; i++)
		if (old[i].id) {
			size_t j = home(old[i].id, cap - 1);
			while (e[j].id)
				j = (j + 1) & (cap - 1);
			e[j] = old[i];
		}
	free(old);
	o->e = e;
	o->cap = cap;
	return 0;
}

static int add_run(open_txns *o, int64_t id, int64_t sum)
{
	if ((o->n + 1) * 2 > o->cap && open_grow(o))
		return -1;
	size_t mask = o->cap - 1, j = home(id, mask);
	while (o->e[j].id && o->e[j].id != id)
		j = (j + 1) & mask;
	if (!o->e[j].id) {
		o->e[j].id = id;
		o->e[j].sum = sum;
		o->n++;
		return 0;
	}
	if ((o->e[j].sum += sum))
		return 0;
	/* balanced: remove, shifting back the entries that probed past it */
	o->n--;
	for (size_t k = (j + 1) & mask; o->e[k].id; k = (k + 1) & mask) {
		if (((k - home(o->e[k].id, mask)) & mask) >= ((k - j) & mask)) {
			o->e[j] = o->e[k];
			j = k;
		}
	}
	o->e[j].id = 0;
	return 0;
}

static int by_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int is_owed(const char *account)
{
	return !strncmp(account, "pending:", 8) || !strncmp(account, "available:", 10) ||
	       !strncmp(account, "payout_pending:", 15) || !strncmp(account, "paid:", 5);
}

typedef struct group {
	char currency[16], kind[32];
	int64_t sum, accounts;
} group;

static int by_group(const void *a, const void *b)
{
	const group *x = a, *y = b;
	int c = strcmp(x->currency, y->currency);
	return c ? c : strcmp(x->kind, y->kind);
}

static int oom(fc_err *err) { return fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory."); }

/* Pass over the entries: fills the account table and the runs, finds
 * currency mismatches and orphans. */
static int scan(fc_db *db, table *t, open_txns *o, finding *mismatch, finding *orphan, finding *chain, int64_t *entries,
		fc_err *err)
{
	int64_t after = 0, run_txn = 0, run_sum = 0;
	for (;;) {
		fc_stmt *st;
		int rc = fc_db_query(db, &st, err,
				     "SELECT e.id, e.txn_id, e.account, e.amount, e.currency, t.currency, e.prev_id FROM ledger_entries e "
				     "LEFT JOIN ledger_txns t ON t.id=e.txn_id WHERE e.id>? ORDER BY e.id LIMIT 65536",
				     "I", after);
		if (rc)
			return rc;
		int r, k = 0;
		while ((r = fc_stmt_next(st)) == 1) {
			int64_t id = fc_stmt_int(st, 0), txn = fc_stmt_int(st, 1), amount = fc_stmt_int(st, 3);
			const char *account = fc_stmt_text(st, 2), *cur = fc_stmt_text(st, 4);
			after = id;
			k++;
			if (txn != run_txn) {
				if (run_sum && add_run(o, run_txn, run_sum)) {
					fc_stmt_done(st);
					return oom(err);
				}
				run_txn = txn;
				run_sum = 0;
			}
			run_sum += amount;
			if (fc_stmt_isnull(st, 5))
				found(orphan, "entry %lld names missing txn %lld", (long long)id, (long long)txn);
			else if (strcmp(cur, fc_stmt_text(st, 5)))
				found(mismatch, "entry %lld is %s in %s txn %lld", (long long)id, cur,
				      fc_stmt_text(st, 5), (long long)txn);
			slot *s = lookup(t, account, cur);
			if (!s) {
				fc_stmt_done(st);
				return oom(err);
			}
			s->sum += amount;
			if (!fc_stmt_isnull(st, 6)) {
				if (fc_stmt_int(st, 6) != s->last)
					found(chain,
					      "entry %lld of %s links to %lld, the account's previous entry is %lld",
					      (long long)id, account, (long long)fc_stmt_int(st, 6), (long long)s->last);
				s->key |= LINKED;
			} else if ((s->key & LINKED) && strncmp(account, "escrow:", 7)) {
				found(chain, "entry %lld of %s has no link after linked ones", (long long)id, account);
			}
			s->last = id;
		}
		fc_stmt_done(st);
		if (r < 0)
			return fc_err_set(err, FC_EDB, "database_error", NULL, "The ledger could not be read.");
		*entries += k;
		if (k < PAGE)
			break;
	}
	if (run_sum && add_run(o, run_txn, run_sum))
		return oom(err);
	return 0;
}

/* What is left in the table does not balance; reported by id. */
static void unbalanced(open_txns *o, finding *f)
{
	size_t n = 0;
	for (size_t i = 0; i < o->cap; i++)
		if (o->e[i].id)
			o->e[n++] = o->e[i];
	qsort(o->e, n, sizeof *o->e, by_id);
	for (size_t i = 0; i < n; i++)
		found(f, "txn %lld sums to %lld", (long long)o->e[i].id, (long long)o->e[i].sum);
}

/* Open payouts (requested or batched) against the payout_pending balances. */
static int payouts(fc_db *db, table *t, finding *f, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT user_id, currency, SUM(amount) FROM payouts WHERE status IN ('requested','batched') "
			     "GROUP BY user_id, currency ORDER BY user_id, currency",
			     "");
	if (rc)
		return rc;
	int r;
	while ((r = fc_stmt_next(st)) == 1) {
		char account[48];
		snprintf(account, sizeof account, "payout_pending:%lld", (long long)fc_stmt_int(st, 0));
		int64_t owed = fc_stmt_int(st, 2);
		slot *s = lookup(t, account, fc_stmt_text(st, 1));
		if (!s) {
			fc_stmt_done(st);
			return oom(err);
		}
		s->key |= SEEN;
		if (s->sum != owed)
			found(f, "%s: payouts %lld, ledger %lld", account, (long long)owed, (long long)s->sum);
	}
	fc_stmt_done(st);
	if (r < 0)
		return fc_err_set(err, FC_EDB, "database_error", NULL, "The payouts could not be read.");
	for (size_t i = 0; i < t->cap; i++) {
		const char *k = KEY(t, &t->s[i]);
		if (t->s[i].hash && !(t->s[i].key & SEEN) && t->s[i].sum && !strncmp(k, "payout_pending:", 15))
			found(f, "%s: payouts 0, ledger %lld", k, (long long)t->s[i].sum);
	}
	return 0;
}

/* The stored balance rows against the entries' sums: the rows are taken
 * off each account's sum (the last use of it), so what is left non-zero
 * drifted; the few shown are read again for their figures. */
static int stored(fc_db *db, table *t, finding *f, finding *chain, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err, "SELECT account, currency, balance, last_entry FROM ledger_balances", "");
	if (rc)
		return rc;
	int r;
	while ((r = fc_stmt_next(st)) == 1) {
		slot *s = lookup(t, fc_stmt_text(st, 0), fc_stmt_text(st, 1));
		if (!s) {
			fc_stmt_done(st);
			return oom(err);
		}
		s->sum -= fc_stmt_int(st, 2);
		if (!fc_stmt_isnull(st, 3) && fc_stmt_int(st, 3) != s->last)
			found(chain, "%s %s: balance row names entry %lld, the newest is %lld", fc_stmt_text(st, 0),
			      fc_stmt_text(st, 1), (long long)fc_stmt_int(st, 3), (long long)s->last);
	}
	fc_stmt_done(st);
	if (r < 0)
		return fc_err_set(err, FC_EDB, "database_error", NULL, "The balances could not be read.");
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->s[i].hash || !t->s[i].sum)
			continue;
		const char *k = KEY(t, &t->s[i]), *cur = k + strlen(k) + 1;
		int64_t rows = 0;
		if (f->n < SHOWN &&
		    (rc = fc_db_int(db, &rows, err,
				    "SELECT COALESCE(SUM(balance),0) FROM ledger_balances WHERE account=? AND currency=?",
				    "tt", k, cur)))
			return rc;
		found(f, "%s %s: balance %lld, entries %lld", k, cur, (long long)rows, (long long)(rows + t->s[i].sum));
	}
	return 0;
}

/* Negative balances, and the summary by currency and account kind. */
static int balances(const table *t, finding *negative, group **out, size_t *ng)
{
	group *g = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->s[i].hash)
			continue;
		const char *account = KEY(t, &t->s[i]), *cur = account + strlen(account) + 1;
		if (t->s[i].sum < 0 && is_owed(account))
			found(negative, "%s %s = %lld", account, cur, (long long)t->s[i].sum);
		const char *colon = strchr(account, ':');
		int kl = colon ? (int)(colon - account) : (int)strlen(account);
		size_t j = 0;
		while (j < n && (strcmp(g[j].currency, cur) || strncmp(g[j].kind, account, kl) || g[j].kind[kl]))
			j++;
		if (j == n) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				group *ng2 = realloc(g, cap * sizeof *g);
				if (!ng2) {
					free(g);
					return -1;
				}
				g = ng2;
			}
			memset(&g[n], 0, sizeof g[n]);
			snprintf(g[n].currency, sizeof g[n].currency, "%s", cur);
			snprintf(g[n].kind, sizeof g[n].kind, "%.*s", kl, account);
			n++;
		}
		g[j].sum += t->s[i].sum;
		g[j].accounts++;
	}
	qsort(g, n, sizeof *g, by_group);
	*out = g;
	*ng = n;
	return 0;
}

int fc_money_ledger_check(fc_store *s, FILE *out, int64_t *v, fc_err *err)
{
	*v = 0;
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	table t = {0};
	open_txns o = {0};
	group *g = NULL;
	size_t ng = 0;
	int64_t entries = 0, txns = 0;
	finding *f = calloc(7, sizeof *f);
	if (!f) {
		fc_db_rollback(db);
		return oom(err);
	}
	f[0].what = "unbalanced transaction";
	f[1].what = "currency mismatch";
	f[2].what = "orphan entry";
	f[3].what = "negative balance";
	f[4].what = "payouts disagree with payout_pending";
	f[5].what = "balance row disagrees with the entries";
	f[6].what = "statement chain broken";
	if ((rc = scan(db, &t, &o, &f[1], &f[2], &f[6], &entries, err)))
		goto out;
	unbalanced(&o, &f[0]);
	if (balances(&t, &f[3], &g, &ng)) {
		rc = oom(err);
		goto out;
	}
	if ((rc = payouts(db, &t, &f[4], err)) || (rc = stored(db, &t, &f[5], &f[6], err)))
		goto out;
	for (int i = 0; i < 7; i++)
		report(out, &f[i], v);
	fc_db_int(db, &txns, NULL, "SELECT COUNT(*) FROM ledger_txns", "");
	fprintf(out, "ledger: %lld transactions, %lld entries\n", (long long)txns, (long long)entries);
	for (size_t i = 0; i < ng; i++)
		fprintf(out, "  %s %-15s %15lld  (%lld account%s)\n", g[i].currency, g[i].kind, (long long)g[i].sum,
			(long long)g[i].accounts, g[i].accounts == 1 ? "" : "s");
	fprintf(out, "%s: %lld violation%s\n", *v ? "FAILED" : "ok", (long long)*v, *v == 1 ? "" : "s");
out:
	fc_db_rollback(db);
	free(f);
	free(g);
	free(o.e);
	free(t.s);
	free(t.keys);
	return rc;
}
