/* Payouts: request (available → payout_pending), batch (handed to a
 * provider), confirm (payout_pending → paid), latency. And the built-in CSV
 * provider. */
#include "money/payout.h"
#include "core/clock.h"
#include "core/json.h"
#include "events/events.h"
#include "money/ledger.h"
#include "money/money.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void account_name(char *buf, size_t n, const char *kind, int64_t id)
{
	snprintf(buf, n, "%s:%lld", kind, (long long)id);
}

#define PAYOUT_COLUMNS "id,amount,currency,status,batch_id,requested_at,paid_at"

static json_t *payout_json(fc_stmt *st)
{
	char ts[32], ts2[32];
	int paid = !fc_stmt_isnull(st, 6);
	return json_pack("{s:I,s:I,s:s,s:s,s:o,s:s,s:o,s:o}", "id", (json_int_t)fc_stmt_int(st, 0), "amount",
			 (json_int_t)fc_stmt_int(st, 1), "currency", fc_stmt_text(st, 2), "status", fc_stmt_text(st, 3),
			 "batch_id", fc_stmt_isnull(st, 4) ? json_null() : json_integer((json_int_t)fc_stmt_int(st, 4)),
			 "requested_at", fc_clock_format(fc_stmt_int(st, 5), ts, sizeof ts), "paid_at",
			 paid ? json_string(fc_clock_format(fc_stmt_int(st, 6), ts2, sizeof ts2)) : json_null(),
			 "latency_seconds",
			 paid ? json_integer((json_int_t)(fc_stmt_int(st, 6) - fc_stmt_int(st, 5))) : json_null());
}

static int payout_get(fc_db *db, int64_t id, json_t **out, fc_err *err)
{
	return fc_db_row_json(db, out, err, payout_json, "payout", "SELECT " PAYOUT_COLUMNS " FROM payouts WHERE id=?",
			      "I", id);
}

int fc_money_payout_request(fc_store *s, const fc_user *user, const json_t *body, const char *idem_key, json_t **out,
			    int *replayed, fc_err *err)
{
	static const fc_field F[] = {{"amount", FC_J_INT | FC_J_REQUIRED}, {"currency", FC_J_STRING}, {0}};
	*replayed = 0;
	int rc = fc_json_check(body, F, err);
	if (rc)
		return rc;
	int64_t amount = fc_json_int(body, "amount", 0);
	const char *cur = fc_json_str(body, "currency", "USD");
	if (amount <= 0)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "amount",
				  "amount must be a positive number of minor units.");
	if (strlen(cur) != 3 || strspn(cur, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "currency",
				  "currency must be a 3-letter ISO 4217 code.");
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	int64_t id, minimum, avail;
	if (idem_key && !fc_db_int(db, &id, NULL, "SELECT id FROM payouts WHERE user_id=? AND idempotency=?", "It",
				   user->id, idem_key)) {
		*replayed = 1;
		rc = payout_get(db, id, out, err);
		goto out;
	}
	char avail_acct[48], pend_acct[48], ref[48];
	account_name(avail_acct, sizeof avail_acct, "available", user->id);
	account_name(pend_acct, sizeof pend_acct, "payout_pending", user->id);
	if ((rc = fc_money_setting(db, "payout_minimum", 500, &minimum, err)) ||
	    (rc = fc_ledger_balance_cur(db, avail_acct, cur, &avail, err)))
		goto out;
	if (amount < minimum) {
		rc = fc_err_set(err, FC_ECONFLICT, "payout_minimum", "amount",
				"The smallest payout is %lld; you asked for %lld.", (long long)minimum,
				(long long)amount);
		goto out;
	}
	if (amount > avail) {
		rc = fc_err_set(err, FC_ECONFLICT, "insufficient_available", "amount",
				"You have %lld available to pay out; you asked for %lld.", (long long)avail,
				(long long)amount);
		goto out;
	}
	int64_t now = fc_clock_now();
	if ((rc = fc_db_int(db, &id, err,
			    "INSERT INTO payouts(user_id,amount,currency,status,requested_at,idempotency) "
			    "VALUES(?,?,?,'requested',?,?) RETURNING id",
			    "IItIt", user->id, amount, cur, now, idem_key)))
		goto out;
	account_name(ref, sizeof ref, "payout", id);
	fc_entry e[] = {{avail_acct, -amount}, {pend_acct, amount}};
	if ((rc = fc_ledger_post(db, cur, "payout requested", ref, e, 2, NULL, err)))
		goto out;
	rc = payout_get(db, id, out, err);
out:
	return fc_db_end(db, &rc, err);
}

