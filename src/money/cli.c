/* The ledger check: the invariants the money code promises, verified from
 * the stored entries alone. Safe while the server runs (a read transaction
 * under WAL sees one consistent snapshot). */
#include "money/cli.h"
#include "money/money.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Prints up to 20 rows of a violation query; adds the count to *v. */
static int violations(fc_db *db, FILE *out, const char *what, const char *sql, int64_t *v, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err, sql, "");
	if (rc)
		return rc;
	int64_t n = 0;
	int r;
	while ((r = fc_stmt_next(st)) == 1) {
		if (n++ < 20)
			fprintf(out, "VIOLATION %s: %s\n", what, fc_stmt_text(st, 0));
	}
	fc_stmt_done(st);
	if (r < 0)
		return fc_err_set(err, FC_EDB, "database_error", NULL, "The ledger could not be read.");
	if (n > 20)
		fprintf(out, "VIOLATION %s: … and %lld more\n", what, (long long)(n - 20));
	*v += n;
	return 0;
}

int fc_money_ledger_check(fc_store *s, FILE *out, int64_t *v, fc_err *err)
{
	*v = 0;
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	static const struct {
		const char *what, *sql;
	} checks[] = {
		{"unbalanced transaction",
		 "SELECT 'txn ' || txn_id || ' sums to ' || SUM(amount) FROM ledger_entries GROUP BY txn_id "
		 "HAVING SUM(amount) <> 0"},
		{"currency mismatch",
		 "SELECT 'entry ' || e.id || ' is ' || e.currency || ' in ' || t.currency || ' txn ' || t.id "
		 "FROM ledger_entries e JOIN ledger_txns t ON t.id=e.txn_id WHERE e.currency <> t.currency"},
		{"orphan entry", "SELECT 'entry ' || e.id || ' names missing txn ' || e.txn_id FROM ledger_entries e "
				 "LEFT JOIN ledger_txns t ON t.id=e.txn_id WHERE t.id IS NULL"},
		{"negative balance",
		 "SELECT account || ' ' || currency || ' = ' || SUM(amount) FROM ledger_entries "
		 "WHERE account LIKE 'pending:%' OR account LIKE 'available:%' OR account LIKE 'payout_pending:%' "
		 "OR account LIKE 'paid:%' GROUP BY account, currency HAVING SUM(amount) < 0"},
		{"payouts disagree with payout_pending",
		 "WITH o AS (SELECT 'payout_pending:' || user_id AS account, currency, SUM(amount) AS amount FROM payouts "
		 "WHERE status IN ('requested','batched') GROUP BY user_id, currency), "
		 "l AS (SELECT account, currency, SUM(amount) AS amount FROM ledger_entries WHERE account LIKE "
		 "'payout_pending:%' GROUP BY account, currency) "
		 "SELECT COALESCE(o.account, l.account) || ': payouts ' || COALESCE(o.amount,0) || ', ledger ' || "
		 "COALESCE(l.amount,0) FROM o FULL OUTER JOIN l ON l.account=o.account AND l.currency=o.currency "
		 "WHERE COALESCE(o.amount,0) <> COALESCE(l.amount,0)"},
	};
	for (size_t i = 0; !rc && i < sizeof checks / sizeof checks[0]; i++)
		rc = violations(db, out, checks[i].what, checks[i].sql, v, err);
	if (rc)
		goto out;
	int64_t txns = 0, entries = 0;
	fc_db_int(db, &txns, NULL, "SELECT COUNT(*) FROM ledger_txns", "");
	fc_db_int(db, &entries, NULL, "SELECT COUNT(*) FROM ledger_entries", "");
	fprintf(out, "ledger: %lld transactions, %lld entries\n", (long long)txns, (long long)entries);
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT currency, substr(account, 1, instr(account || ':', ':') - 1) AS kind, SUM(amount), "
			      "COUNT(DISTINCT account) FROM ledger_entries GROUP BY currency, kind ORDER BY currency, kind",
			      "")))
		goto out;
	while (fc_stmt_next(st) == 1)
		fprintf(out, "  %s %-15s %15lld  (%lld account%s)\n", fc_stmt_text(st, 0), fc_stmt_text(st, 1),
			(long long)fc_stmt_int(st, 2), (long long)fc_stmt_int(st, 3), fc_stmt_int(st, 3) == 1 ? "" : "s");
	fc_stmt_done(st);
	fprintf(out, "%s: %lld violation%s\n", *v ? "FAILED" : "ok", (long long)*v, *v == 1 ? "" : "s");
out:
	fc_db_rollback(db);
	return rc;
}

static const char HELP[] = "usage: faircrowd ledger check [--data DIR]\n"
			   "Verifies the money ledger: every transaction sums to zero, every entry's currency is its\n"
			   "transaction's, no pending/available/payout_pending/paid balance is negative and open\n"
			   "payouts match their ledger account. Prints a summary by currency and account kind.\n"
			   "Exit 0 when consistent, 1 on any violation. Safe while the server runs.\n";

int fc_money_cli_ledger(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(HELP, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "check")) {
		fprintf(stderr, "faircrowd ledger: unknown action '%s' (only 'check')\n", argv[1]);
		return 2;
	}
	const char *dir = getenv("FAIRCROWD_DATA");
	if (!dir || !*dir)
		dir = "./data";
	static const struct option opts[] = {{"data", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		if (c == 'd')
			dir = optarg;
		else if (c == 'h') {
			fputs(HELP, stdout);
			return 0;
		} else {
			fputs(HELP, stderr);
			return 2;
		}
	}
	if (optind < argc - 1) {
		fprintf(stderr, "faircrowd ledger check: unexpected argument '%s'\n", argv[optind + 1]);
		return 2;
	}
	char db[1100];
	snprintf(db, sizeof db, "%s/faircrowd.db", dir);
	if (access(db, R_OK)) {
		fprintf(stderr, "faircrowd ledger: no database at %s\n", db);
		return 1;
	}
	fc_store *s;
	fc_err err = {0};
	int64_t v = 0;
	if (fc_store_open(&s, dir, &err) || fc_money_ledger_check(s, stdout, &v, &err)) {
		fprintf(stderr, "faircrowd ledger: %s\n", err.msg);
		fc_err_clear(&err);
		return 1;
	}
	fc_store_close(s);
	return v ? 1 : 0;
}
