/* faircrowd — the command line. */
#include "cli.h"
#include "core/crypto.h"
#include "money/cli.h"
#include "privacy/audit.h"
#include "quality/cli.h"
#include "version.h"
#include "wiring.h"

#include <microhttpd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* `faircrowd --version`: ours, then the versions of the libraries actually
 * loaded (not the headers built against), which is what a bug report needs. */
static int version(int argc, char **argv)
{
	if (strcmp(FC_VERSION_VCS, FC_VERSION))
		printf("faircrowd %s (git %s)\n", FC_VERSION, FC_VERSION_VCS);
	else
		printf("faircrowd %s\n", FC_VERSION);
	printf("SQLite %s\nlibmicrohttpd %s\n", sqlite3_libversion(), MHD_get_version());
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} COMMANDS[] = {
	{"serve", fc_cli_serve, "serve the API and the web UI"},
	{"migrate", fc_cli_migrate, "create or upgrade the database and exit"},
	{"user", fc_cli_user, "manage users (user add)"},
	{"import", fc_cli_import, "import tasks into a project from a file"},
	{"export", fc_cli_export, "export a project's tasks and results as JSONL"},
	{"aggregate", fc_quality_cli_aggregate, "aggregate crowd labels (majority vote, Dawid-Skene)"},
	{"agreement", fc_quality_cli_agreement, "inter-annotator agreement (alpha, Fleiss, Cohen)"},
	{"backup", fc_cli_backup, "copy the live database to a file (safe while serving)"},
	{"ledger", fc_money_cli_ledger, "check the money ledger (ledger check)"},
	{"copy-db", fc_cli_copy_db, "copy an SQLite data folder into an empty PostgreSQL database"},
	{"audit", fc_audit_cli, "check the audit log's hash chain (audit verify)"},
	{"version", version, "print the version and the SQLite and libmicrohttpd versions"},
};

/* --database URL (or --database=URL) is taken out of argv wherever it stands
 * and becomes FAIRCROWD_DATABASE, which fc_store_open reads: every command
 * that opens the store (serve, migrate, user, import, export, backup, ledger)
 * takes it the same way without parsing it itself. Returns -1 when the URL
 * is missing. */
static int take_database_option(int *argc, char **argv)
{
	int out = 1;
	for (int i = 1; i < *argc; i++) {
		const char *url = NULL;
		if (!strcmp(argv[i], "--database")) {
			if (i + 1 >= *argc)
				return -1;
			url = argv[++i];
		} else if (!strncmp(argv[i], "--database=", 11)) {
			url = argv[i] + 11;
		} else {
			argv[out++] = argv[i];
			continue;
		}
		if (!*url || setenv("FAIRCROWD_DATABASE", url, 1))
			return -1;
	}
	argv[out] = NULL;
	*argc = out;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: faircrowd COMMAND [OPTIONS]\n\n"
		   "faircrowd collects and annotates AI training data with a fairly paid crowd.\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
		fprintf(f, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].help);
	fprintf(f, "\nCommands that open the database take --database postgres://user@host:port/dbname\n"
		   "(env FAIRCROWD_DATABASE) to use PostgreSQL instead of SQLite in --data DIR.\n"
		   "'faircrowd COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return version(argc - 1, argv + 1);
	if (take_database_option(&argc, argv)) {
		fprintf(stderr, "faircrowd: --database needs a URL (postgres://user@host:port/dbname)\n");
		return 2;
	}
	if (fc_crypto_init()) {
		fprintf(stderr, "faircrowd: cannot initialise libsodium\n");
		return 1;
	}
	fc_wire();
	for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
		if (!strcmp(argv[1], COMMANDS[i].name))
			return COMMANDS[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "faircrowd: unknown command '%s' (try 'faircrowd --help')\n", argv[1]);
	return 2;
}