/* Request → paid latency over the paid payouts the queries select; key (a
 * user or batch id, 0 for none) is bound as their first parameter. */
static int latency(fc_db *db, const char *count_sql, const char *nth_sql, int64_t key, json_t **out, fc_err *err)
{
	int64_t n = 0, med = 0, p90 = 0, max = 0;
	int rc = key ? fc_db_int(db, &n, err, count_sql, "I", key) : fc_db_int(db, &n, err, count_sql, "");
	if (rc)
		return rc;
	if (n > 0) {
		int64_t at[3] = {(n - 1) / 2, (n * 9 - 1) / 10, n - 1}, *dst[3] = {&med, &p90, &max};
		for (int i = 0; !rc && i < 3; i++)
			rc = key ? fc_db_int(db, dst[i], err, nth_sql, "II", key, at[i])
				 : fc_db_int(db, dst[i], err, nth_sql, "I", at[i]);
		if (rc)
			return rc;
	}
	*out = json_pack("{s:I,s:o,s:o,s:o}", "paid", (json_int_t)n, "median_seconds",
			 n ? json_integer((json_int_t)med) : json_null(), "p90_seconds",
			 n ? json_integer((json_int_t)p90) : json_null(), "max_seconds",
			 n ? json_integer((json_int_t)max) : json_null());
	return 0;
}

int fc_money_payouts_list(fc_store *s, const fc_user *user, int limit, int64_t after, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	json_t *page = NULL, *lat = NULL;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT " PAYOUT_COLUMNS " FROM payouts WHERE user_id=? AND id>? ORDER BY id LIMIT ?",
			      "IIi", user->id, after, limit + 1)))
		goto out;
	page = fc_stmt_page(st, limit, payout_json);
	fc_stmt_done(st);
	if ((rc = latency(db, "SELECT COUNT(*) FROM payouts WHERE user_id=? AND status='paid'",
			  "SELECT paid_at-requested_at FROM payouts WHERE user_id=? AND status='paid' "
			  "ORDER BY paid_at-requested_at LIMIT 1 OFFSET ?",
			  user->id, &lat, err)))
		goto out;
	json_object_set_new(page, "latency", lat);
	*out = page;
	page = NULL;
out:
	json_decref(page);
	fc_db_rollback(db);
	return rc;
}

int fc_money_payout_batch(fc_store *s, const fc_user *user, const char *data_dir, const fc_payout_provider *provider,
			  json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	fc_payout_line *lines = NULL;
	size_t n = 0, cap = 0;
	int64_t total = 0, max_id = 0;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT p.id, p.user_id, u.email, p.amount, p.currency FROM payouts p JOIN users u ON "
			      "u.id=p.user_id WHERE p.status='requested' ORDER BY p.id",
			      "")))
		goto out;
	while (fc_stmt_next(st) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			fc_payout_line *nl = realloc(lines, cap * sizeof *lines);
			if (!nl) {
				rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
				break;
			}
			lines = nl;
		}
		fc_payout_line *l = &lines[n];
		l->payout_id = fc_stmt_int(st, 0);
		l->user_id = fc_stmt_int(st, 1);
		l->email = strdup(fc_stmt_text(st, 2));
		l->amount = fc_stmt_int(st, 3);
		l->currency = strdup(fc_stmt_text(st, 4));
		n++;
		if (!l->email || !l->currency) {
			rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
			break;
		}
		total += l->amount;
		max_id = l->payout_id;
	}
	fc_stmt_done(st);
	if (rc)
		goto out;
	if (n == 0) {
		rc = fc_err_set(err, FC_ECONFLICT, "no_requested_payouts", NULL, "No payouts are waiting to be batched.");
		goto out;
	}
	int64_t now = fc_clock_now(), id;
	if ((rc = fc_db_int(db, &id, err,
			    "INSERT INTO payout_batches(created_by,provider,count,total,created_at) VALUES(?,?,?,?,?) "
			    "RETURNING id",
			    "ItIII", user ? user->id : 0, provider->name, (int64_t)n, total, now)) ||
	    (rc = fc_db_exec(db, err, "UPDATE payouts SET status='batched', batch_id=? WHERE status='requested' AND id<=?",
			     "II", id, max_id)))
		goto out;
	char dir[1100], file[1200];
	snprintf(dir, sizeof dir, "%s/payouts", data_dir);
	if (mkdir(dir, 0700) && errno != EEXIST) {
		rc = fc_err_set(err, FC_EIO, "io_error", NULL, "Cannot create the payouts folder.");
		goto out;
	}
	snprintf(file, sizeof file, "%s/batch-%lld.csv", dir, (long long)id);
	fc_payout_batch b = {.id = id, .created_at = now, .count = n, .total = total, .lines = lines};
	/* the provider runs inside the transaction: if it fails, nothing is batched */
	if ((rc = provider->submit(&b, file, err)) ||
	    (rc = fc_db_exec(db, err, "UPDATE payout_batches SET file=? WHERE id=?", "tI", file, id)))
		goto out;
	*out = json_pack("{s:I,s:I,s:I,s:s,s:s}", "batch_id", (json_int_t)id, "count", (json_int_t)n, "total",
			 (json_int_t)total, "file", file, "provider", provider->name);
