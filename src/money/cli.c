/* `faircrowd ledger check`: the command line around fc_money_ledger_check
 * (money/check.c). */
#include "money/cli.h"
#include "money/money.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char HELP[] = "usage: faircrowd ledger check [--data DIR | --database URL]\n"
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
	if (!fc_store_exists(dir)) {
		fprintf(stderr, "faircrowd ledger: no database at %s/faircrowd.db\n", dir);
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