out:
	for (size_t i = 0; i < n; i++) {
		free((char *)lines[i].email);
		free((char *)lines[i].currency);
	}
	free(lines);
	return fc_db_end(db, &rc, err);
}

int fc_money_payout_confirm(fc_store *s, const fc_user *user, int64_t batch, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	char status[16] = "";
	if ((rc = fc_db_query(db, &st, err, "SELECT status FROM payout_batches WHERE id=?", "I", batch)))
		goto out;
	if (fc_stmt_next(st) == 1)
		snprintf(status, sizeof status, "%s", fc_stmt_text(st, 0));
	fc_stmt_done(st);
	if (!status[0]) {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such payout batch.");
		goto out;
	}
	if (!strcmp(status, "confirmed")) {
		rc = fc_err_set(err, FC_ECONFLICT, "already_confirmed", NULL,
				"This batch was already confirmed as paid.");
		goto out;
	}
	int64_t now = fc_clock_now(), count = 0, total = 0;
	struct row {
		int64_t id, user, amount;
		char cur[8];
	} *rows = NULL;
	size_t n = 0, cap = 0;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT id, user_id, amount, currency FROM payouts WHERE batch_id=? AND status='batched' ORDER BY id",
			      "I", batch)))
		goto out;
	while (fc_stmt_next(st) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			struct row *nr = realloc(rows, cap * sizeof *rows);
			if (!nr) {
				rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
				break;
			}
			rows = nr;
		}
		rows[n].id = fc_stmt_int(st, 0);
		rows[n].user = fc_stmt_int(st, 1);
		rows[n].amount = fc_stmt_int(st, 2);
		snprintf(rows[n].cur, sizeof rows[n].cur, "%s", fc_stmt_text(st, 3));
		n++;
	}
	fc_stmt_done(st);
	for (size_t i = 0; !rc && i < n; i++) {
		char from[48], to[48], ref[48];
		account_name(from, sizeof from, "payout_pending", rows[i].user);
		account_name(to, sizeof to, "paid", rows[i].user);
		account_name(ref, sizeof ref, "payout", rows[i].id);
		fc_entry e[] = {{from, -rows[i].amount}, {to, rows[i].amount}};
		rc = fc_ledger_post(db, rows[i].cur, "payout sent", ref, e, 2, NULL, err);
		count++;
		total += rows[i].amount;
	}
	free(rows);
	if (rc ||
	    (rc = fc_db_exec(db, err, "UPDATE payouts SET status='paid', paid_at=? WHERE batch_id=? AND status='batched'",
			     "II", now, batch)) ||
	    (rc = fc_db_exec(db, err, "UPDATE payout_batches SET status='confirmed', confirmed_at=? WHERE id=?", "II",
			     now, batch)))
		goto out;
	/* recorded in the audit log by privacy/, in this transaction */
	fc_event ev = {.kind = FC_EV_PAYOUT_CONFIRMED,
		       .actor = user ? user->id : 0,
		       .ref = batch,
		       .count = count,
		       .amount = total};
	if ((rc = fc_events_publish(db, &ev, err)))
		goto out;
	json_t *lat = NULL;
	if ((rc = latency(db, "SELECT COUNT(*) FROM payouts WHERE batch_id=? AND status='paid'",
			  "SELECT paid_at-requested_at FROM payouts WHERE batch_id=? AND status='paid' ORDER BY paid_at-requested_at "
			  "LIMIT 1 OFFSET ?",
			  batch, &lat, err)))
		goto out;
	char ts[32];
	*out = json_pack("{s:I,s:I,s:I,s:s,s:o}", "batch_id", (json_int_t)batch, "count", (json_int_t)count, "total",
			 (json_int_t)total, "paid_at", fc_clock_format(now, ts, sizeof ts), "latency", lat);
out:
	return fc_db_end(db, &rc, err);
}

int fc_money_payout_stats(fc_store *s, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	json_t *by = json_object(), *lat = NULL;
	static const char *states[] = {"requested", "batched", "paid"};
	for (int i = 0; i < 3; i++)
		json_object_set_new(by, states[i],
				    json_pack("{s:I,s:I}", "count", (json_int_t)0, "total", (json_int_t)0));
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err, "SELECT status, COUNT(*), SUM(amount) FROM payouts GROUP BY status", "")))
		goto out;
	while (fc_stmt_next(st) == 1)
		json_object_set_new(by, fc_stmt_text(st, 0),
				    json_pack("{s:I,s:I}", "count", (json_int_t)fc_stmt_int(st, 1), "total",
					      (json_int_t)fc_stmt_int(st, 2)));
	fc_stmt_done(st);
	if ((rc = latency(db, "SELECT COUNT(*) FROM payouts WHERE status='paid'",
			  "SELECT paid_at-requested_at FROM payouts WHERE status='paid' ORDER BY paid_at-requested_at "
			  "LIMIT 1 OFFSET ?",
			  0, &lat, err)))
		goto out;
	json_object_set_new(by, "latency", lat);
	*out = by;
	by = NULL;
out:
	json_decref(by);
	fc_db_rollback(db);
	return rc;
}

/* ---------------- the CSV provider ---------------- */

static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* Digits of a currency's minor unit (ISO 4217): most have 2. */
static int minor_digits(const char *currency)
{
	static const char zero[] = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF";
	static const char three[] = "BHD IQD JOD KWD LYD OMR TND";
	if (!currency || strlen(currency) != 3)
		return 2;
	return strstr(zero, currency) ? 0 : strstr(three, currency) ? 3 : 2;
}

/* amount (minor units) in currency units: 600 USD → "6.00", 600 JPY → "600". */
static void major_amount(FILE *f, int64_t amount, const char *currency)
{
	int d = minor_digits(currency);
	int64_t scale = d == 0 ? 1 : d == 3 ? 1000 : 100;
	const char *sign = amount < 0 ? "-" : "";
	uint64_t a = amount < 0 ? (uint64_t)0 - (uint64_t)amount : (uint64_t)amount;
	if (d)
		fprintf(f, "%s%llu.%0*llu", sign, (unsigned long long)(a / (uint64_t)scale), d,
			(unsigned long long)(a % (uint64_t)scale));
	else
		fprintf(f, "%s%llu", sign, (unsigned long long)a);
}

static int csv_submit(const fc_payout_batch *b, const char *file, fc_err *err)
{
	char tmp[1300];
	snprintf(tmp, sizeof tmp, "%s.tmp", file);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return fc_err_set(err, FC_EIO, "io_error", NULL, "Cannot write the payout file.");
	/* amount in currency units for the person and the provider; amount_minor as stored */
	fputs("payout_id,user_id,email,amount,currency,amount_minor\n", f);
	for (size_t i = 0; i < b->count; i++) {
		const fc_payout_line *l = &b->lines[i];
		fprintf(f, "%lld,%lld,", (long long)l->payout_id, (long long)l->user_id);
		csv_field(f, l->email);
		fputc(',', f);
		major_amount(f, l->amount, l->currency);
		fputc(',', f);
		csv_field(f, l->currency);
		fprintf(f, ",%lld\n", (long long)l->amount);
	}
	int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, file)) {
		unlink(tmp);
		return fc_err_set(err, FC_EIO, "io_error", NULL, "Cannot write the payout file.");
	}
	return 0;
}

const fc_payout_provider fc_payout_csv = {"csv", csv_submit};

int fc_money_payout_file(fc_store *s, int64_t batch, char **out, size_t *len, fc_err *err)
{
	*out = NULL;
	*len = 0;
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	char path[1200] = "";
	fc_stmt *st;
	if (!(rc = fc_db_query(db, &st, err, "SELECT file FROM payout_batches WHERE id=?", "I", batch))) {
		if (fc_stmt_next(st) == 1 && fc_stmt_text(st, 0))
			snprintf(path, sizeof path, "%s", fc_stmt_text(st, 0));
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	if (rc)
		return rc;
	if (!*path)
		return fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such payout batch.");
	FILE *f = fopen(path, "rb");
	if (!f)
		return fc_err_set(err, FC_EIO, "io_error", NULL,
				  "The file of batch %lld is missing from the data folder.", (long long)batch);
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n + 65536 > cap) {
			char *p = realloc(buf, cap = cap ? cap * 2 : 65536);
			if (!p) {
				free(buf);
				fclose(f);
				return fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
			}
			buf = p;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return fc_err_set(err, FC_EIO, "io_error", NULL, "Cannot read the file of batch %lld.", (long long)batch);
	}
	*out = buf;
	*len = n;
	return 0;
}
